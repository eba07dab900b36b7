// UMPro — delegation pages. No inline scripts (the CSP forbids them); everything works
// without JavaScript, this only saves clicks.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // "Tout sélectionner" ticks every box of the given name in the same form.
  document.querySelectorAll("[data-check-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const boxes = button.form.querySelectorAll(`input[name="${button.dataset.checkAll}"]`);
      const all = Array.from(boxes).every((box) => box.checked);
      boxes.forEach((box) => { box.checked = !all; });
    });
  });
});
