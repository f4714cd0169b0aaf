/* Embed an Atiende ticket form in any page:
 *   <script src="https://help.example.com/static/forms/embed.js" data-form="billing" async></script>
 * inserts the form in an iframe after the script and keeps the frame as tall as the form.
 * Only messages from the Atiende origin and from this very frame are read.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var slug = script.getAttribute("data-form");
  if (!slug || !/^[a-z0-9-]+$/.test(slug)) return;
  var atiende = new URL(script.src, window.location.href).origin;
  var frame = document.createElement("iframe");
  var src = atiende + "/forms/" + slug + "/?embedded=1&origin=" + encodeURIComponent(window.location.origin);
  var lang = script.getAttribute("data-lang");
  if (lang) src += "&lang=" + encodeURIComponent(lang);
  frame.src = src;
  frame.title = script.getAttribute("data-title") || "Atiende";
  frame.setAttribute("loading", "lazy");
  frame.style.width = "100%";
  frame.style.minHeight = "400px";
  frame.style.border = "0";
  frame.setAttribute("data-atiende-form", slug);
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== atiende || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "atiende:form-height" || typeof data.height !== "number") return;
    frame.style.height = Math.max(200, Math.min(Math.ceil(data.height), 20000)) + "px";
  });
})();
