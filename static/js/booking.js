// UMPro — booking page: patient search as you type (with what tells namesakes apart),
// the professional list narrowed to those who perform the chosen type, and a
// professional's default type pre-selected. Without it the page still works: the
// server filters the list on each submit and the search button searches.
"use strict";

(() => {
  // --- Patients: "né(e) le 02/03/1950 (76 ans) · MT : Dr … · Lyon · tél. …42" ----
  function age(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    const now = new Date();
    let years = now.getFullYear() - y;
    if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) years -= 1;
    return years;
  }

  function clues(patient) {
    const parts = [];
    if (patient.birth_date) {
      const [y, m, d] = patient.birth_date.split("-");
      const years = age(patient.birth_date);
      parts.push(`né(e) le ${d}/${m}/${y} (${years} an${years > 1 ? "s" : ""})`);
    }
    parts.push(`MT : ${patient.treating_gp ? patient.treating_gp.display_name : "aucun"}`);
    if (patient.city) parts.push(patient.city);
    const digits = (patient.phone || "").replace(/\D/g, "");
    if (digits.length >= 2) parts.push(`tél. …${digits.slice(-2)}`);
    return parts.join(" · ");
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
    muted.className = "muted patient-clues";
    muted.textContent = clues(patient);
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
      const url = `${input.dataset.bookingSearch}?q=${encodeURIComponent(query)}&limit=10`;
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
        const items = body.items || [];
        const chosen = results.querySelector("input:checked");
        const keep = chosen ? chosen.closest("label") : null;
        results.replaceChildren(...(keep ? [keep] : []));
        for (const patient of items) {
          if (keep && chosen.value === String(patient.id)) continue;
          results.append(option(patient, !keep && items.length === 1));
        }
        status.textContent =
          items.length === 0 ? "Aucun patient trouvé." : `${items.length} patient(s) trouvé(s).`;
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

  // --- Type → professionals who perform it; professional → their default type -----
  function setUpPicker(typeSelect, staffSelect) {
    const performers = JSON.parse(typeSelect.dataset.performers || "{}");
    const everyone = JSON.parse(staffSelect.dataset.staffOptions || "[]");
    const defaults = JSON.parse(staffSelect.dataset.defaultTypes || "{}");
    const empty = staffSelect.querySelector('option[value=""]');

    function narrow() {
      const wanted = typeSelect.value ? new Set(performers[typeSelect.value] || []) : null;
      const current = staffSelect.value;
      const options = everyone
        .filter(([id]) => wanted === null || wanted.has(id))
        .map(([id, label]) => new Option(label, String(id), false, String(id) === current));
      staffSelect.replaceChildren(...(empty ? [empty] : []), ...options);
      if (!options.some((o) => o.selected) && empty) empty.selected = true;
    }

    typeSelect.addEventListener("change", narrow);
    staffSelect.addEventListener("change", () => {
      const type = defaults[staffSelect.value];
      if (!typeSelect.value && type) {
        typeSelect.value = String(type);
        narrow();
      }
    });
    narrow();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-booking-search]").forEach(setUpSearch);
    const typeSelect = document.querySelector("select[data-performers]");
    const staffSelect = document.querySelector("select[data-staff-options]");
    if (typeSelect && staffSelect) setUpPicker(typeSelect, staffSelect);
  });
})();
