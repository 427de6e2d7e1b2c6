// A guest's invitation page (/i/<token>): Vietnamese by default, English on request (kept on
// this phone). Each text's Vietnamese is the page's own; its English is in `data-en`.
"use strict";

const KEY = "kiosk-invitation-language";

function show(language) {
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll("[data-en]")) {
    if (node.dataset.vi === undefined) node.dataset.vi = node.textContent;
    node.textContent = language === "en" ? node.dataset.en : node.dataset.vi;
  }
  for (const image of document.querySelectorAll("img[data-en-alt]")) {
    if (image.dataset.viAlt === undefined) image.dataset.viAlt = image.alt;
    image.alt = language === "en" ? image.dataset.enAlt : image.dataset.viAlt;
  }
  for (const button of document.querySelectorAll(".language button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language));
  }
}

document.querySelector(".language")?.addEventListener("click", (event) => {
  const chosen = event.target.closest("button[data-lang]")?.dataset.lang;
  if (!chosen) return;
  try {
    localStorage.setItem(KEY, chosen);
  } catch {
    // Private browsing: the choice lasts this visit.
  }
  show(chosen);
});

let saved = null;
try {
  saved = localStorage.getItem(KEY);
} catch {
  saved = null;
}
show(saved === "en" ? "en" : "vi");
