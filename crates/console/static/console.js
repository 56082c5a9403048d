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
document.addEventListener("click", function (ev) {
  // "Print / save as PDF" on the customer's letter.
  if (ev.target.closest && ev.target.closest("[data-print]")) { window.print(); }
});
document.addEventListener("click", function (ev) {
  // "Copy" next to the recovery codes.
  var b = ev.target.closest && ev.target.closest("[data-copy]");
  if (!b || !navigator.clipboard) { return; }
  var src = document.querySelector(b.getAttribute("data-copy"));
  if (!src) { return; }
  var text = Array.prototype.map.call(src.querySelectorAll("li"), function (li) { return li.textContent.trim(); }).join("\n");
  navigator.clipboard.writeText(text).then(function () { b.textContent = b.getAttribute("data-copied") || b.textContent; });
});
