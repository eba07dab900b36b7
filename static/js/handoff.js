// UMPro — the hand-off form: as soon as a protocol is chosen, ask the server whether it
// applies to this patient (age, sex), whether the consent is recorded and whether a task
// of it is already open, and say so next to the choice. Progressive enhancement: without
// JavaScript, "Afficher les critères" shows the same check on the page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("choix-protocole");
  const out = document.getElementById("verification");
  if (!form || !out || !form.dataset.checkUrl) {
    return;
  }
  const select = form.querySelector("select[name=protocole]");
  let asked = 0;

  function say(kind, lines) {
    out.className = `verification verification-${kind}`;
    out.replaceChildren(...lines.map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }));
  }

  select.addEventListener("change", async () => {
    const code = select.value;
    const mine = ++asked;
    if (!code) {
      say("none", []);
      return;
    }
    say("none", ["Vérification des critères du protocole…"]);
    const url = `${form.dataset.checkUrl}?protocole=${encodeURIComponent(code)}`;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (mine !== asked) {
        return; // another protocol was chosen meanwhile
      }
      if (!response.ok) {
        say("none", ["Vérification impossible : affichez les critères."]);
        return;
      }
      const check = await response.json();
      if (check.eligible) {
        const lines = ["Ce protocole s'applique à ce patient."];
        if (check.consent === "needed") {
          lines.push("Consentement à recueillir : vous le confirmerez dans le formulaire.");
        }
        lines.push("Affichez les critères pour continuer.");
        say("ok", lines);
      } else {
        say("error", check.messages);
      }
    } catch (error) {
      if (mine === asked) {
        say("none", ["Vérification impossible : affichez les critères."]);
      }
    }
  });
});
