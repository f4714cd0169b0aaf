// Rule editors: show only the operators that fit each row's field (the server checks anyway).
(function () {
  "use strict";
  function fit(row) {
    var field = row.querySelector("[data-field]");
    var operator = row.querySelector("[data-operator]");
    if (!field || !operator) return;
    var chosen = field.options[field.selectedIndex];
    var type = chosen ? chosen.getAttribute("data-type") : null;
    Array.prototype.forEach.call(operator.options, function (option) {
      var types = option.getAttribute("data-types");
      option.hidden = Boolean(type && types !== null && types.split(" ").indexOf(type) < 0);
    });
  }
  document.querySelectorAll("[data-rows] [data-row]").forEach(function (row) {
    fit(row);
    var field = row.querySelector("[data-field]");
    if (field) field.addEventListener("change", function () { fit(row); });
  });
})();
