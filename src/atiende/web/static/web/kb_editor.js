// The knowledge-base editor: "Insert" puts a file's Markdown at the body's cursor.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var body = document.querySelector("[data-kb-body]");
    if (!body) return;
    var text = button.getAttribute("data-kb-insert");
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || 0;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
  });
})();
