// Atiende as an installable app: register the service worker (root scope), and on the offline
// page reload as soon as the connection is back. Plain JS, no dependencies.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
        // No service worker (private mode, blocked): Atiende works the same online.
      });
    });
  }
  if (document.body && document.body.hasAttribute("data-offline")) {
    window.addEventListener("online", function () { window.location.reload(); });
  }
})();
