// The live inbox: a row whose ticket changed elsewhere (status, priority, assignee, subject…)
// is drawn again from the server through the page's own view and columns, keeping its
// checkbox and the keyboard focus; a ticket that left the view or the agent's sight loses its
// row. The counts in the sidebar and the "new tickets" bar follow their own triggers.
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;
  var timers = {};

  function rowsBody() { return document.getElementById("inbox-rows"); }

  function redraw(id) {
    var body = rowsBody();
    if (!body || !document.getElementById("ticket-row-" + id)) return;
    var url = body.getAttribute("data-row-url").replace(/\/0\/\?/, "/" + id + "/?");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error(String(answer.status));
        return answer.text();
      })
      .then(function (html) { swap(id, html); })
      .catch(function () { /* the next event or the minute's refresh will catch up */ });
  }

  function swap(id, html) {
    var current = document.getElementById("ticket-row-" + id);
    if (!current) return;
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var fresh = holder.querySelector("tr");
    var active = document.activeElement;
    var focused = current.contains(active) ? focusKey(active) : null;
    var box = current.querySelector('input[name="ids"]');
    if (!fresh) {
      if (focused) {
        var next = current.nextElementSibling || current.previousElementSibling;
        var link = next && next.querySelector("a, input");
        if (link) link.focus();
      }
      current.remove();
      changed();
      return;
    }
    var freshBox = fresh.querySelector('input[name="ids"]');
    if (box && freshBox) freshBox.checked = box.checked;
    current.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    if (focused) {
      var again = fresh.querySelector(focused);
      if (again) again.focus();
    }
    changed();
  }

  // A selector finding the same control in the new row: the checkbox or the n-th link.
  function focusKey(element) {
    if (element.matches('input[name="ids"]')) return 'input[name="ids"]';
    if (element.matches("a[href]")) return 'a[href="' + element.getAttribute("href") + '"]';
    return null;
  }

  // inbox.js recounts the selection and its highlight when a checkbox changes.
  function changed() {
    var any = document.querySelector('#inbox-rows input[name="ids"]');
    if (any) any.dispatchEvent(new Event("change", { bubbles: true }));
  }

  ["atiende:ticket.updated", "atiende:message.added"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var id = event.detail && event.detail.ticket_id;
      if (typeof id !== "number") return;
      clearTimeout(timers[id]);
      timers[id] = setTimeout(function () { delete timers[id]; redraw(id); }, DEBOUNCE_MS);
    });
  });
})();
