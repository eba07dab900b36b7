// UMPro — small hand-written helpers. No inline scripts (the CSP forbids them).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before submitting (deactivation, cancellation…).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});

// For fetch() calls to /api/v1/ with the browser session: the CSRF header.
window.umproCsrf = () => document.querySelector('meta[name="csrf-token"]').content;
