// The kiosk at a gate: paired once, then scan -> answer on screen -> back to scanning.
// A scan is never lost: on a network error it is sent again with the same scan_id,
// which the server answers once and records once. Optionally (a setting of this kiosk) a
// guest's name badge is printed as they arrive, once their answer is on screen.
// The camera and its QR decoding: scanner.js, shared with the till.
import { startCamera } from "./scanner.js";


const STORE = "kiosk.device";
const LANGUAGE = "kiosk.language";
const PRINT_BADGES = "kiosk.printBadges";
const SHOW_MS = 1500;
const RETRY_MS = [300, 600, 1200, 2000];
const MAX_REPORTED_MS = 3600000;
const ANSWER_TIMEOUT_MS = 3000; // a request unanswered this long is sent again
const BADGE_TIMEOUT_MS = 10000;
const NOTE_MS = 4000;

const state = {
  device: JSON.parse(localStorage.getItem(STORE) || "null"),
  language: localStorage.getItem(LANGUAGE) || "vi",
  busy: false,
  lastResult: null,
  retries: 0,
  results: [],
  timings: [], // scan-to-answer times (ms): code decoded -> answer painted on screen
  readyAt: performance.now(), // since when the kiosk has been free for the next code
  report: null, // the last scan's time, sent to the server with the next scan
  printBadges: localStorage.getItem(PRINT_BADGES) === "on",
  printed: [], // the invitations whose badge was sent to the printer
};
window.kioskState = state; // read by the browser tests

const $ = (id) => document.getElementById(id);

function translate() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll("[data-vi]")) {
    node.textContent = node.dataset[state.language];
  }
  $("language").textContent = state.language === "vi" ? "EN" : "VI";
}

function show(screen) {
  $("pair").hidden = screen !== "pair";
  $("scan").hidden = screen !== "scan";
  if (screen === "scan") {
    const { name, gate } = state.device;
    $("gate-name").textContent = gate && !name.includes(gate) ? `${name} · ${gate}` : name;
    $("scan-input").focus();
  } else {
    $("pair-code").focus();
  }
}

async function pair(event) {
  event.preventDefault();
  $("pair-error").textContent = "";
  const response = await fetch("/api/v1/devices/pair", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": state.language },
    body: JSON.stringify({ code: $("pair-code").value.trim(), name: $("pair-name").value.trim() }),
  }).catch(() => null);
  if (!response || !response.ok) {
    const body = response ? await response.json().catch(() => ({})) : {};
    $("pair-error").textContent = body.error ? body.error.message
      : (state.language === "vi" ? "Không kết nối được máy chủ." : "Cannot reach the server.");
    return;
  }
  const device = await response.json();
  state.device = { token: device.token, event_id: device.event_id, gate: device.gate,
                   name: device.name };
  localStorage.setItem(STORE, JSON.stringify(state.device));
  show("scan");
}

// --- sounds: one per kind of answer, made on the spot (no files to load)
let audio = null;
function beep(kind) {
  try {
    audio = audio || new AudioContext();
    const notes = { ok: [660, 880], warn: [520, 520], bad: [220, 180] }[kind];
    notes.forEach((frequency, i) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      oscillator.type = kind === "bad" ? "square" : "sine";
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      const start = audio.currentTime + i * 0.14;
      oscillator.start(start);
      oscillator.stop(start + 0.12);
    });
  } catch (error) {
    // No audio device: the screen still says everything.
  }
}

const KIND = { ok: "ok", already_checked_in: "warn" };

function display(result) {
  const kind = KIND[result.status] || "bad";
  const screen = $("screen");
  screen.className = kind;
  const vi = state.language === "vi";
  if (result.status === "ok" && result.customer) {
    $("headline").textContent = (vi ? "Xin chào " : "Welcome, ") + result.customer.name;
    $("detail").textContent = vi ? `Lần ghé thăm thứ ${result.customer.visit_count}`
      : `Visit number ${result.customer.visit_count}`;
  } else {
    const title = kind === "warn" ? (vi ? "Đã check-in" : "Already checked in")
      : (vi ? "Chưa vào được" : "Cannot enter yet");
    $("headline").textContent = result.customer ? result.customer.name : title;
    $("detail").textContent = result.message;
  }
  beep(kind);
  setTimeout(() => {
    if (state.lastResult === result) idle();
  }, SHOW_MS);
}

