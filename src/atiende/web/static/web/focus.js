// Keep the keyboard where the agent is when htmx replaces what held the focus (the ticket
// page): a Send button, a field's edit button or its form disappear in the swap, and the
// browser would drop the focus on <body>, sending a keyboard user back to the top.
//
// - An opened field form: focus its first control (or the first with an error).
// - A field saved or cancelled: focus that field's edit button again.
// - The composer after sending: focus the new message box; after a warning (a colleague's
//   reply, many recipients, an error), focus the warning's button or the box.
(function () {
  "use strict";
  // What held the focus before each swap ({field, composer}), by request: other swaps (the
  // refreshes a change triggers) may happen before this one settles.
  var pending = new WeakMap();

  function first(root, selector) {
    return root ? root.querySelector(selector) : null;
  }

  // The place is read from the focused element, or else from the element that made the
  // request (``requestConfig.elt``): a key such as Escape may have left the field already
  // (shortcuts.js blurs) before its Cancel button asked for the header.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    var active = document.activeElement;
    var target = event.detail.target;
    var focused = active && active !== document.body && target &&
      (target === active || target.contains(active));
    var config = event.detail.requestConfig;
    // A field's controls also go when the header answers: it brings the field panel along
    // out of band (a live refresh may do so while the agent is on an edit button).
    var inField = active && active.closest && active.closest("dd[id^='field-']");
    var source = focused || inField ? active : (config && config.elt) || event.detail.elt;
    if (!source || !source.closest) return;
    var field = source.closest("dd[id^='field-']");
    var composer = source.closest("#composer");
    if (field || composer) pending.set(xhr, { field: field ? field.id : null, composer: !!composer });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    var memory = xhr ? pending.get(xhr) : null;
    if (xhr) pending.delete(xhr);
    var active = document.activeElement;
    if (!memory || (active && active !== document.body && document.contains(active))) return;
    var target = event.detail.target;
    var place = null;
    var form = target && target.matches && target.matches("dd[id^='field-']")
      ? first(target, "[data-field-form]") : null;
    if (!form && memory.field) form = first(document.getElementById(memory.field), "[data-field-form]");
    if (form) {
      place = first(form, "[aria-invalid='true'], .has-error input, .has-error select, .has-error textarea")
        || first(form, "input:not([type=hidden]), select, textarea, button");
    } else if (memory.field) {
      place = first(document.getElementById(memory.field), ".edit-button");
    } else if (memory.composer) {
      var composer = document.getElementById("composer");
      place = first(composer, "[role=alert] button") || first(composer, "textarea[data-composer]");
    }
    // Another request's settling (a late timeline refresh) can land here before htmx has
    // wired a form just swapped in: wire it, so Enter and Escape in it do what they say.
    if (form && window.htmx) htmx.process(form);
    if (place) place.focus();
  });
})();
