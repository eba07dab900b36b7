// UMPro — agenda: keyboard moves in the grid, print button (booking: booking.js).
// Hand-written, no framework; everything works without it (links, forms, a search button).
"use strict";

(() => {
  // --- Keyboard: arrows move between appointments and free times -----------------
  function columnsOf(agenda) {
    return Array.from(agenda.querySelectorAll("[data-column]")).map((column) =>
      Array.from(column.querySelectorAll("a[data-row]")),
    );
  }

  function nearest(links, row) {
    let best = null;
    for (const link of links) {
      const distance = Math.abs(Number(link.dataset.row) - row);
      if (best === null || distance < best.distance) best = { link, distance };
    }
    return best && best.link;
  }

  function onKey(event, agenda) {
    const keys = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"];
    if (!keys.includes(event.key) || !event.target.matches("a[data-row]")) return;
    const columns = columnsOf(agenda);
    const col = columns.findIndex((links) => links.includes(event.target));
    const links = columns[col];
    const index = links.indexOf(event.target);
    const row = Number(event.target.dataset.row);
    let target = null;
    if (event.key === "ArrowUp") target = links[index - 1];
    if (event.key === "ArrowDown") target = links[index + 1];
    if (event.key === "Home") target = links[0];
    if (event.key === "End") target = links[links.length - 1];
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const step = event.key === "ArrowLeft" ? -1 : 1;
      for (let c = col + step; c >= 0 && c < columns.length && !target; c += step) {
        target = nearest(columns[c], row);
      }
    }
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-agenda]").forEach((agenda) => {
      agenda.addEventListener("keydown", (event) => onKey(event, agenda));
    });
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
    // Scroll the day so that the current time is in view.
    const now = document.querySelector(".now-line");
    if (now && now.scrollIntoView) now.scrollIntoView({ block: "center" });
  });
})();
