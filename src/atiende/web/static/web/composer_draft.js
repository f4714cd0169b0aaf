// The composer's draft: what the agent types is saved on the server a moment after they stop
// (and when they leave the page), so it is there when they come back, on any device. The
// page renders the composer with the saved draft; this script only saves. Sending clears the
// draft on the server; a save still on its way from before the send is refused there (409).
(function () {
  "use strict";
  var DELAY = 1200; // ms after the last key before saving
  var timer = null;
  var lastSent = null;

  function formOf(el) { return el && el.closest ? el.closest("form[data-draft-url]") : null; }
  function currentForm() { return document.querySelector("form[data-draft-url]"); }

  function payload(form) {
    var data = new FormData();
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    var body = form.querySelector("textarea[data-composer]");
    var kind = form.querySelector('input[name="public"]:checked');
    var seen = form.querySelector('input[name="last_seen"]');
    data.append("csrfmiddlewaretoken", token ? token.value : "");
    data.append("body", body ? body.value : "");
    data.append("public", kind ? kind.value : "1");
    data.append("last_seen", seen ? seen.value : "");
    return data;
  }

  function status(form, text) {
    var line = form.querySelector("[data-draft-status]");
    if (line) line.textContent = text;
  }

  function save(form, leaving) {
    clearTimeout(timer);
    timer = null;
    if (!form) return;
    var data = payload(form);
    var key = data.get("public") + "\u0000" + data.get("body");
    if (key === lastSent) return;
    lastSent = key;
    fetch(form.getAttribute("data-draft-url"), {
      method: "POST", body: data, credentials: "same-origin", keepalive: !!leaving,
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (leaving) return;
      if (response.status === 204) status(form, form.getAttribute("data-draft-saved"));
      else if (response.status !== 409) {
        lastSent = null;
        status(form, form.getAttribute("data-draft-failed"));
      }
    }).catch(function () {
      lastSent = null;
      if (!leaving) status(form, form.getAttribute("data-draft-failed"));
    });
  }

  function later(form) {
    clearTimeout(timer);
    timer = setTimeout(function () { save(form, false); }, DELAY);
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("textarea[data-composer]")) return;
    var form = formOf(event.target);
    if (form) later(form);
  });
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches('input[name="public"]')) return;
    var form = formOf(event.target);
    if (form) later(form);
  });
  // Sending: nothing pending may be saved after the message went.
  document.addEventListener("submit", function (event) {
    if (formOf(event.target) === event.target) { clearTimeout(timer); timer = null; lastSent = null; }
  }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-draft-url]")) { clearTimeout(timer); timer = null; }
  });
  // Leaving the page (or the tab going to the background on a phone) saves what is pending.
  function flush() { if (timer) save(currentForm(), true); }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);
})();
