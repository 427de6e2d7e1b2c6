// The kiosk at a gate: paired once, then scan -> "saving…" -> answer on screen -> back to
// scanning. A scan is never lost: until the server answers, it is sent again with the same
// scan_id (scan-sender.js), which the server answers once and records once. A greeting goes
// after a moment; a refusal stays until the next scan or a tap on the screen. Optionally (a
// setting of this kiosk) a guest's name badge is printed as they arrive, once their answer
// is on screen. The camera and its QR decoding: scanner.js, shared with the till.
import { startCamera } from "./scanner.js";
import { Outcome, ScanSender } from "./scan-sender.js";


const STORE = "kiosk.device";
const REVOKED = "kiosk.revoked"; // set when the server refused the device's token
const LANGUAGE = "kiosk.language";
const PRINT_BADGES = "kiosk.printBadges";
const SHOW_MS = 1500; // how long a greeting stays (a refusal stays until the next scan)
const MAX_REPORTED_MS = 3600000;
const BADGE_TIMEOUT_MS = 10000;
const NOTE_MS = 4000;

// What the kiosk says, [Vietnamese, English].
const WORDS = {
  idle: ["Mời quét mã QR", "Please scan your QR code"],
  saving: ["Đang lưu…", "Saving…"],
  wait: ["Xin chờ một chút.", "One moment, please."],
  welcome: ["Xin chào {name}", "Welcome, {name}"],
  visit: ["Lần ghé thăm thứ {n}", "Visit number {n}"],
  already: ["Đã check-in", "Already checked in"],
  refused: ["Chưa vào được", "Cannot enter yet"],
  unreadable: ["Không đọc được mã này.", "This code cannot be read."],
  noServer: ["Không kết nối được máy chủ.", "Cannot reach the server."],
  pairShape: ["Mã ghép nối gồm 8 chữ cái và chữ số, như K7QM-4XPA; tên kiosk tối đa 100 ký tự.",
    "A pairing code is 8 letters and digits, like K7QM-4XPA; a kiosk name is 100 characters at most."],
  no_camera: ["Không tìm thấy camera. Máy quét cầm tay vẫn dùng được.",
    "No camera found. A handheld scanner still works."],
  denied: ["Không được phép dùng camera. Máy quét cầm tay vẫn dùng được.",
    "The camera is not allowed. A handheld scanner still works."],
  failed: ["Camera không dùng được. Máy quét cầm tay vẫn dùng được.",
    "The camera cannot be used. A handheld scanner still works."],
  no_decoder: ["Kiosk này không đọc được mã QR bằng camera. Máy quét cầm tay vẫn dùng được.",
    "This kiosk cannot read QR codes with its camera. A handheld scanner still works."],
};

const state = {
  device: JSON.parse(localStorage.getItem(STORE) || "null"),
  revoked: localStorage.getItem(REVOKED) === "yes",
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
  camera: null, // true once the camera reads codes; else why not ("no_camera", "denied"...)
};
const sender = new ScanSender();
state.sender = sender.state;
window.kioskState = state; // read by the browser tests

const $ = (id) => document.getElementById(id);

/** Puts the words `key` (filled with `values`) in `node`, in both languages: a switch of
 * language then changes it too. */
function say(node, key, values = {}) {
  const [vi, en] = WORDS[key].map((text) => text.replace(/\{(\w+)\}/g,
    (_, name) => values[name]));
  node.dataset.vi = vi;
  node.dataset.en = en;
  node.textContent = node.dataset[state.language];
}

/** Puts a text that comes in one language only (the server's) in `node`. */
function sayAsIs(node, text) {
  node.dataset.vi = node.dataset.en = node.textContent = text;
}

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
  $("revoked").hidden = !state.revoked;
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
    if (body.error) sayAsIs($("pair-error"), body.error.message);
    else if (body.detail) say($("pair-error"), "pairShape"); // 422: the code's or name's shape
    else say($("pair-error"), "noServer");
    return;
  }
  const device = await response.json();
  state.device = { token: device.token, event_id: device.event_id, gate: device.gate,
                   name: device.name };
  localStorage.setItem(STORE, JSON.stringify(state.device));
  localStorage.removeItem(REVOKED);
  state.revoked = false;
  show("scan");
}

