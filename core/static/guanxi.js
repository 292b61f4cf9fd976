// Behaviour for every page, kept out of the HTML so the Content-Security-Policy can forbid inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // a select marked data-autosubmit sends its form when changed (language switch, list filters)
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
