// The top bar's search box: a combobox whose listbox htmx fills as one types.
// Arrow keys move through the options, Enter opens the chosen one (or submits the query for
// the full results page), Escape closes the list. Options are links, so a click opens them.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  var list = document.getElementById("global-search-results");
  var status = document.getElementById("global-search-status");
  if (!input || !list) return;

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
  }
  function active() {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }
  function choose(option) {
    options().forEach(function (item) { item.setAttribute("aria-selected", "false"); });
    if (option) {
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function close() {
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    choose(null);
  }
  function move(step) {
    var items = options();
    if (!items.length) return;
    var at = items.indexOf(active());
    var next = at === -1 ? (step > 0 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
    choose(items[next]);
  }

  // htmx swapped new suggestions in: open the list and announce how many there are.
  list.addEventListener("htmx:afterSwap", function () {
    var items = options();
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    choose(null);
    var counted = list.querySelector("[data-count-text]");
    if (status) status.textContent = counted ? counted.getAttribute("data-count-text") : "";
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") {
      if (input.getAttribute("aria-expanded") === "true") { event.preventDefault(); close(); }
    } else if (event.key === "Enter") {
      var option = active();
      if (option && option.href) { event.preventDefault(); window.location.assign(option.href); }
    }
  });
  input.addEventListener("input", function () { if (!input.value.trim()) close(); });
  // Close when focus leaves the box (a click on an option follows its link first).
  input.addEventListener("blur", function () {
    setTimeout(function () {
      if (!list.contains(document.activeElement)) {
        input.setAttribute("aria-expanded", "false");
      }
    }, 200);
  });
  input.addEventListener("focus", function () {
    if (options().length) input.setAttribute("aria-expanded", "true");
  });
  // Options are not in the tab order: the input keeps focus while the list is used.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
})();
