// Inbox bulk actions: the question before a close or merge takes the focus; "Cancel" removes
// it and gives the focus back to the list. The page works without this script (the server
// then asks on a page of its own).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "bulk-result") return;
    var yes = target.querySelector("[data-bulk-confirm-yes]");
    if (yes) yes.focus();
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-bulk-cancel]");
    if (!cancel) return;
    var result = document.getElementById("bulk-result");
    if (result) result.innerHTML = "";
    var first = document.querySelector('#inbox-rows input[name="ids"]:checked') ||
      document.querySelector("[data-select-all]");
    if (first) first.focus();
  });
})();
