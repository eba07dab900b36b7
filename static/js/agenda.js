// UMPro — agenda: keyboard moves in the grid, moving an appointment (drag-and-drop or the
// keyboard), print button (booking: booking.js). Hand-written, no framework; everything
// works without it (links, forms, the « Déplacer » page).
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
    if (onMoveKey(event, agenda)) return;
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

  // --- Moving an appointment: drag it onto a free time, or press D, then arrows and Enter.
  // Both post the day view's move form (CSRF, version): the server checks as for any move.
  let moving = null; // the appointment's <li> being moved with the keyboard

  function say(agenda, text) {
    const status = agenda.parentElement.querySelector("[data-move-status]");
    if (status) status.textContent = text;
  }

  function submitMove(agenda, appt, free) {
    const form = agenda.parentElement.querySelector("[data-move-form]");
    const column = free.closest("[data-column]");
    const [day, time] = free.dataset.start.split("T");
    form.action = appt.dataset.move;
    form.elements.version.value = appt.dataset.version;
    form.elements.staff_id.value = column.dataset.staff;
    form.elements.day.value = day;
    form.elements.time.value = time;
    say(agenda, `Déplacement vers ${time}…`);
    form.submit();
  }

  function startMove(agenda, appt) {
    moving = appt;
    agenda.classList.add("moving");
    appt.classList.add("is-moving");
    const time = appt.querySelector(".t").textContent.slice(0, 5);
    say(
      agenda,
      `Déplacement du rendez-vous de ${time} : flèches pour choisir un créneau libre, ` +
        "Entrée pour l'y poser, Échap pour renoncer.",
    );
  }

  function stopMove(agenda, message) {
    if (!moving) return;
    const link = moving.querySelector("a[data-row]");
    agenda.classList.remove("moving");
    moving.classList.remove("is-moving");
    moving = null;
    if (message) say(agenda, message);
    if (link) link.focus();
  }

  // Keys of the move mode; answers true when it handled the key.
  function onMoveKey(event, agenda) {
    const link = event.target.closest("a");
    if (!moving) {
      if ((event.key === "d" || event.key === "D") && !event.ctrlKey && !event.metaKey) {
        const appt = link && link.closest("li[data-move]");
        if (appt && agenda.contains(appt)) {
          event.preventDefault();
          startMove(agenda, appt);
          return true;
        }
      }
      return false;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      stopMove(agenda, "Déplacement annulé.");
      return true;
    }
    if (event.key === "Enter" && link) {
      event.preventDefault();
      const free = link.closest("li.free[data-start]");
      if (free) submitMove(agenda, moving, free);
      else say(agenda, "Ce créneau n'est pas libre : choisissez un créneau « Libre ».");
      return true;
    }
    return false;
  }

  function setUpMoves(agenda) {
    agenda.addEventListener("click", (event) => {
      const start = event.target.closest("[data-move-start]");
      if (start) {
        event.preventDefault();
        const appt = start.closest("li[data-move]");
        startMove(agenda, appt);
        appt.querySelector("a[data-row]").focus();
        return;
      }
      if (moving && event.target.closest("a")) {
        const free = event.target.closest("li.free[data-start]");
        event.preventDefault();
        if (free) submitMove(agenda, moving, free);
      }
    });
    let dragged = null;
    agenda.addEventListener("dragstart", (event) => {
      const appt = event.target.closest && event.target.closest("li[data-move]");
      if (!appt) return;
      dragged = appt;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", appt.dataset.move);
      appt.classList.add("is-moving");
      agenda.classList.add("moving");
    });
    agenda.addEventListener("dragend", () => {
      if (dragged) dragged.classList.remove("is-moving");
      agenda.classList.remove("moving");
      agenda.querySelectorAll(".is-drop-target").forEach((li) => li.classList.remove("is-drop-target"));
      dragged = null;
    });
    agenda.addEventListener("dragover", (event) => {
      const free = event.target.closest && event.target.closest("li.free[data-start]");
      if (!dragged || !free) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      agenda.querySelectorAll(".is-drop-target").forEach((li) => li.classList.remove("is-drop-target"));
      free.classList.add("is-drop-target");
    });
    agenda.addEventListener("drop", (event) => {
      const free = event.target.closest && event.target.closest("li.free[data-start]");
      if (!dragged || !free) return;
      event.preventDefault();
      submitMove(agenda, dragged, free);
    });
  }

  // --- A phone: one column at a time; start on the user's own, mark the one in view.
  function setUpColumns(agenda) {
    const jumps = Array.from(agenda.parentElement.querySelectorAll("[data-col-jump]"));
    if (!jumps.length) return;
    const columns = Array.from(agenda.querySelectorAll(".agenda-col"));
    const times = agenda.querySelector(".agenda-times");
    const leftOf = (column) =>
      column.getBoundingClientRect().left -
      agenda.getBoundingClientRect().left +
      agenda.scrollLeft -
      times.offsetWidth;
    const mine = agenda.querySelector("[data-me]");
    if (mine && window.matchMedia("(max-width: 600px)").matches) {
      agenda.scrollLeft = leftOf(mine.closest(".agenda-col"));
    }
    function mark() {
      const left = agenda.getBoundingClientRect().left + times.offsetWidth;
      let current = 0;
      columns.forEach((column, index) => {
        if (Math.abs(column.getBoundingClientRect().left - left) < column.offsetWidth / 2) current = index;
      });
      jumps.forEach((jump, index) => jump.setAttribute("aria-current", String(index === current)));
      const list = jumps[current].closest("ul");
      const start = jumps[current].offsetLeft - list.offsetLeft;
      const end = start + jumps[current].offsetWidth;
      if (start < list.scrollLeft || end > list.scrollLeft + list.clientWidth) list.scrollLeft = start;
    }
    agenda.addEventListener("scroll", () => window.requestAnimationFrame(mark), { passive: true });
    jumps.forEach((jump, index) => {
      jump.addEventListener("click", (event) => {
        event.preventDefault();
        agenda.scrollTo({
          left: leftOf(columns[index]),
        });
      });
    });
    mark();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.matchMedia("(max-width: 600px)").matches) {
      // A phone: the display options fold away (the day's buttons are enough).
      document.querySelectorAll("details.view-options[open]").forEach((details) => {
        details.open = false;
      });
    }
    document.querySelectorAll("[data-agenda]").forEach((agenda) => {
      agenda.addEventListener("keydown", (event) => onKey(event, agenda));
      setUpMoves(agenda);
      setUpColumns(agenda);
    });
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
    // Scroll the day so that the current time is in view.
    // Vertically only: on a phone the column in view stays the one chosen above.
    const now = document.querySelector(".now-line");
    if (now) {
      const top = now.getBoundingClientRect().top + window.scrollY - window.innerHeight / 2;
      window.scrollTo(0, Math.max(0, top));
    }
  });
})();
