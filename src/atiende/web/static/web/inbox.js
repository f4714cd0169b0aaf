// Inbox: "select all" on the page, the selected rows' highlight and the selection count.
// The page works without this script; it only saves clicks.
(function () {
  "use strict";
  // The inbox was reached from a ticket that left the agent's sight: the page says so once;
  // reloading it should not say so again.
  var here = new URL(window.location.href);
  if (here.searchParams.has("gone")) {
    here.searchParams.delete("gone");
    window.history.replaceState(window.history.state, "", here.pathname + here.search + here.hash);
  }
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#inbox-rows input[name="ids"]'));
  }
  function refresh() {
    var all = boxes();
    var chosen = all.filter(function (box) { return box.checked; });
    all.forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("selected", box.checked);
    });
    var master = document.querySelector("[data-select-all]");
    if (master) {
      master.checked = all.length > 0 && chosen.length === all.length;
      master.indeterminate = chosen.length > 0 && chosen.length < all.length;
    }
    var form = document.getElementById("bulk-form");
    if (form) {
      form.classList.add("bulk-js");
      form.classList.toggle("has-selection", chosen.length > 0);
    }
    var count = document.querySelector("[data-selected-count]");
    if (count) count.textContent = chosen.length ? "(" + chosen.length + ")" : "";
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-select-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches && (target.matches("[data-select-all]") || target.matches('input[name="ids"]'))) {
      refresh();
    }
  });
  document.addEventListener("htmx:afterSwap", refresh);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
