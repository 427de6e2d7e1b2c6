// The language of the pages a customer or guest keeps on their phone (card, invitation,
// sign-in link, and the pages saying one is not valid): Vietnamese by default, English on a
// tap of the page's VI/EN buttons, remembered by the phone for all of them. Each text's
// Vietnamese is the page's own, its English in `data-en` (an image's in `data-en-alt`);
// a script that writes words of its own follows the choice with `onLanguage`, and says
// them with `wordsOf` (its own [vi, en] pairs) and `time`.

const KEY = "kiosk-phone-language";
const EARLIER_KEY = "kiosk-invitation-language"; // what the invitation page kept before
const listeners = [];
let current = "vi";

function remembered() {
  try {
    return localStorage.getItem(KEY) || localStorage.getItem(EARLIER_KEY);
  } catch {
    return null; // private browsing: Vietnamese
  }
}

function show(language) {
  current = language;
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll("[data-en]")) {
    if (node.dataset.vi === undefined) node.dataset.vi = node.textContent;
    node.textContent = language === "en" ? node.dataset.en : node.dataset.vi;
  }
  for (const image of document.querySelectorAll("img[data-en-alt]")) {
    if (image.dataset.viAlt === undefined) image.dataset.viAlt = image.alt;
    image.alt = language === "en" ? image.dataset.enAlt : image.dataset.viAlt;
  }
  for (const button of document.querySelectorAll(".language button[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language));
  }
  for (const listener of listeners) listener(language);
}

/** The page's language now: "vi" or "en". */
export function language() {
  return current;
}

/** The Vietnamese or the English of a [vi, en] pair, for the page's language. */
export function say([vietnamese, english]) {
  return current === "en" ? english : vietnamese;
}

/** A `t(key, values)` for a page's own words: each a [vi, en] pair whose `{name}`s are
 * filled from `values`; a key it does not know says `fallback`'s words. */
export function wordsOf(words, fallback) {
  return (key, values = {}) => {
    const entry = words[key] || words[fallback];
    return say(entry).replace(/\{(\w+)\}/g, (whole, name) => (
      name in values ? String(values[name]) : whole));
  };
}

const zone = document.querySelector("meta[name=kiosk-timezone]")?.content || undefined;

/** A moment as people read it in the page's language and the shop's time zone. */
export function time(iso, { year = true } = {}) {
  return new Intl.DateTimeFormat(current === "en" ? "en-GB" : "vi-VN", {
    timeZone: zone, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit",
    ...(year ? { year: "numeric" } : {}) }).format(new Date(iso));
}

/** Calls `listener(language)` now and whenever the language changes. */
export function onLanguage(listener) {
  listeners.push(listener);
  listener(current);
}

for (const group of document.querySelectorAll(".language")) {
  group.addEventListener("click", (event) => {
    const chosen = event.target.closest("button[data-lang]")?.dataset.lang;
    if (!chosen) return;
    try {
      localStorage.setItem(KEY, chosen);
    } catch {
      // Private browsing: the choice lasts this visit.
    }
    show(chosen);
  });
}

show(remembered() === "en" ? "en" : "vi");
