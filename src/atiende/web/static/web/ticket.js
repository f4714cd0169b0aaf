// The ticket page and the new-ticket page: live refresh, composer helpers (canned responses,
// @mentions, dropped files) and picking a requester. Everything else is htmx.
(function () {
  "use strict";
  var root = document.querySelector("main[data-ticket-id]");

  // Refresh parts of the page when this ticket changes here or elsewhere. An open field form
  // (or one being fetched) keeps the header as it is: saving it runs the stale-version check.
  // ``from`` is the part that has just answered with fresh content; it is not fetched again.
  // The header's answer brings the field panel along (out of band): the two are one part.
  // ``version`` is the ticket's version a live event announces: a header already showing it
  // (the agent's own change, answered moments ago) is not fetched again — that late refresh
  // replaced the field panel under an agent who had opened a field or had the focus there.
  function refresh(from, version) {
    if (!window.htmx) return;
    ["ticket-header", "timeline", "time-panel"].forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      var header = id === "ticket-header";
      if (header && version && Number(el.getAttribute("data-version")) >= version) return;
      var part = header ? [el, document.getElementById("ticket-fields")] : [el];
      part = part.filter(Boolean);
      if (from && part.some(function (p) { return p === from || p.contains(from); })) return;
      if (part.some(function (p) { return p.querySelector("[data-field-form]"); })) return;
      // A field form on its way (its edit button is asking) would land in a replaced header.
      if (part.some(function (p) { return p.querySelector(".htmx-request"); })) return;
      htmx.trigger(el, "refresh");
    });
  }
  // A refresh that was asked for before the agent opened a field must not close it on
  // arrival (the field's own answer is fresh; saving checks the version).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var cause = config && config.triggeringEvent;
    var target = event.detail.target;
    if (!cause || cause.type !== "refresh" || !target || target.id !== "ticket-header") return;
    var fields = document.getElementById("ticket-fields");
    var editing = [target, fields].some(function (p) {
      return p && (p.querySelector("[data-field-form]") || p.querySelector("dd .htmx-request"));
    });
    if (editing) event.detail.shouldSwap = false;
  });
  if (root) {
    var ticketId = root.getAttribute("data-ticket-id");
    // A message may change what the header shows without a new version (a reply keeps it).
    ["atiende:message.added", "atiende:ticket.updated", "atiende:message.delivery"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        var detail = event.detail;
        if (!detail || String(detail.ticket_id) !== ticketId) return;
        refresh(null, name === "atiende:ticket.updated" ? Number(detail.version) || 0 : 0);
      });
    });
    document.body.addEventListener("ticket-changed", function (event) { refresh(event.target, 0); });
  }

  function composerText() { return document.querySelector("textarea[data-composer]"); }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0, end = textarea.selectionEnd || 0;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function chip(listId, name, value, label) {
    var list = document.getElementById(listId);
    if (!list || list.querySelector('input[name="' + name + '"][value="' + value + '"]')) return;
    var item = document.createElement("li");
    item.className = "chip";
    var input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    var text = document.createElement("span");
    text.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove";
    remove.setAttribute("data-remove-chip", "");
    remove.setAttribute("aria-label", (list.getAttribute("data-remove-label") || "×") + " " + label);
    remove.textContent = "×";
    item.append(input, text, " ", remove);
    list.appendChild(item);
  }

  // Reply / note switch: notes look like notes while being written.
  document.addEventListener("change", function (event) {
    var radio = event.target.closest('.composer input[name="public"]');
    if (!radio) return;
    var composer = radio.closest(".composer");
    composer.classList.toggle("composer-note", radio.value === "0" && radio.checked);
    var textarea = composerText();
    if (textarea) textarea.focus();
  });

  // Formatting buttons wrap the selection in the marks the server understands.
  function format(kind) {
    var textarea = composerText();
    if (!textarea) return;
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var text = textarea.value, chosen = text.slice(start, end);
    var replaced;
    if (kind === "bold" || kind === "italic") {
      var mark = kind === "bold" ? "**" : "*";
      replaced = mark + (chosen || "") + mark;
    } else {
      var lines = (chosen || "").split("\n");
      replaced = lines.map(function (line, i) {
        return (kind === "list" ? "- " : (i + 1) + ". ") + line;
      }).join("\n");
      if (start > 0 && text.charAt(start - 1) !== "\n") replaced = "\n" + replaced;
    }
    textarea.value = text.slice(0, start) + replaced + text.slice(end);
    var caret = chosen ? start + replaced.length : start + replaced.length - (kind === "bold" ? 2 : kind === "italic" ? 1 : 0);
    textarea.selectionStart = textarea.selectionEnd = caret;
    textarea.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var formatter = target.closest("[data-format]");
    if (formatter) { format(formatter.getAttribute("data-format")); return; }
    var insert = target.closest("[data-insert-text]");
    if (insert) {
      // A suggested article, as a link or as its text, at the composer's cursor.
      var composer = composerText();
      if (composer) insertAtCursor(composer, insert.getAttribute("data-insert-text"));
      return;
    }
    var canned = target.closest("[data-canned-url]");
    if (canned) {
      // Applying a macro changes the ticket (its actions) and returns its text: a POST.
      var headers = {};
      try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { headers = {}; }
      fetch(canned.getAttribute("data-canned-url"), { method: "POST", credentials: "same-origin", headers: headers })
        .then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.text(); })
        .then(function (text) {
          var textarea = composerText();
          if (textarea && text) insertAtCursor(textarea, text);
          document.body.dispatchEvent(new CustomEvent("ticket-changed", { bubbles: true }));
          var details = canned.closest("details");
          if (details) details.open = false;
        })
        .catch(function () { if (window.Atiende) Atiende.toast(canned.textContent + " ✗"); });
      return;
    }
    var mention = target.closest("[data-mention-id]");
    if (mention) {
      var textarea = composerText();
      var name = mention.getAttribute("data-mention-name");
      if (textarea) {
        var before = textarea.value.slice(0, textarea.selectionStart).replace(/@[^\s@]*$/, "");
        var after = textarea.value.slice(textarea.selectionStart);
        textarea.value = before + "@" + name + " " + after;
        textarea.selectionStart = textarea.selectionEnd = before.length + name.length + 2;
        textarea.focus();
      }
      chip("composer-mentions", "mentions", mention.getAttribute("data-mention-id"), "@" + name);
      document.getElementById("mention-suggestions").hidden = true;
      return;
    }
    var remove = target.closest("[data-remove-chip]");
    if (remove) { remove.closest("li").remove(); return; }
    var pick = target.closest("[data-pick-requester]");
    if (pick) {
      document.getElementById("id_requester_id").value = pick.getAttribute("data-id");
      var chosen = document.getElementById("requester-chosen");
      chosen.querySelector("[data-requester-label]").textContent = pick.getAttribute("data-label");
      chosen.hidden = false;
      document.querySelector("[data-requester-search]").hidden = true;
      document.getElementById("requester-suggestions").innerHTML = "";
      chosen.querySelector("button").focus();
      return;
    }
    if (target.closest("[data-clear-requester]")) {
      document.getElementById("id_requester_id").value = "";
      document.getElementById("requester-chosen").hidden = true;
      document.querySelector("[data-requester-search]").hidden = false;
      document.getElementById("id_requester_email").focus();
    }
  });

  // Escape leaves an open field form without saving.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest("[data-field-form]");
    if (!form) return;
    var cancel = form.querySelector("[data-cancel]");
    // A form focused by another swap's settling may not be wired by htmx yet: wire it first,
    // or the click does nothing and the form stays open.
    if (cancel && window.htmx) htmx.process(form);
    if (cancel) cancel.click();
  });

  // @mentions: suggestions of agents who can see the ticket, in internal notes only.
  var mentionTimer = null;
  document.addEventListener("input", function (event) {
    var textarea = event.target.closest("textarea[data-composer]");
    if (!textarea) return;
    var form = textarea.closest("[data-composer-form]");
    var list = document.getElementById("mention-suggestions");
    var note = form.querySelector('input[name="public"][value="0"]');
    var match = textarea.value.slice(0, textarea.selectionStart).match(/(?:^|\s)@([^\s@]{0,30})$/);
    if (!note || !note.checked || !match) { list.hidden = true; return; }
    clearTimeout(mentionTimer);
    mentionTimer = setTimeout(function () {
      var url = form.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(match[1]);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { list.innerHTML = html; list.hidden = false; });
    }, 200);
  });

  // Dropped files go through the file input, which uploads on change.
  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-composer-form]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-composer-form]");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-composer-form]");
    if (!zone || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector('input[type="file"]');
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Once uploaded, the files are held by id: clear the input so sending does not upload again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "composer-file" && event.detail.successful) elt.value = "";
  });
})();
