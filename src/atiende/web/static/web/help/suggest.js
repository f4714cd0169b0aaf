/* The help center's search box: articles offered while the reader types (after a pause),
   from the same suggestions as the request form (full text and meaning, any language).
   The list is our own server's fragment; pressing Enter still opens the full results. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-suggest-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector('input[type="search"]');
    var results = form.nextElementSibling;
    if (!input || !results || !results.hasAttribute("data-suggest-results")) return;
    var lang = (form.querySelector('input[name="lang"]') || {}).value || document.documentElement.lang;
    var timer = null, last = "";
    function ask() {
      var q = input.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 3) { results.innerHTML = ""; return; }
      var url = form.getAttribute("data-suggest-url") + "?from=help&q=" + encodeURIComponent(q) +
        "&lang=" + encodeURIComponent(lang || "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (q === last) results.innerHTML = html; })
        .catch(function () { results.innerHTML = ""; });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 300);
    });
  });
})();
