/* A "Copy" button next to a read-only field (the channel account's webhook URL):
   <button data-copy="input-id" data-copied="Copied" hidden>. Shown only where the
   browser can copy; without it the field can still be selected and copied by hand. */
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      }, function () {
        field.select();
      });
    });
  });
})();
