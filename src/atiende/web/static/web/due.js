// SLA due badges (web/due.py draws them): every 30 s, recount each badge's relative time from
// its data-due and flip its colour when it crosses into due soon or breached, without reload.
(function () {
  "use strict";
  var texts = null;

  function words() {
    if (texts === null) {
      var node = document.getElementById("due-texts");
      texts = node ? JSON.parse(node.textContent) : {};
    }
    return texts;
  }

  function fill(template, key, value) {
    return String(template || "").replace("%(" + key + ")s", value).replace("%(" + key + ")d", value);
  }

  function duration(seconds) {
    var t = words();
    var minutes = Math.max(1, Math.floor(Math.abs(seconds) / 60));
    if (minutes < 60) return fill(t.min, "n", minutes);
    if (minutes < 48 * 60) return fill(t.h, "n", Math.floor(minutes / 60));
    return fill(t.d, "n", Math.floor(minutes / (24 * 60)));
  }

  function update(badge, now) {
    var due = Date.parse(badge.getAttribute("data-due"));
    if (isNaN(due)) return;
    var soon = parseInt(badge.getAttribute("data-soon") || "3600", 10);
    var left = (due - now) / 1000;
    var state = left <= 0 ? "breached" : left <= soon ? "soon" : "running";
    var text = fill(words()[state], "time", duration(left));
    var time = badge.querySelector("time");
    if (time && text && time.textContent !== text) time.textContent = text;
    ["breached", "soon", "running"].forEach(function (name) {
      badge.classList.toggle("sla-" + name, name === state);
    });
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla-due[data-due]").forEach(function (badge) {
      update(badge, now);
    });
  }

  document.addEventListener("htmx:afterSwap", tick);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", tick);
  else tick();
  setInterval(tick, 30000);
})();
