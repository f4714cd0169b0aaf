// The inbox's requester and organization filters: a text box with suggestions (an ARIA
// combobox). Typing asks the server for matching customers or organizations the agent may
// see; arrow keys move through them, Enter or a click picks one (its id goes into the hidden
// filter next to the box), Escape closes the list. Without this script the server looks the
// typed text up when the form is applied.
(function () {
  "use strict";
  var DELAY = 250;
  var timers = {};

  function listOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function idField(input) { return document.getElementById(input.getAttribute("data-people-id")); }
  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"][data-id]'));
  }
  function close(input) {
    var list = listOf(input);
    if (list) { list.hidden = true; list.innerHTML = ""; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function highlight(input, option) {
    var list = listOf(input);
    options(list).forEach(function (item) { item.setAttribute("aria-selected", item === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function pick(input, option) {
    var hidden = idField(input);
    if (hidden) hidden.value = option.getAttribute("data-id");
    input.value = option.getAttribute("data-label");
    close(input);
  }
  function suggest(input) {
    var list = listOf(input);
    var q = input.value.trim();
    if (!list || !q) { close(input); return; }
    var url = list.getAttribute("data-suggest-url") + "&q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (input.value.trim() !== q) return; // the agent typed on meanwhile
        list.innerHTML = html;
        var open = list.children.length > 0;
        list.hidden = !open;
        input.setAttribute("aria-expanded", open ? "true" : "false");
        highlight(input, null);
      });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-people]")) return;
    var hidden = idField(input);
    if (hidden) hidden.value = ""; // typed text no longer names the picked one
    var key = input.id;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { suggest(input); }, DELAY);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-people]")) return;
    var list = listOf(input);
    var items = list ? options(list) : [];
    var open = input.getAttribute("aria-expanded") === "true";
    var current = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    var at = items.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at === -1 ? (step > 0 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
      highlight(input, items[next]);
    } else if (event.key === "Enter" && open && current) {
      event.preventDefault();
      pick(input, current);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close(input);
    }
  });

  // A click on an option picks it; the box keeps the focus while the list is used.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".people-options [role=\"option\"][data-id]");
    if (!option) return;
    event.preventDefault();
    var input = document.querySelector('input[aria-controls="' + option.parentNode.id + '"]');
    if (input) pick(input, option);
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-people]")) return;
    setTimeout(function () { if (document.activeElement !== input) close(input); }, 150);
  });
})();
