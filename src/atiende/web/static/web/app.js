// Atiende workspace: small behaviours every page shares. No framework beyond htmx.
(function () {
  "use strict";
  // The side navigation opens as a drawer on narrow screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // htmx: show the server's error fragment (4xx) where the request wanted its answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A small toast API for other scripts: Atiende.toast("text").
  window.Atiende = window.Atiende || {};
  window.Atiende.toast = function (text) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var item = document.createElement("p");
    item.className = "toast";
    item.textContent = text;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 6000);
  };
})();
