// Pasting an image into the composer attaches it: the image goes through the same upload as
// a picked or dropped file (the composer's file input). Text pastes as text. Only the image
// types every mail client shows inline are taken, up to the upload limit, with a clear error
// otherwise; the server checks the size again.
(function () {
  "use strict";
  var TYPES = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function stamp(now) {
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      "-" + pad(now.getHours()) + pad(now.getMinutes()) + pad(now.getSeconds());
  }

  function show(form, text) {
    var box = form.querySelector("[data-paste-error]");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  document.addEventListener("paste", function (event) {
    var textarea = event.target.closest && event.target.closest("textarea[data-composer]");
    var form = textarea && textarea.closest("form[data-composer-form]");
    var clip = event.clipboardData;
    if (!form || !clip) return;
    var files = Array.prototype.slice.call(clip.files || []);
    var images = files.filter(function (file) { return /^image\//.test(file.type); });
    // A copied spreadsheet cell or web page also carries a picture of itself: text wins.
    if (!images.length || clip.getData("text/plain")) return;
    event.preventDefault();
    var limit = parseInt(form.getAttribute("data-paste-max"), 10) || 0;
    var bad = images.filter(function (file) { return !TYPES[file.type]; });
    if (bad.length) { show(form, form.getAttribute("data-paste-bad-type")); return; }
    var big = images.filter(function (file) { return limit && file.size > limit; });
    if (big.length) { show(form, form.getAttribute("data-paste-too-big")); return; }
    show(form, "");
    var input = form.querySelector('input[type="file"][name="file"]');
    if (!input || typeof DataTransfer === "undefined") return;
    var transfer = new DataTransfer();
    var base = form.getAttribute("data-paste-name") || "pasted-image";
    var when = stamp(new Date());
    images.forEach(function (file, i) {
      var name = base + "-" + when + (images.length > 1 ? "-" + (i + 1) : "") + "." + TYPES[file.type];
      transfer.items.add(new File([file], name, { type: file.type }));
    });
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