// The kiosk's token was refused: it was revoked (or its device is gone). It cannot check
// anyone in until staff pair it again; the scans waiting are dropped with it.
function revoked() {
  localStorage.removeItem(STORE);
  localStorage.setItem(REVOKED, "yes");
  state.device = null;
  state.revoked = true;
  waiting.length = 0;
  idle();
  $("pair-code").value = ""; // the old code was used up: a new one is needed
  show("pair");
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
  $("screen").className = kind;
  $("retrying").hidden = true;
  if (result.status === "ok" && result.customer) {
    say($("headline"), "welcome", { name: result.customer.name });
    say($("detail"), "visit", { n: result.customer.visit_count });
  } else {
    if (result.customer) sayAsIs($("headline"), result.customer.name);
    else say($("headline"), kind === "warn" ? "already" : "refused");
    if (result.message) sayAsIs($("detail"), result.message);
    else say($("detail"), "unreadable");
  }
  $("go-on").hidden = kind === "ok"; // a refusal stays: it says how to go on
  beep(kind);
  if (kind === "ok") {
    setTimeout(() => {
      if (state.lastResult === result) idle();
    }, SHOW_MS);
  }
}

function saving() {
  $("screen").className = "saving";
  say($("headline"), "saving");
  say($("detail"), "wait");
  $("go-on").hidden = true;
}

function idle() {
  $("screen").className = "idle";
  say($("headline"), "idle");
  sayAsIs($("detail"), "");
  $("retrying").hidden = true;
  $("go-on").hidden = true;
  if (!$("scan").hidden) $("scan-input").focus();
}

async function send(code, decodedAt) {
  // With each scan the kiosk reports how long it had been free before this code came
  // (short waits mean guests are queuing) and how long its previous scan took.
  const idleMs = Math.round(Math.min(Math.max(decodedAt - state.readyAt, 0), MAX_REPORTED_MS));
  const body = { code, event_id: state.device.event_id, scan_id: crypto.randomUUID(),
                 idle_ms: idleMs, previous: state.report };
  state.report = null;
  const sent = await sender.send(body, {
    token: state.device.token, language: state.language,
    onRetry: () => {
      state.retries += 1;
      $("retrying").hidden = false;
    },
  });
  if (sent.outcome === Outcome.REVOKED) return null;
  if (sent.outcome === Outcome.ANSWERED) return sent.result;
  return { status: "invalid", message: sent.message };
}

// Codes that came while an earlier one was being sent (a fast queue, a slow network):
// each is sent in turn, none is lost.
const waiting = [];

function scanned(code) {
  code = code.trim();
  if (!code || !state.device) return;
  waiting.push({ code, decodedAt: performance.now() });
  if (!state.busy) sendWaiting();
}

async function sendWaiting() {
  state.busy = true;
  try {
    while (waiting.length) {
      const { code, decodedAt } = waiting.shift();
      state.lastResult = null;
      saving(); // at once: the guest sees their scan was taken
      const result = await send(code, decodedAt);
      if (!result) {
        revoked();
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

// No camera (or none that can be used): the kiosk says so, and that scanners still work.
function cameraUnavailable(reason) {
  state.camera = reason;
  say($("camera-note"), reason);
  $("camera-note").hidden = false;
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
  // A tap on the screen puts a refusal away (a greeting goes by itself).
  $("screen").addEventListener("click", () => {
    if (!state.busy && $("screen").className !== "idle") idle();
  });
  // Keep the scanner's input focused whatever is touched.
  document.addEventListener("click", () => {
    if (!$("scan").hidden) $("scan-input").focus();
  });
  show(state.device ? "scan" : "pair");
  startCamera({ video: $("camera"), onCode: scanned, stats: state,
                paused: () => state.busy || !state.device, onUnavailable: cameraUnavailable })
    .then((camera) => { if (camera) state.camera = true; });
}

start();
