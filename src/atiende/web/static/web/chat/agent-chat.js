// The chat visitor's panel on a chat ticket's page: "The visitor is typing…".
//
// The visitor's typing arrives as a `presence` live event with `visitor.typing` (only sockets
// watching this ticket receive it; realtime.js fires it as `atiende:presence`). Agent typing
// needs nothing here: realtime.js reports it, and the chat relay tells the visitor.
(function () {
  "use strict";
  var SHOWN_MS = 6000;
  var timer = null;
  document.addEventListener("atiende:presence", function (event) {
    var panel = document.querySelector("[data-chat-visitor]");
    var detail = event.detail || {};
    if (!panel || !detail.visitor || !detail.visitor.typing) return;
    if (String(detail.ticket_id) !== panel.getAttribute("data-chat-visitor")) return;
    var line = panel.querySelector("[data-chat-typing]");
    line.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { line.hidden = true; }, SHOWN_MS);
  });
  // A new message from the visitor ends their typing.
  document.addEventListener("atiende:message.added", function () {
    var line = document.querySelector("[data-chat-visitor] [data-chat-typing]");
    if (line) line.hidden = true;
  });
})();
