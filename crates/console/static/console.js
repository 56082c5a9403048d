// Jaga console: the only script. It adds conveniences; every page works without it.
"use strict";
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});
document.addEventListener("DOMContentLoaded", function () {
  // Select a language without a submit button.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // "Other" purpose: focus the details field.
  document.querySelectorAll("select[name=purpose]").forEach(function (el) {
    el.addEventListener("change", function () {
      var d = el.form.querySelector("[name=purpose_detail]");
      if (d && el.value === "other") { d.focus(); }
    });
  });
});
