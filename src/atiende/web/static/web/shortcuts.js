// Atiende keyboard shortcuts. Plain JS, no dependencies.
//
// Contract (docs/dev/workspace.md): elements marked data-shortcut="<key>" are clicked (buttons,
// links, checkboxes, radios) or focused (text inputs); j/k move between [data-row] elements,
// Enter or o opens the current row's link, x toggles its checkbox, / focuses the search box,
// ? opens the help overlay (also from any [data-shortcuts-help] button), Escape closes it.
// While typing in a field only Escape counts: it leaves the field.
(function () {
  "use strict";

  var HELP_URL = "/account/shortcuts/";
  var CURRENT = "row-current";
  var current = null; // the current [data-row] element
  var helpLoading = null;
  var returnFocus = null;

  var TEXT_TYPES = /^(text|search|email|url|tel|password|number|date|datetime-local|month|week|time|color)$/;

  function isTyping(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") return TEXT_TYPES.test((element.getAttribute("type") || "text").toLowerCase());
    return false;
  }

  function isVisible(element) {
    if (!element || !element.isConnected) return false;
    if (element.closest("dialog:not([open]), [hidden], [inert]")) return false;
    return element.getClientRects().length > 0;
  }

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-row]"), isVisible);
  }

  function rowLink(row) {
    return row && row.querySelector("a[href]");
  }

  function setCurrent(row) {
    if (current && current !== row) {
      current.classList.remove(CURRENT);
      current.removeAttribute("aria-current");
    }
    current = row;
    if (!row) return;
    row.classList.add(CURRENT);
    row.setAttribute("aria-current", "true");
    var target = rowLink(row);
    if (!target) {
      if (!row.hasAttribute("tabindex")) row.setAttribute("tabindex", "-1");
      target = row;
    }
    target.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = current && current.isConnected ? list.indexOf(current) : -1;
    if (index === -1 && document.activeElement) {
      // Start from the row holding the focus, e.g. after a click or Tab.
      index = list.findIndex(function (row) { return row.contains(document.activeElement); });
    }
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1)
      : Math.min(Math.max(index + step, 0), list.length - 1);
    setCurrent(list[next]);
  }

  function currentRow() {
    if (current && current.isConnected && isVisible(current)) return current;
    var focused = document.activeElement;
    var row = focused && focused.closest ? focused.closest("[data-row]") : null;
    return row && isVisible(row) ? row : null;
  }

  function activate(element) {
    var tag = element.tagName;
    var type = (element.getAttribute("type") || "").toLowerCase();
    if ((tag === "INPUT" && TEXT_TYPES.test(type || "text")) || tag === "TEXTAREA" || tag === "SELECT") {
      element.focus();
      if (element.select && tag !== "SELECT") element.select();
      return;
    }
    element.click();
    if (tag === "INPUT" && type === "radio") {
      // Choosing reply or note: start writing straight away.
      var composer = element.form && element.form.querySelector("textarea[data-composer]");
      if (composer && isVisible(composer)) composer.focus();
      else element.focus();
    }
  }

  function marked(key) {
    var selector = '[data-shortcut="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]';
    var row = currentRow();
    var inRow = row && Array.prototype.find.call(row.querySelectorAll(selector), isVisible);
    if (inRow) return inRow;
    return Array.prototype.find.call(document.querySelectorAll(selector), function (element) {
      return isVisible(element) && !element.closest("[data-row]") && !element.disabled;
    }) || null;
  }

  // The help overlay: fetched once (translated by the server), then reused.
  function openHelp() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog) { showHelp(dialog); return; }
    if (helpLoading || !window.fetch) return;
    helpLoading = fetch(HELP_URL, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var found = holder.querySelector("dialog#shortcuts-help");
        if (!found) return;
        document.body.appendChild(found);
        found.addEventListener("close", function () {
          if (returnFocus && returnFocus.isConnected) returnFocus.focus();
          returnFocus = null;
        });
        showHelp(found);
      })
      .catch(function () { /* offline or signed out: no overlay */ })
      .then(function () { helpLoading = null; });
  }

  function showHelp(dialog) {
    if (dialog.open) return;
    returnFocus = document.activeElement;
    var menu = returnFocus && returnFocus.closest ? returnFocus.closest("details[open]") : null;
    if (menu) {
      menu.open = false;
      returnFocus = menu.querySelector("summary");
    }
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
    var close = dialog.querySelector("[data-shortcuts-close]");
    if (close) close.focus();
  }

  function closeHelp() {
    var dialog = document.getElementById("shortcuts-help");
    if (!dialog || !dialog.open) return false;
    if (dialog.close) dialog.close();
    else dialog.removeAttribute("open");
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-shortcuts-help]");
    if (!button) return;
    event.preventDefault();
    openHelp();
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    var focused = document.activeElement;

    if (key === "Escape") {
      if (closeHelp()) { event.preventDefault(); return; }
      if (isTyping(focused)) focused.blur();
      return;
    }
    if (isTyping(focused)) return;
    var help = document.getElementById("shortcuts-help");
    if (help && help.open) return; // the dialog has its own keys (Tab, Escape)

    if (key === "?") { event.preventDefault(); openHelp(); return; }
    if (key === "j" || key === "k") { event.preventDefault(); move(key === "j" ? 1 : -1); return; }
    if (key === "o" || key === "Enter") {
      var row = currentRow();
      var link = rowLink(row);
      if (!link) return;
      // Enter on a focused control does what that control does; only plain Enter opens the row.
      if (key === "Enter" && focused && focused !== row && focused !== link && focused !== document.body) return;
      event.preventDefault();
      link.click();
      return;
    }
    if (key === "x") {
      var selected = currentRow();
      var box = selected && (selected.querySelector('[data-shortcut="x"]') ||
        selected.querySelector('input[type="checkbox"]'));
      if (box) { event.preventDefault(); box.click(); return; }
    }
    if (key === "/") {
      var search = document.getElementById("global-search");
      if (search && isVisible(search)) { event.preventDefault(); search.focus(); search.select(); return; }
    }
    if (key.length !== 1) return;
    var target = marked(key);
    if (target) { event.preventDefault(); activate(target); }
  });

  // A click or focus inside a row makes it the current one, so j/k continue from there.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-row]");
    if (row && row !== current) {
      if (current) { current.classList.remove(CURRENT); current.removeAttribute("aria-current"); }
      current = row;
      row.classList.add(CURRENT);
      row.setAttribute("aria-current", "true");
    }
  });
})();
