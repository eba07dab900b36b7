// Patients: search as you type, print buttons, decline fields shown only for a decline.
"use strict";

(() => {
  const DELAY_MS = 250;

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function frenchDate(iso) {
    const [y, m, d] = iso.split("-");
    return `${d}/${m}/${y}`;
  }

  function age(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    const now = new Date();
    let years = now.getFullYear() - y;
    if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) years -= 1;
    return `${years} an${years > 1 ? "s" : ""}`;
  }

  function renderResults(container, query, items, showUrl) {
    container.replaceChildren();
    if (!items.length) {
      const p = document.createElement("p");
      p.className = "alert alert-info";
      p.textContent = `Aucun patient ne correspond à « ${query} ».`;
      container.append(p);
      return;
    }
    const table = document.createElement("table");
    table.className = "table";
    const caption = document.createElement("caption");
    caption.textContent = `${items.length} patient${items.length > 1 ? "s" : ""} pour « ${query} »`;
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    ["Patient", "Naissance", "Médecin traitant", "Ville", "Téléphone", "Repères"].forEach((label) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      headRow.append(th);
    });
    head.append(headRow);
    const body = document.createElement("tbody");
    items.forEach((p) => {
      const row = document.createElement("tr");
      const name = document.createElement("td");
      const link = document.createElement("a");
      link.href = showUrl.replace(/0$/, String(p.id));
      link.textContent = p.display_name;
      name.append(link);
      const flags = [p.has_chronic_condition ? "ALD" : "", p.has_sharing_objection ? "Opposition" : ""];
      row.append(
        name,
        cell(`${frenchDate(p.birth_date)} (${age(p.birth_date)})`),
        cell(p.treating_gp ? p.treating_gp.display_name : "—"),
        cell(p.city || "—"),
        cell(p.phone || "—"),
        cell(flags.filter(Boolean).join(" · ")),
      );
      body.append(row);
    });
    table.append(caption, head, body);
    container.append(table);
  }

  function setUpSearch() {
    const input = document.getElementById("patient-search");
    const container = document.getElementById("patient-results");
    if (!input || !container) return;
    let timer = null;
    let controller = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const query = input.value.trim();
        if (query.length < 2) return;
        if (controller) controller.abort();
        controller = new AbortController();
        try {
          const url = `${input.dataset.api}?q=${encodeURIComponent(query)}`;
          const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
          if (!response.ok) return;
          const data = await response.json();
          renderResults(container, query, data.items, input.dataset.show);
          history.replaceState(null, "", `?q=${encodeURIComponent(query)}`);
        } catch (error) {
          if (error.name !== "AbortError") throw error;
        }
      }, DELAY_MS);
    });
  }

  function setUpDecision() {
    const form = document.querySelector(".decision-form");
    if (!form) return;
    const update = () => {
      const chosen = form.querySelector('input[name="decision"]:checked');
      form.classList.toggle("is-not-decline", !chosen || chosen.value !== "decline");
    };
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpSearch();
    setUpDecision();
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
  });
})();