function idle() {
  $("screen").className = "idle";
  $("headline").textContent = state.language === "vi" ? "Mời quét mã QR" : "Please scan your QR code";
  $("detail").textContent = "";
  $("scan-input").focus();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(code, decodedAt) {
  // With each scan the kiosk reports how long it had been free before this code came
  // (short waits mean guests are queuing) and how long its previous scan took.
  const scanId = crypto.randomUUID();
  const idle = Math.round(Math.min(Math.max(decodedAt - state.readyAt, 0), MAX_REPORTED_MS));
  const body = JSON.stringify({ code, event_id: state.device.event_id, scan_id: scanId,
                                idle_ms: idle, previous: state.report });
  state.report = null;
  for (let attempt = 0; ; attempt += 1) {
    let response = null;
    try {
      response = await fetch("/api/v1/checkins", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": state.language,
                   Authorization: `Bearer ${state.device.token}` },
        body,
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
    } catch (error) {
      response = null; // network down or no answer: try again with the same scan_id
    }
    if (response && response.status === 401) {
      localStorage.removeItem(STORE); // the device was revoked: pair again
      state.device = null;
      show("pair");
      return null;
    }
    if (response && response.ok) {
      $("retrying").hidden = true;
      return response.json();
    }
    if (response && response.status < 500) {
      const refusal = await response.json().catch(() => ({}));
      return { status: "invalid", message: refusal.error?.message || (state.language === "vi"
        ? "Không đọc được mã này." : "This code cannot be read.") };
    }
    state.retries += 1;
    $("retrying").hidden = false;
    await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
  }
}

// Codes that came while an earlier one was being sent (a fast queue, a slow network):
// each is sent in turn, none is lost.
const waiting = [];

function scanned(code) {
  code = code.trim();
  if (!code) return;
  waiting.push({ code, decodedAt: performance.now() });
  if (!state.busy) sendWaiting();
}

async function sendWaiting() {
  state.busy = true;
  try {
    while (waiting.length) {
      const { code, decodedAt } = waiting.shift();
      const result = await send(code, decodedAt);
      if (!result) {
        waiting.length = 0; // unpaired: nothing can be sent until it is paired again
        return;
      }
      state.lastResult = result;
      state.results.push(result);
      display(result);
      requestAnimationFrame(() => setTimeout(() => answered(result, decodedAt)));
    }
  } finally {
    state.busy = false;
  }
}

// Called once the answer is painted: the scan-to-answer time is measured, and the
// kiosk is free for the next guest from now.
function answered(result, decodedAt) {
  const now = performance.now();
  const took = Math.round(Math.min(now - decodedAt, MAX_REPORTED_MS));
  state.timings.push(took);
  if (result.scan_id) state.report = { scan_id: result.scan_id, result_ms: took };
  state.readyAt = now;
  if (state.printBadges && result.status === "ok" && result.invitation_id) {
    printBadge(result.invitation_id);
  }
}

// --- name badges, printed as guests arrive: the badge (A6, 300 dpi) is fetched with the
// device's token and printed from a frame of its own whose page is the badge's size. It
// starts once the answer is on screen and is never waited for: a badge that cannot be had
// leaves a small note, and scanning goes on. (A kiosk that prints runs Chromium with
// --kiosk-printing: print() then goes to the default printer without a dialog.)
let printing = Promise.resolve(); // one badge at a time through the one frame
let printFrame = null;
let shownBadge = null; // the object URL of the badge in the frame
let noteTimer = null;

const PAGE_STYLE = "@page { size: 105mm 148mm; margin: 0 }"
  + " html, body { margin: 0; padding: 0; background: #fff }"
  + " img { display: block; width: 105mm; height: 148mm; object-fit: contain }";

function printDocument() {
  if (!printFrame) {
    printFrame = document.createElement("iframe");
    printFrame.className = "print-frame";
    printFrame.title = "badge";
    printFrame.tabIndex = -1;
    printFrame.setAttribute("aria-hidden", "true");
    document.body.append(printFrame);
    const style = printFrame.contentDocument.createElement("style");
    style.textContent = PAGE_STYLE;
    printFrame.contentDocument.head.append(style);
  }
  return printFrame.contentDocument;
}

async function fetchBadge(invitationId) {
  const { event_id: eventId, token } = state.device;
  const response = await fetch(
    `/api/v1/events/${eventId}/invitations/${invitationId}/badge.png`, {
      headers: { Authorization: `Bearer ${token}`, "Accept-Language": state.language },
      signal: AbortSignal.timeout(BADGE_TIMEOUT_MS),
    });
  if (!response.ok) throw new Error(`badge: ${response.status}`);
  return response.blob();
}

function printBadge(invitationId) {
  if (!state.device) return;
  const badge = fetchBadge(invitationId); // fetched at once, printed in turn
  badge.catch(() => {}); // (its failure is handled in turn below)
  printing = printing.then(async () => {
    const url = URL.createObjectURL(await badge);
    const page = printDocument();
    const image = page.createElement("img");
    image.alt = "";
    image.src = url;
    try {
      await image.decode();
    } catch (error) {
      URL.revokeObjectURL(url);
      throw error;
    }
    page.body.replaceChildren(image);
    if (shownBadge) URL.revokeObjectURL(shownBadge);
    shownBadge = url;
    state.printed.push(invitationId);
    printFrame.contentWindow.print();
  }).catch(badgeNotPrinted);
}

function badgeNotPrinted() {
  $("print-note").hidden = false;
  clearTimeout(noteTimer);
  noteTimer = setTimeout(() => { $("print-note").hidden = true; }, NOTE_MS);
}

function start() {
  translate();
  $("pair-form").addEventListener("submit", pair);
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("scan-input");
    const code = input.value;
    input.value = "";
    scanned(code);
  });
  const printToggle = $("print-badges");
  printToggle.checked = state.printBadges;
  printToggle.addEventListener("change", () => {
    state.printBadges = printToggle.checked;
    localStorage.setItem(PRINT_BADGES, state.printBadges ? "on" : "off");
    $("scan-input").focus();
  });
  $("language").addEventListener("click", () => {
    state.language = state.language === "vi" ? "en" : "vi";
    localStorage.setItem(LANGUAGE, state.language);
    translate();
    $("scan-input").focus();
  });
  // Keep the scanner's input focused whatever is touched.
  document.addEventListener("click", () => {
    if (!$("scan").hidden) $("scan-input").focus();
  });
  show(state.device ? "scan" : "pair");
  startCamera({ video: $("camera"), onCode: scanned, stats: state,
                paused: () => state.busy || !state.device })
    .then((camera) => { state.camera = Boolean(camera); });
}

start();
