// Atiende real time: one WebSocket per workspace page (plain JS, no build step).
//
// Contract (docs/dev/workspace.md): every server event fires a `document` event named
// `atiende:<type>` with the server's payload in `event.detail` (ticket.created, ticket.updated,
// message.added, presence, notification). Pages react with htmx, e.g.
// hx-trigger="atiende:ticket.created from:document".
//
// The socket says hello with the last event id this tab processed, so a dropped connection
// catches up on what it missed; a page showing one ticket (<main data-ticket-id>) joins that
// ticket's presence and reports typing in textarea[data-composer].
(function () {
  "use strict";
  if (!window.WebSocket || !document.body || !document.body.hasAttribute("data-workspace")) return;

  var STORE_KEY = "atiende.live.last_id";
  var HEARTBEAT_MS = 15000;
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 6000;
  var MAX_BACKOFF_MS = 30000;
  var STOP_CODES = { 4401: true, 4403: true };

  var socket = null;
  var backoff = 1000;
  var lastId = null;
  var recent = [];            // ids already dispatched, to drop a replayed duplicate
  var watching = null;        // ticket id announced to the server
  var lastTyping = 0;
  var heartbeat = null;
  var presenceTimer = null;
  var myId = document.body.getAttribute("data-user-id");

  function strings() {
    var el = document.getElementById("realtime-strings");
    return el ? el.dataset : {};
  }
  function t(key, fallback) { return strings()[key] || fallback; }

  // ---- position in the event log -------------------------------------------------------

  function initialId() {
    var bell = document.querySelector("[data-bell][data-live-since]");
    if (bell) return parseInt(bell.getAttribute("data-live-since"), 10);  // the render's position
    var stored = null;
    try { stored = sessionStorage.getItem(STORE_KEY); } catch (e) { /* storage disabled */ }
    return stored === null ? null : parseInt(stored, 10);
  }

  function remember(id) {
    if (typeof id !== "number") return;
    if (lastId === null || id > lastId) lastId = id;
    try { sessionStorage.setItem(STORE_KEY, String(lastId)); } catch (e) { /* storage disabled */ }
  }

  function seen(id) {
    if (typeof id !== "number") return false;
    if (recent.indexOf(id) !== -1) return true;
    recent.push(id);
    if (recent.length > 500) recent.shift();
    return false;
  }

  // ---- connection ------------------------------------------------------------------------

  // The live server listens on the page's own origin, or on the port the page names (the
  // embedded `atiende run` serves HTTP and WebSockets on two ports; atiende/serving.py).
  function url() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var port = document.body.getAttribute("data-live-port");
    return scheme + "//" + (port ? location.hostname + ":" + port : location.host) + "/ws/";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      backoff = 1000;
      document.documentElement.removeAttribute("data-live-offline");
      send({ type: "hello", last_id: lastId });
      watching = null;
      syncWatch();
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      receive(message);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (STOP_CODES[event.code]) return;  // signed out or not staff: do not hammer the server
      document.documentElement.setAttribute("data-live-offline", "");
      var wait = Math.min(backoff, MAX_BACKOFF_MS) * (0.75 + Math.random() / 2);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      setTimeout(connect, wait);
    });
  }

  function receive(message) {
    var type = message.type;
    if (type === "welcome") {
      if (message.reset) lastId = null;
      remember(message.id);
      return;
    }
    if (type === "reload") {
      lastId = null;
      remember(message.id);
      missedUpdates();
      fire("reload", message);
      return;
    }
    if (type === "error") {
      if (window.console) console.warn("atiende realtime:", message.code);
      return;
    }
    if (message.id !== null && message.id !== undefined) {
      if (seen(message.id)) return;
      remember(message.id);
    }
    if (type === "presence") renderPresence(message);
    if (type === "notification") onNotification(message);
    fire(type, message);
  }

  function fire(type, detail) {
    document.dispatchEvent(new CustomEvent("atiende:" + type, { detail: detail }));
  }

  function missedUpdates() {
    var box = document.getElementById("toasts");
    if (!box || box.querySelector("[data-missed]")) return;
    var item = document.createElement("p");
    item.className = "toast toast-action";
    item.setAttribute("data-missed", "");
    item.textContent = t("missed", "Some live updates were missed.") + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary small";
    button.textContent = t("reload", "Reload");
    button.addEventListener("click", function () { location.reload(); });
    item.appendChild(button);
    box.appendChild(item);
  }

  // ---- presence --------------------------------------------------------------------------

  function currentTicket() {
    var main = document.querySelector("main[data-ticket-id]");
    if (!main) return null;
    var id = parseInt(main.getAttribute("data-ticket-id"), 10);
    return id > 0 ? id : null;
  }

  function syncWatch() {
    var ticket = currentTicket();
    if (ticket === null && watching === null) return;
    send({ type: "watch", ticket_id: ticket });
    if (ticket !== watching) clearPresence();
    watching = ticket;
  }

  function presenceBox() {
    var box = document.querySelector("[data-presence]");
    if (box) return box;
    var main = document.querySelector("main[data-ticket-id]");
    if (!main) return null;
    box = document.createElement("div");
    box.className = "presence-bar";
    box.setAttribute("data-presence", "");
    box.setAttribute("aria-live", "polite");
    main.insertBefore(box, main.firstChild);
    return box;
  }

  function names(list) {
    if (list.length <= 1) return list.join("");
    return list.slice(0, -1).join(", ") + t("and", " and ") + list[list.length - 1];
  }

  function sentence(people, one, many, fallbackOne, fallbackMany) {
    if (!people.length) return "";
    var template = people.length === 1 ? t(one, fallbackOne) : t(many, fallbackMany);
    return template.replace("{name}", names(people)).replace("{names}", names(people));
  }

  function clearPresence() {
    var box = document.querySelector("[data-presence]");
    if (box) { box.textContent = ""; box.hidden = true; }
  }

  function renderPresence(message) {
    if (message.ticket_id !== watching) return;
    var box = presenceBox();
    if (!box) return;
    var others = (message.viewers || []).filter(function (v) { return String(v.id) !== myId; });
    var typing = others.filter(function (v) { return v.typing; }).map(function (v) { return v.name; });
    var viewing = others.filter(function (v) { return !v.typing; }).map(function (v) { return v.name; });
    var parts = [
      sentence(typing, "typingOne", "typingMany", "{name} is typing…", "{names} are typing…"),
      sentence(viewing, "viewingOne", "viewingMany", "{name} is viewing", "{names} are viewing"),
    ].filter(Boolean);
    box.textContent = parts.join(" · ");
    box.hidden = parts.length === 0;
    // "Is typing" fades unless a newer report arrives.
    clearTimeout(presenceTimer);
    if (typing.length) {
      presenceTimer = setTimeout(function () {
        renderPresence({
          ticket_id: message.ticket_id,
          viewers: message.viewers.map(function (v) {
            return { id: v.id, name: v.name, typing: false };
          }),
        });
      }, TYPING_SHOWN_MS);
    }
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target || !target.matches) return;
    if (!target.matches("textarea[data-composer], [data-composer-form] textarea")) return;
    if (watching === null) return;
    var now = Date.now();
    if (now - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = now;
    send({ type: "typing", ticket_id: watching });
  });

  // ---- notifications and the bell ---------------------------------------------------------

  function preference(name) {
    try { return localStorage.getItem("atiende.pref." + name) === "1"; } catch (e) { return false; }
  }
  function setPreference(name, on) {
    try { localStorage.setItem("atiende.pref." + name, on ? "1" : "0"); } catch (e) { /* ignore */ }
  }

  function setCount(unread) {
    var wrap = document.querySelector("[data-bell-count-wrap]");
    var count = document.querySelector("[data-bell-count]");
    if (!wrap || !count || typeof unread !== "number") return;
    count.textContent = String(unread);
    wrap.hidden = unread === 0;
  }

  function ticketUrl(id) {
    var bell = document.querySelector("[data-bell]");
    var template = bell ? bell.getAttribute("data-ticket-url") : "/tickets/0/";
    return template.replace(/0\/?$/, id + "/");
  }

  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      var audio = new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.4);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
      tone.onended = function () { audio.close(); };
    } catch (e) { /* autoplay blocked: stay silent */ }
  }

  function onNotification(message) {
    setCount(message.unread);
    var panel = document.getElementById("bell-panel");
    if (panel && !panel.hidden) loadPanel();
    if (window.Atiende && window.Atiende.toast) window.Atiende.toast(message.text);
    if (preference("sound")) chime();
    if (preference("desktop") && "Notification" in window && Notification.permission === "granted"
        && document.hidden) {
      var shown = new Notification(message.text, {
        body: message.subject || "", tag: "atiende-" + message.notification_id,
      });
      shown.onclick = function () {
        window.focus();
        location.href = ticketUrl(message.ticket_id);
      };
    }
  }

  function loadPanel() {
    var bell = document.querySelector("[data-bell]");
    if (!bell || !window.htmx) return;
    window.htmx.ajax("GET", bell.getAttribute("data-panel-url"), {
      target: "#bell-panel", swap: "innerHTML",
    });
  }

  function togglePanel(open) {
    var button = document.querySelector("[data-bell-toggle]");
    var panel = document.getElementById("bell-panel");
    if (!button || !panel) return;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) loadPanel();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var toggle = target.closest && target.closest("[data-bell-toggle]");
    var panel = document.getElementById("bell-panel");
    if (toggle) {
      togglePanel(panel ? panel.hidden : false);
      return;
    }
    if (panel && !panel.hidden && !target.closest("[data-bell]")) togglePanel(false);
    var link = target.closest && target.closest("a[data-notification-read]");
    if (link) markRead(link.getAttribute("data-notification-read"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = document.getElementById("bell-panel");
    if (panel && !panel.hidden) {
      togglePanel(false);
      var button = document.querySelector("[data-bell-toggle]");
      if (button) button.focus();
    }
  });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  // Opening a notification's ticket marks it read; keepalive lets the request outlive the page.
  function markRead(path) {
    if (!path || !window.fetch) return;
    fetch(path, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).catch(function () { /* best effort */ });
  }

  // Sound and browser notifications: a per-device choice, asked for only on a click.
  function initPreferences() {
    var status = document.querySelector("[data-pref-status]");
    document.querySelectorAll("input[data-pref]").forEach(function (box) {
      var name = box.getAttribute("data-pref");
      box.checked = preference(name);
      if (name === "desktop" && !("Notification" in window)) {
        box.disabled = true;
        if (status) status.textContent = t("unsupported", "This browser cannot show notifications.");
      }
      box.addEventListener("change", function () {
        if (name !== "desktop" || !box.checked) {
          setPreference(name, box.checked);
          return;
        }
        Notification.requestPermission().then(function (answer) {
          var granted = answer === "granted";
          box.checked = granted;
          setPreference(name, granted);
          if (status) {
            status.textContent = granted
              ? t("granted", "Browser notifications are on.")
              : t("denied", "The browser blocked notifications; allow them in its site settings.");
          }
        });
      });
    });
  }

  // ---- start -----------------------------------------------------------------------------

  lastId = initialId();
  initPreferences();
  connect();
  heartbeat = setInterval(function () {
    if (currentTicket() !== null || watching !== null) syncWatch();
  }, HEARTBEAT_MS);
  // htmx may swap <main> (boosted links): follow the ticket being shown.
  document.addEventListener("htmx:afterSettle", function () {
    if (currentTicket() !== watching) syncWatch();
  });
  window.Atiende = window.Atiende || {};
  window.Atiende.live = { send: send, lastId: function () { return lastId; } };
})();
