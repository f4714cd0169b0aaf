// Screen-pop of ringing calls (plain JS). realtime.js fires `atiende:call.ringing` with the
// server's payload (messaging/channels/services/call_pop.py): the caller's number, their
// customer record and the open tickets this agent may see. Each call gets one dismissible
// card in #call-pops; `atiende:call.updated` says when it was answered or ended. Words come
// from the data attributes of #call-pops, in the page's language.
(function () {
  "use strict";
  var box = document.getElementById("call-pops");
  if (!box) return;
  var MAX_CARDS = 3;
  var CLOSE_AFTER_MS = 15000;  // a card of an ended call stays this long unless kept in focus

  function t(key, fallback) { return box.dataset[key] || fallback; }
  function url(template, id) { return (template || "").replace(/0\/?$/, id + "/"); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function cardOf(callId) {
    return box.querySelector('[data-call-id="' + String(Number(callId)) + '"]');
  }

  function dismiss(card) {
    if (!card || !card.parentNode) return;
    var hadFocus = card.contains(document.activeElement);
    card.parentNode.removeChild(card);
    if (hadFocus) {
      var main = document.getElementById("main");
      if (main) main.focus();
    }
  }

  function show(detail) {
    if (typeof detail.call_id !== "number") return;
    var old = cardOf(detail.call_id);
    if (old) dismiss(old);
    var titleId = "call-pop-" + detail.call_id;
    var card = el("article", "call-pop");
    card.setAttribute("data-call-id", String(detail.call_id));
    card.setAttribute("aria-labelledby", titleId);
    card.tabIndex = -1;

    var head = el("header", "call-pop-head");
    var title = el("h2", "call-pop-title");
    title.id = titleId;
    title.appendChild(el("span", null, "📞")).setAttribute("aria-hidden", "true");
    title.appendChild(document.createTextNode(" " + t("title", "Incoming call")));
    head.appendChild(title);
    var close = el("button", "call-pop-close secondary small", "×");
    close.type = "button";
    close.setAttribute("aria-label", t("dismiss", "Dismiss"));
    close.addEventListener("click", function () { dismiss(card); });
    head.appendChild(close);
    card.appendChild(head);

    var who = el("p", "call-pop-who");
    var customer = detail.customer;
    if (customer && typeof customer.id === "number") {
      var link = el("a", "call-pop-customer", customer.name || detail.number);
      link.href = url(box.dataset.customerUrl, customer.id);
      link.title = t("openCustomer", "Open the customer");
      who.appendChild(link);
    } else {
      who.appendChild(el("strong", null, t("unknown", "Unknown caller")));
    }
    card.appendChild(who);
    var number = el("p", "call-pop-number");
    var tel = el("a", null, detail.number || "");
    if (detail.number) tel.href = "tel:" + detail.number;
    number.appendChild(tel);
    if (detail.line) number.appendChild(el("span", "muted", " " + t("line", "on {line}").replace("{line}", detail.line)));
    card.appendChild(number);

    var tickets = detail.tickets || [];
    if (customer) {
      var heading = el("h3", "call-pop-subtitle", t("tickets", "Open tickets"));
      card.appendChild(heading);
      if (tickets.length) {
        var list = el("ul", "call-pop-tickets");
        tickets.forEach(function (ticket) {
          var item = el("li");
          var a = el("a", null, "#" + ticket.number + " " + ticket.subject);
          a.href = url(box.dataset.ticketUrl, ticket.id);
          item.appendChild(a);
          list.appendChild(item);
        });
        card.appendChild(list);
      } else {
        card.appendChild(el("p", "muted", t("noTickets", "No open tickets.")));
      }
    }
    card.appendChild(el("p", "call-pop-state muted"));
    card.addEventListener("keydown", function (event) {
      if (event.key === "Escape") dismiss(card);
    });
    box.insertBefore(card, box.firstChild);
    var cards = box.querySelectorAll(".call-pop");
    for (var i = MAX_CARDS; i < cards.length; i++) dismiss(cards[i]);
  }

  function update(detail) {
    var card = cardOf(detail.call_id);
    if (!card) return;
    var state = card.querySelector(".call-pop-state");
    var text = "";
    if (detail.state === "answered") {
      text = detail.agent ? t("answered", "Answered by {agent}").replace("{agent}", detail.agent)
        : t("answeredPlain", "Answered");
    } else if (detail.state === "ended") {
      text = t("ended", "Call ended");
    } else if (detail.state === "missed") {
      text = t("missed", "Missed call");
    }
    if (state) state.textContent = text;
    card.setAttribute("data-state", detail.state || "");
    if (detail.state === "ended" || detail.state === "missed") {
      setTimeout(function () {
        if (!card.contains(document.activeElement)) dismiss(card);
      }, CLOSE_AFTER_MS);
    }
  }

  document.addEventListener("atiende:call.ringing", function (event) { show(event.detail || {}); });
  document.addEventListener("atiende:call.updated", function (event) { update(event.detail || {}); });
})();
