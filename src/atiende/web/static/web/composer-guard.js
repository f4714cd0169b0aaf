// The composer's "last seen message" token (#composer-last_seen) is what stops a reply typed
// while a colleague answered: the server holds the send when a newer public message exists.
// A live refresh of the timeline brings the newest message id out of band; taking it while
// the agent has text in the composer would silently mark the colleague's message as read.
// So the token advances only while the composer is empty: the agent has not started a reply
// the new message could make redundant. Sending, or the server's warning, renews it.
(function () {
  "use strict";
  function drafting() {
    var text = document.querySelector("textarea[data-composer]");
    return !!(text && text.value.trim());
  }
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "composer-last_seen" && drafting()) {
      event.detail.shouldSwap = false;
    }
  });
})();
