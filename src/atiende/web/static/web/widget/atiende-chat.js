/* Atiende live chat widget. Plain JS, no framework, no build step.
 *
 * Embed:  <script src="https://desk.example.com/static/web/widget/atiende-chat.js"
 *                 data-widget="PUBLIC_ID" async></script>
 * Theme:  set CSS custom properties on the page, e.g. :root { --atiende-chat-accent: #0a7; }
 *         (--atiende-chat-accent, --atiende-chat-text, --atiende-chat-bg, --atiende-chat-radius,
 *         --atiende-chat-font, --atiende-chat-z).
 * Protocol: docs/admin/chat.md. The visitor's token lives in localStorage of the embedding site.
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-widget][src*='atiende-chat']");
  if (!script || !window.WebSocket || window.__atiendeChat) return;
  window.__atiendeChat = true;
  var widgetId = script.getAttribute("data-widget");
  var base = new URL(script.src, location.href).origin;
  var KEY = "atiende-chat:" + widgetId;
  var MAX_BACKOFF = 30000;

  var T = {
    es: {
      open: "Abrir el chat", close: "Cerrar el chat", title: "Chat", send: "Enviar",
      placeholder: "Escribe tu mensaje…", attach: "Adjuntar un archivo", start: "Empezar",
      name: "Nombre", email: "Correo electrónico", phone: "Teléfono", required: "obligatorio",
      typing: "{name} está escribiendo…", agent: "Agente", you: "Tú",
      offline: "Ahora no hay nadie disponible. Deja tu mensaje y te responderemos por correo.",
      askEmail: "¿A qué correo te respondemos?", save: "Guardar",
      saved: "Gracias, te responderemos por correo.", reconnecting: "Reconectando…",
      slow: "Vas muy rápido; espera un momento.", failed: "No se envió", retry: "Reintentar",
      tooBig: "El archivo es demasiado grande.", ended: "El chat terminó.",
      newMessage: "Nuevo mensaje", file: "Archivo", bot: "Asistente",
      articles: "Artículos sugeridos", choices: "Respuestas rápidas", newTab: "(se abre en otra pestaña)",
      files: "Archivos adjuntos",
    },
    en: {
      open: "Open the chat", close: "Close the chat", title: "Chat", send: "Send",
      placeholder: "Type your message…", attach: "Attach a file", start: "Start",
      name: "Name", email: "Email", phone: "Phone", required: "required",
      typing: "{name} is typing…", agent: "Agent", you: "You",
      offline: "Nobody is available right now. Leave your message and we will answer by email.",
      askEmail: "Which email should we answer to?", save: "Save",
      saved: "Thank you, we will answer by email.", reconnecting: "Reconnecting…",
      slow: "You are going too fast; wait a moment.", failed: "Not sent", retry: "Retry",
      tooBig: "The file is too large.", ended: "The chat has ended.",
      newMessage: "New message", file: "File", bot: "Assistant",
      articles: "Suggested articles", choices: "Quick replies", newTab: "(opens in a new tab)",
      files: "Attached files",
    },
  };
  var lang = "es";
  function t(key) { return (T[lang] || T.es)[key] || key; }

  var CSS = [
    ":host{all:initial;--a:var(--atiende-chat-accent,var(--atiende-chat-default-accent,#1f5fbf));--fg:var(--atiende-chat-text,#1b1f24);",
    "--bg:var(--atiende-chat-bg,#fff);--r:var(--atiende-chat-radius,12px);",
    "font:15px/1.4 var(--atiende-chat-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);",
    "position:fixed;right:16px;bottom:16px;z-index:var(--atiende-chat-z,2147483000);color:var(--fg)}",
    "*{box-sizing:border-box;font:inherit}",
    ".launch{width:56px;height:56px;border-radius:50%;border:0;background:var(--a);color:#fff;",
    "cursor:pointer;box-shadow:0 4px 14px #0003;display:grid;place-items:center;position:relative}",
    ".launch svg{width:26px;height:26px;fill:currentColor}",
    ".badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;",
    "background:#c62828;color:#fff;font-size:12px;display:grid;place-items:center;padding:0 5px}",
    ".panel{position:absolute;right:0;bottom:68px;width:360px;height:520px;max-height:calc(100vh - 100px);",
    "background:var(--bg);border-radius:var(--r);box-shadow:0 8px 30px #0004;display:flex;",
    "flex-direction:column;overflow:hidden}",
    ".panel[hidden],[hidden]{display:none!important}",
    "header{background:var(--a);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    "header h2{margin:0;font-size:16px;font-weight:600;flex:1}",
    "button{cursor:pointer}",
    ".x{background:none;border:0;color:#fff;font-size:22px;line-height:1;padding:4px 8px;border-radius:6px}",
    ":focus-visible{outline:3px solid #ffbf47;outline-offset:1px}",
    ".note{padding:8px 14px;background:#fff8e1;color:#5d4300;font-size:13px;border-bottom:1px solid #0001}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px;margin:0;list-style:none}",
    ".m{max-width:82%;padding:8px 11px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word}",
    ".m small{display:block;font-size:11px;opacity:.75;margin-bottom:2px}",
    ".agent{align-self:flex-start;background:#eef1f5}",
    ".visitor{align-self:flex-end;background:var(--a);color:#fff}",
    ".bot{border-left:3px solid var(--a)}.arts ul,.files{margin:4px 0 0;padding-left:18px}.arts a,.files a{color:inherit}",
    ".qr{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 8px}.qr button{border:1px solid var(--a);",
    "background:var(--bg);color:var(--fg);border-radius:16px;padding:6px 12px}",
    ".failed{opacity:.7;border:1px dashed #c62828}",
    ".failed button{margin-left:6px;font-size:12px}",
    ".typing{padding:0 14px 6px;font-size:12px;min-height:18px;color:#555}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #0001;align-items:flex-end}",
    "textarea{flex:1;resize:none;border:1px solid #8a94a0;border-radius:8px;padding:8px;min-height:40px;",
    "max-height:120px;color:var(--fg);background:var(--bg)}",
    ".send{background:var(--a);color:#fff;border:0;border-radius:8px;padding:9px 12px}",
    ".clip{background:none;border:1px solid #8a94a0;border-radius:8px;padding:8px 10px;color:var(--fg)}",
    ".pre{padding:14px;display:flex;flex-direction:column;gap:10px;overflow-y:auto;flex:1}",
    ".pre label{display:flex;flex-direction:column;gap:4px;font-size:14px}",
    ".pre input,.ask input{border:1px solid #8a94a0;border-radius:8px;padding:8px;color:var(--fg)}",
    ".ask{display:flex;gap:6px;padding:8px 10px;flex-wrap:wrap;align-items:center;font-size:13px}",
    ".err{color:#b00020;font-size:13px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){:host{right:8px;bottom:8px}.panel{position:fixed;inset:0;width:auto;",
    "height:auto;max-height:none;border-radius:0}.panel:not([hidden])~.launch{display:none}}",
  ].join("");

  // ---- state -------------------------------------------------------------------------------
  var stored = {};
  try { stored = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { stored = {}; }
  var conf = null, socket = null, backoff = 1000, greeted = false, lastId = stored.last || null;
  var seenIds = {}, pending = {}, unread = 0, typingTimer = null, lastTyping = 0, needEmail = false;
  var missing = [], emailKnown = false;

  function save() {
    stored.last = lastId;
    try { localStorage.setItem(KEY, JSON.stringify(stored)); }
    catch (e) { /* storage blocked: the chat lasts as long as the page */ }
  }

  // ---- DOM ---------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text) node.textContent = text;
    return node;
  }
  var host = el("div", { "data-atiende-chat": "" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var launch, badge, panel, heading, note, log, typingLine, form, box, clip, fileInput, pre, ask, live, qr;

  function style() {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);   // not an inline <style>: fits a page's strict style-src
      root.adoptedStyleSheets = [sheet];
    } catch (e) { root.appendChild(el("style", {}, CSS)); }
  }

  function build() {
    style();
    launch = el("button", { class: "launch", type: "button", "aria-expanded": "false",
      "aria-controls": "atiende-chat-panel", "aria-label": t("open") });
    launch.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16v12H7l-3 3z"/></svg>';
    badge = el("span", { class: "badge", hidden: "" });
    launch.appendChild(badge);
    panel = el("section", { class: "panel", id: "atiende-chat-panel", role: "dialog",
      "aria-labelledby": "atiende-chat-title", hidden: "" });
    var head = el("header");
    heading = el("h2", { id: "atiende-chat-title" }, (conf && conf.title) || t("title"));
    var x = el("button", { class: "x", type: "button", "aria-label": t("close") }, "×");
    head.appendChild(heading); head.appendChild(x);
    note = el("p", { class: "note", hidden: "" });
    log = el("ol", { class: "log", "aria-label": t("title") });
    live = el("div", { class: "sr", "aria-live": "polite" });
    typingLine = el("div", { class: "typing", "aria-live": "polite" });
    qr = el("div", { class: "qr", role: "group", "aria-label": t("choices"), hidden: "" });
    ask = el("form", { class: "ask", hidden: "" });
    pre = el("form", { class: "pre", hidden: "", novalidate: "" });
    form = el("form", { class: "compose" });
    box = el("textarea", { rows: "1", "aria-label": t("placeholder"), placeholder: t("placeholder"),
      maxlength: "4000" });
    clip = el("button", { class: "clip", type: "button", "aria-label": t("attach"), title: t("attach") }, "📎");
    fileInput = el("input", { type: "file", hidden: "", tabindex: "-1" });
    var sendButton = el("button", { class: "send", type: "submit" }, t("send"));
    form.appendChild(clip); form.appendChild(fileInput); form.appendChild(box);
    form.appendChild(sendButton);
    [head, note, log, qr, typingLine, ask, pre, form, live].forEach(function (n) { panel.appendChild(n); });
    root.appendChild(panel); root.appendChild(launch);
    document.body.appendChild(host);

    launch.addEventListener("click", function () { toggle(panel.hidden); });
    x.addEventListener("click", function () { toggle(false); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
    form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
    });
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2500) { lastTyping = now; send({ type: "typing" }); }
    });
    clip.addEventListener("click", function () { fileInput.click(); });
    fileInput.addEventListener("change", function () {
      if (fileInput.files && fileInput.files[0]) upload(fileInput.files[0]);
      fileInput.value = "";
    });
  }

  function toggle(open) {
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", open ? "true" : "false");
    launch.setAttribute("aria-label", open ? t("close") : t("open"));
    if (open) {
      unread = 0; badge.hidden = true;
      if (!socket) connect();
      var first = pre.hidden ? box : pre.querySelector("input");
      (first || box).focus();
    } else {
      launch.focus();
    }
  }

  // ---- messages ----------------------------------------------------------------------------
  function show(m) {
    if (m.id && seenIds[m.id]) return;
    if (m.id) seenIds[m.id] = true;
    var who = m.from === "visitor" ? t("you") : m.from === "bot" ? t("bot") : (m.name || t("agent"));
    var item = el("li", { class: "m " + (m.from === "visitor" ? "visitor" : m.from === "bot" ? "agent bot" : "agent") });
    item.appendChild(el("small", {}, who));
    item.appendChild(document.createTextNode(m.text || ""));
    attach(item, m.files);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (m.from !== "visitor") {
      live.textContent = who + ": " + (m.text || "");
      typingLine.textContent = "";
      if (panel.hidden) { unread += 1; badge.textContent = String(unread); badge.hidden = false; }
    }
    if (m.id && (!lastId || m.id > lastId)) { lastId = m.id; save(); }
    return item;
  }

  // ---- files: name and size, a link (signed for this chat) once the message is written ---------
  function size(n) {
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (n >= 1024 && i < 3) { n /= 1024; i += 1; }
    return n.toLocaleString(lang, { maximumFractionDigits: i ? 1 : 0 }) + " " + units[i];
  }

  function attach(item, files) {
    if (!files || !files.length) return;
    var list = el("ul", { class: "files", "aria-label": t("files") });
    files.forEach(function (f) {
      var line = el("li"), href = f.url && safeUrl(f.url, base);
      var label = (f.name || t("file")) + (typeof f.size === "number" ? " (" + size(f.size) + ")" : "");
      if (href) {
        var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, label);
        link.appendChild(el("span", { class: "sr" }, " " + t("newTab")));
        line.appendChild(link);
      } else { line.textContent = label; }
      list.appendChild(line);
    });
    if (item._files) item.replaceChild(list, item._files); else item.appendChild(list);
    item._files = list;
  }

  // ---- the bot: its articles as links, its quick replies as buttons ----------------------------
  function safeUrl(raw, from) {
    try { var u = new URL(raw, from); } catch (e) { return null; }
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  }

  function articles(list) {
    var links = el("ul");
    (list || []).forEach(function (a) {
      var href = safeUrl(a.url);
      if (!href) return;
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, a.title || href);
      link.appendChild(el("span", { class: "sr" }, " " + t("newTab")));
      var line = el("li");
      line.appendChild(link);
      links.appendChild(line);
    });
    if (!links.children.length) return;
    var item = el("li", { class: "m agent bot arts" });
    item.appendChild(el("small", {}, t("articles")));
    item.appendChild(links);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function choices(list) {
    qr.innerHTML = "";
    (list || []).forEach(function (c) {
      var b = el("button", { type: "button", "data-code": c.code }, c.label);
      b.addEventListener("click", function () {
        choices([]);
        box.focus();
        post({ type: "message", client_id: clientId(), text: c.label, quick_reply: c.code });
      });
      qr.appendChild(b);
    });
    qr.hidden = !qr.children.length;
  }

  function clientId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function submit() {
    var text = box.value.trim();
    if (!text) return;
    box.value = "";
    choices([]);
    post({ type: "message", client_id: clientId(), text: text });
  }

  function post(frame) {
    var shown = pending[frame.client_id] ||
      show({ from: "visitor", text: frame.text || t("file"), files: frame.files });
    shown.className = "m visitor";
    pending[frame.client_id] = shown;
    shown._frame = frame;
    send({ type: "message", client_id: frame.client_id, text: frame.text,
      attachment_ids: frame.attachment_ids, quick_reply: frame.quick_reply });
  }

  function failed(frame, text) {
    var item = pending[frame.client_id];
    if (!item) return;
    item.className = "m visitor failed";
    if (!item.querySelector("button")) {
      var again = el("button", { type: "button" }, t("retry"));
      again.addEventListener("click", function () { again.remove(); post(item._frame); });
      item.appendChild(el("span", { class: "err" }, " " + (text || t("failed"))));
      item.appendChild(again);
    }
  }

  function upload(file) {
    if (conf && file.size > conf.max_upload) { notice(t("tooBig")); return; }
    var data = new FormData();
    data.append("file", file);
    fetch(conf.upload_url, { method: "POST", body: data, credentials: "omit",
      headers: { "X-Chat-Token": stored.token || "" } })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (!res[0]) { notice(res[1].detail || t("failed")); return; }
        post({ type: "message", client_id: clientId(), text: "", attachment_ids: [res[1].id],
          files: [{ name: res[1].name, size: res[1].size }] });
      })
      .catch(function () { notice(t("failed")); });
  }

  function notice(text) { note.textContent = text; note.hidden = !text; }

  // ---- pre-chat form and email ---------------------------------------------------------------
  function prechat() {
    pre.innerHTML = "";
    (conf.prechat_fields || []).forEach(function (f) {
      var label = el("label", {}, (f.label || t(f.key)) + (f.required ? " (" + t("required") + ")" : ""));
      var input = el("input", { name: f.key, type: f.key === "email" ? "email" : f.key === "phone" ? "tel" : "text",
        autocomplete: f.key === "email" ? "email" : f.key === "name" ? "name" : "off" });
      if (f.required) input.setAttribute("required", "");
      label.appendChild(input);
      pre.appendChild(label);
    });
    var go = el("button", { class: "send", type: "submit" }, t("start"));
    pre.appendChild(go);
    pre.hidden = false; form.hidden = true;
    pre.onsubmit = function (e) {
      e.preventDefault();
      var answers = {};
      pre.querySelectorAll("input").forEach(function (i) { answers[i.name] = i.value.trim(); });
      send({ type: "start", fields: answers });
    };
  }

  function askEmail() {
    if (!needEmail || !ask.hidden) return;
    ask.innerHTML = "";
    var label = el("label", {}, t("askEmail"));
    var input = el("input", { type: "email", name: "email", autocomplete: "email", required: "" });
    label.appendChild(input);
    ask.appendChild(label);
    ask.appendChild(el("button", { class: "send", type: "submit" }, t("save")));
    ask.hidden = false;
    ask.onsubmit = function (e) {
      e.preventDefault();
      if (input.value.trim()) send({ type: "contact", email: input.value.trim() });
    };
  }

  // ---- socket --------------------------------------------------------------------------------
  function send(frame) {
    if (socket && socket.readyState === 1 && (greeted || frame.type === "hello")) {
      socket.send(JSON.stringify(frame));
    }
  }

  function connect() {
    socket = new WebSocket(conf.socket_url);
    socket.onopen = function () {
      send({ type: "hello", token: stored.token || null, last_id: lastId,
        page_url: location.href, referrer: document.referrer, language: lang });
    };
    socket.onmessage = function (e) {
      var f; try { f = JSON.parse(e.data); } catch (x) { return; }
      receive(f);
    };
    socket.onclose = function (e) {
      socket = null; greeted = false;
      if (e.code === 4403 || e.code === 4404) return;
      notice(t("reconnecting"));
      var wait = Math.min(backoff, MAX_BACKOFF) * (0.75 + Math.random() / 2);
      backoff = Math.min(backoff * 2, MAX_BACKOFF);
      setTimeout(connect, wait);
    };
  }

  function receive(f) {
    if (f.type === "welcome") {
      greeted = true; backoff = 1000; notice("");
      if (stored.token !== f.token) { stored.token = f.token; lastId = null; save(); }
      (f.messages || []).forEach(show);
      missing = f.missing || [];
      emailKnown = f.email_known;
      choices(f.quick_replies);
      // While the bot answers, nobody being online is told when it hands over (the ``bot`` frame).
      var waiting = !f.agents_available && f.handled_by !== "bot";
      needEmail = waiting && !f.email_known;
      if (waiting) notice(t("offline"));
      var formDue = !f.started && (missing.length || (!stored.asked && (conf.prechat_fields || []).length));
      if (formDue) prechat(); else { pre.hidden = true; form.hidden = false; }
      for (var id in pending) if (pending[id].className.indexOf("failed") === -1) post(pending[id]._frame);
    } else if (f.type === "messages") {
      (f.messages || []).forEach(show);
    } else if (f.type === "bot") {
      articles(f.articles);
      choices(f.quick_replies);
      if (f.handed_over && !f.agents_available) {
        notice(t("offline")); needEmail = !emailKnown; askEmail();
      }
    } else if (f.type === "ack") {
      var item = pending[f.client_id];
      if (item) {
        delete pending[f.client_id];
        if (seenIds[f.id]) item.remove(); else { seenIds[f.id] = true; attach(item, f.files); }
      }
      if (!lastId || f.id > lastId) { lastId = f.id; save(); }
      askEmail();
    } else if (f.type === "refused") {
      failed({ client_id: f.client_id }, f.code === "slow_down" ? t("slow") : f.detail);
    } else if (f.type === "slow_down") {
      notice(t("slow"));
    } else if (f.type === "typing") {
      typingLine.textContent = t("typing").replace("{name}", f.name || t("agent"));
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 6000);
    } else if (f.type === "started") {
      stored.asked = true; save();
      pre.hidden = true; form.hidden = false; box.focus();
    } else if (f.type === "contact_saved") {
      ask.hidden = true; needEmail = false; emailKnown = true; notice(t("saved"));
    } else if (f.type === "ended") {
      notice(t("ended"));
    } else if (f.type === "error" && f.field) {
      var input = pre.querySelector("[name='" + f.field + "']") || ask.querySelector("input");
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      notice(f.detail || "");
    }
  }

  // Keep the visitor "reading along" while the page is open (no reply mail meanwhile).
  setInterval(function () { send({ type: "ping" }); }, 25000);

  // ---- start ---------------------------------------------------------------------------------
  fetch(base + "/chat/" + encodeURIComponent(widgetId) + "/config/", { credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (c) {
      conf = c;
      var wanted = c.language || (navigator.language || "es").slice(0, 2).toLowerCase();
      lang = T[wanted] ? wanted : "es";
      // The widget's colour, unless the page themes it (--atiende-chat-accent wins).
      if (c.accent_color) host.style.setProperty("--atiende-chat-default-accent", c.accent_color);
      var start = function () {
        build();
        if (stored.token) connect();  // a chat in progress: its messages, at once
      };
      if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
    })
    .catch(function () { /* unknown widget or origin not allowed: show nothing */ });
  window.AtiendeChat = { open: function () { if (panel) toggle(true); } };
})();
