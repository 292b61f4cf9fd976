// Weighbridge station page: polls the indicator and offers its stable capture for the weight fields.
// The words shown come from data-* attributes, translated by the template.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("reading"), captured = null;
  var button = document.getElementById("use-capture");
  if (!box || !button) {
    return;
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("live-weight").textContent = d.weight === null ? "—" : d.weight;
      document.getElementById("live-state").textContent = d.stable === false ? box.dataset.moving : (d.weight === null ? "" : box.dataset.steady);
      captured = d.captured;
      document.getElementById("captured").textContent = captured === null || captured === undefined ? "—" : captured;
      button.disabled = captured === null || captured === undefined;
    }).catch(function () {}).then(function () { setTimeout(poll, 700); });
  }
  button.addEventListener("click", function () {
    document.querySelectorAll("input[name=weight]").forEach(function (input) {
      input.value = captured;
      input.form.querySelector("input[name=source]").value = "indicator";
    });
  });
  document.querySelectorAll("input[name=weight]").forEach(function (input) {
    input.addEventListener("input", function () { input.form.querySelector("input[name=source]").value = "manual"; });
  });
  poll();
});
