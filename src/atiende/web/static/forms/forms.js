/* Ticket forms: conditional fields, article suggestions while typing, and the frame's height.
 *
 * Conditions mirror intake.definitions.shown (the server stays the authority): in order, a
 * field with data-condition {"field": key, "values": [...]} shows when that field shows and its
 * value is one of the values (any chosen one for a multi-select; "true"/"false" for a
 * checkbox). A hidden field's inputs are disabled, so they are not sent.
 */
(function () {
  "use strict";

  function fieldValue(wrapper) {
    var inputs = wrapper.querySelectorAll("input, select, textarea");
    var values = [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.disabled) continue;
      if (input.type === "checkbox") {
        if (wrapper.querySelectorAll('input[type="checkbox"]').length === 1 && input.value === "true") {
          values.push(input.checked ? "true" : "false");
        } else if (input.checked) {
          values.push(input.value);
        }
      } else if (input.type !== "file" && input.value !== "") {
        values.push(input.value);
      }
    }
    return values;
  }

  function applyConditions(form) {
    var wrappers = form.querySelectorAll("[data-field]");
    var shown = {};
    var byKey = {};
    for (var i = 0; i < wrappers.length; i++) {
      var wrapper = wrappers[i];
      var key = wrapper.getAttribute("data-field");
      byKey[key] = wrapper;
      var raw = wrapper.getAttribute("data-condition");
      var visible = true;
      if (raw) {
        var condition = JSON.parse(raw);
        var parent = byKey[condition.field];
        visible = false;
        if (parent && shown[condition.field]) {
          var chosen = fieldValue(parent);
          visible = chosen.some(function (v) { return condition.values.indexOf(v) !== -1; });
        }
      }
      shown[key] = visible;
      wrapper.hidden = !visible;
      var inputs = wrapper.querySelectorAll("input, select, textarea");
      for (var j = 0; j < inputs.length; j++) inputs[j].disabled = !visible;
    }
    reportHeight();
  }

  // --- the frame's height, posted to the embedding page's origin only -----------------------
  function reportHeight() {
    var origin = document.body && document.body.getAttribute("data-parent-origin");
    if (!origin || window.parent === window) return;
    var height = document.documentElement.scrollHeight;
    window.parent.postMessage({ type: "atiende:form-height", height: height }, origin);
  }

  // --- suggestions while typing ------------------------------------------------------------
  function setUpSuggestions(form) {
    var box = form.querySelector("[data-suggest-url]");
    if (!box) return;
    var results = box.querySelector("[data-suggest-results]");
    var url = box.getAttribute("data-suggest-url");
    var openedUrl = box.getAttribute("data-suggest-opened-url");
    var lang = document.documentElement.lang || "";
    var timer = null;
    var gone = false;
    var last = "";

    function query() {
      var parts = [];
      var sources = form.querySelectorAll("[data-suggest-source]");
      for (var i = 0; i < sources.length; i++) if (!sources[i].disabled) parts.push(sources[i].value);
      return parts.join(" ").trim();
    }

    function ask() {
      var q = query();
      if (gone || q === last) return;
      last = q;
      if (q.length < 3) { box.hidden = true; results.innerHTML = ""; return; }
      fetch(url + "?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang), {
        credentials: "same-origin", headers: { "Accept": "text/html" }
      }).then(function (response) {
        if (response.status === 404) { gone = true; box.hidden = true; return null; }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null || q !== last) return;
        results.innerHTML = html;  // our own server's fragment
        box.hidden = !results.textContent.trim();
        reportHeight();
      }).catch(function () { box.hidden = true; });
    }

    form.addEventListener("input", function (event) {
      if (!event.target.hasAttribute || !event.target.hasAttribute("data-suggest-source")) return;
      clearTimeout(timer);
      timer = setTimeout(ask, 350);
    });

    results.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      if (!link || !openedUrl) return;
      var body = new URLSearchParams();
      body.append("q", last);
      body.append("url", link.getAttribute("href") || "");
      for (var name in link.dataset) body.append(name, link.dataset[name]);
      var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      fetch(openedUrl, {
        method: "POST", body: body, credentials: "same-origin", keepalive: true,
        headers: token ? { "X-CSRFToken": token.value } : {}
      }).catch(function () {});
    });
  }

  function start() {
    var forms = document.querySelectorAll("[data-ticket-form]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        applyConditions(form);
        form.addEventListener("change", function () { applyConditions(form); });
        form.addEventListener("input", function () { applyConditions(form); });
        setUpSuggestions(form);
        var invalid = form.querySelector('[aria-invalid="true"]:not([disabled])');
        if (invalid) invalid.focus();  // the first field to correct
      })(forms[i]);
    }
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
    window.addEventListener("load", reportHeight);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
