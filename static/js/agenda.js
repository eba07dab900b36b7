// UMPro — agenda: keyboard moves in the grid, patient search as you type, print button.
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

  // --- Patient search as you type (GET /api/v1/patients?q=) -----------------------
  function birth(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-");
    return `né(e) le ${d}/${m}/${y}`;
  }

  function option(patient, checked) {
    const label = document.createElement("label");
    label.className = "check";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "patient_id";
    input.value = String(patient.id);
    input.checked = checked;
    const muted = document.createElement("span");
    muted.className = "muted";
    muted.textContent = birth(patient.birth_date);
    label.append(input, ` ${patient.display_name} `, muted);
    return label;
  }

  function setUpSearch(input) {
    const form = input.form;
    const results = form.querySelector("[data-patient-results]");
    const status = form.querySelector("[data-patient-status]");
    let timer = null;
    let controller = null;

    async function search() {
      const query = input.value.trim();
      if (query.length < 2) return;
      if (controller) controller.abort();
      controller = new AbortController();
      const url = `${input.dataset.patientSearch}?q=${encodeURIComponent(query)}&limit=10`;
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) {
          status.textContent = "Recherche indisponible : utilisez le bouton Rechercher.";
          return;
        }
        const body = await response.json();
        const chosen = results.querySelector("input:checked");
        const keep = chosen ? chosen.closest("label") : null;
        results.replaceChildren(...(keep ? [keep] : []));
        for (const patient of body.items || []) {
          if (keep && chosen.value === String(patient.id)) continue;
          results.append(option(patient, !keep && body.items.length === 1));
        }
        const n = (body.items || []).length;
        status.textContent = n === 0 ? "Aucun patient trouvé." : `${n} patient(s) trouvé(s).`;
      } catch (error) {
        if (error.name !== "AbortError") status.textContent = "Recherche indisponible.";
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    // Enter in the search field searches at once instead of submitting the booking.
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      clearTimeout(timer);
      search().then(() => {
        const first = results.querySelector("input");
        if (first) first.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-agenda]").forEach((agenda) => {
      agenda.addEventListener("keydown", (event) => onKey(event, agenda));
    });
    document.querySelectorAll("[data-patient-search]").forEach(setUpSearch);
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
    // Scroll the day so that the current time is in view.
    const now = document.querySelector(".now-line");
    if (now && now.scrollIntoView) now.scrollIntoView({ block: "center" });
  });
})();
