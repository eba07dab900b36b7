// UMPro — the main menu folds behind a « Menu » button on a narrow screen (a phone).
// Loaded right after the header, not deferred, so that the menu folds before the first
// paint. Without JavaScript the menu simply stays open.
"use strict";

(() => {
  const button = document.querySelector(".menu-toggle");
  const menu = document.getElementById("topmenu");
  if (!button || !menu) return;
  const narrow = window.matchMedia("(max-width: 700px)");
  function show(open) {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("is-closed", !open);
  }
  button.hidden = false;
  show(!narrow.matches);
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
  narrow.addEventListener("change", (event) => show(!event.matches));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
})();
