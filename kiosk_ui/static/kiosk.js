// The kiosk at a gate: paired once, then scan -> "saving…" -> answer on screen -> back to
// scanning. A scan is never lost: until the server answers, it is sent again with the same
// scan_id (scan-sender.js), which the server answers once and records once. A greeting goes
// after a moment; a refusal stays until the next scan or a tap on the screen. Optionally (a
// setting of this kiosk) a guest's name badge is printed as they arrive, once their answer
// is on screen (kiosk/badges.js). The camera and its QR decoding: scanner.js, shared with
// the till.
//
// Without the server the kiosk goes on (issue 16): once it holds its event's offline copy
// (kiosk/offline-copy.js), a check-in not answered within 1.5 s, and every scan while it is
// offline, is judged here (kiosk/judge.js), shown at once with an "offline" mark and kept in
// a queue (kiosk/queue.js) that goes up when the server answers again (kiosk/connection.js,
// which syncs about every 3 s). The page itself is kept by a service worker (/kiosk-sw.js).
import { randomId } from "./random-id.js";
import { startCamera } from "./scanner.js";
import { Outcome, ScanSender } from "./scan-sender.js";
import { printBadge } from "./kiosk/badges.js";
import { beep } from "./kiosk/sounds.js";
import { Connection } from "./kiosk/connection.js";
import { clock, judge } from "./kiosk/judge.js";
import { CAN_JUDGE, OfflineCopy } from "./kiosk/offline-copy.js";
import { ScanQueue } from "./kiosk/queue.js";


const STORE = "kiosk.device";
const REVOKED = "kiosk.revoked"; // set when the server refused the device's token
const LANGUAGE = "kiosk.language";
const PRINT_BADGES = "kiosk.printBadges";
const SHOW_MS = 1500; // how long a greeting stays (a refusal stays until the next scan)
const MAX_REPORTED_MS = 3600000;
const STATUS_MS = 15000; // how often the status line's "oldest X minutes" is brought up to date

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
  online: ["Trực tuyến", "Online"],
  offline: ["Ngoại tuyến từ {time}", "Offline since {time}"],
  queued: ["{n} lượt quét chờ gửi", "{n} scans waiting to be sent"],
  queuedOne: ["1 lượt quét chờ gửi", "1 scan waiting to be sent"],
  oldest: ["{n} lượt quét chờ gửi, lâu nhất {m} phút",
    "{n} scans waiting to be sent, the oldest for {m} min"],
  oldestOne: ["1 lượt quét chờ gửi, đã {m} phút", "1 scan waiting to be sent, for {m} min"],
  onlineOnly: ["Kiosk này chỉ check-in được khi có mạng: để làm việc cả khi mất mạng, hãy mở trang qua HTTPS.",
    "This kiosk checks guests in only while it reaches the server: to work offline too, open the page over HTTPS."],
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
  storageKept: null, // whether the browser promised to keep the offline data
  offlineReady: false, // whether the service worker keeps the page
};
const sender = new ScanSender();
const copy = new OfflineCopy();
const queue = new ScanQueue();
const connection = new Connection({
  copy, queue, device: () => state.device, language: () => state.language,
  onChange: () => showStatus(), onRevoked: () => revoked(),
});
let loading = Promise.resolve(); // the offline copy and queue, read from IndexedDB
state.sender = sender.state;
state.connection = connection.state;
state.copy = copy;
state.queue = queue;
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

/** Puts a text that comes in both languages ({vi, en}: the kiosk's own judgement) in `node`. */
function sayBoth(node, said) {
  node.dataset.vi = said.vi;
  node.dataset.en = said.en;
  node.textContent = said[state.language];
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
  openOffline();
}

/** Reads the device's offline copy and its queue from IndexedDB, then starts syncing (not
 * before: a copy read late would undo the fresh one the first sync brings). */
function openOffline() {
  loading = (async () => {
    queue.eventId = state.device.event_id;
    await copy.load(state.device.event_id);
    await queue.measure();
  })().catch((error) => console.error(error)); // no IndexedDB: scans wait for the server
  loading.then(() => {
    showStatus();
    connection.start();
  });
}

// The kiosk's token was refused: it was revoked (or its device is gone). It cannot check
// anyone in until staff pair it again; the scans waiting to be sent are dropped with it, and
// its offline copy too (those judged offline stay queued, for a pairing to the same event).
function revoked() {
  if (!state.device) return;
  copy.forget();
  localStorage.removeItem(STORE);
  localStorage.setItem(REVOKED, "yes");
  state.device = null;
  state.revoked = true;
  waiting.length = 0;
  idle();
  $("pair-code").value = ""; // the old code was used up: a new one is needed
  show("pair");
}

const KIND = { ok: "ok", already_checked_in: "warn" };

function display(result) {
  const kind = KIND[result.status] || "bad";
  $("screen").className = kind;
  $("retrying").hidden = true;
  $("offline-mark").hidden = !result.offline; // judged here, without the server
  if (result.status === "ok" && result.customer) {
    say($("headline"), "welcome", { name: result.customer.name });
    say($("detail"), "visit", { n: result.customer.visit_count });
  } else {
    if (result.customer) sayAsIs($("headline"), result.customer.name);
    else say($("headline"), kind === "warn" ? "already" : "refused");
    if (result.messages) sayBoth($("detail"), result.messages);
    else if (result.message) sayAsIs($("detail"), result.message);
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
  $("offline-mark").hidden = true;
}

function idle() {
  $("screen").className = "idle";
  say($("headline"), "idle");
  sayAsIs($("detail"), "");
  $("retrying").hidden = true;
  $("go-on").hidden = true;
  $("offline-mark").hidden = true;
  if (!$("scan").hidden) $("scan-input").focus();
}

// --- the status line: online or offline since when, the scans waiting and the oldest's age
function showStatus() {
  const line = $("status-line");
  const { online, offlineSince } = connection.state;
  line.className = `status-line ${online ? "online" : "offline"}`;
  if (online) say($("link-state"), "online");
  else {
    const zone = copy.ready ? copy.meta.event.timezone : undefined;
    say($("link-state"), "offline", { time: clock(offlineSince.toISOString(), zone) });
  }
  const n = queue.count;
  const m = queue.oldest ? Math.floor((Date.now() - new Date(queue.oldest)) / 60000) : 0;
  const key = n === 1 ? "One" : "";
  say($("queue-state"), n ? `oldest${key}` : `queued${key}`, { n, m: Math.max(m, 0) });
  line.dataset.queued = n;
}

async function send(code, decodedAt) {
  await loading;
  const scanId = randomId();
  if (copy.ready) {
    // Scans judged offline go up first, in order: a new scan waits while they do.
    if (connection.state.online && queue.count) await connection.sync();
    if (!state.device) return null; // revoked meanwhile
    if (!connection.state.online || queue.count) return judgeHere(code, scanId);
  }
  // With each scan the kiosk reports how long it had been free before this code came
  // (short waits mean guests are queuing) and how long its previous scan took.
  const idleMs = Math.round(Math.min(Math.max(decodedAt - state.readyAt, 0), MAX_REPORTED_MS));
  const body = { code, event_id: state.device.event_id, scan_id: scanId,
                 idle_ms: idleMs, previous: state.report };
  state.report = null;
  const sent = await sender.send(body, {
    token: state.device.token, language: state.language,
    once: copy.ready, // else sent again until the server answers, as there is no other way
    onRetry: () => {
      state.retries += 1;
      $("retrying").hidden = false;
    },
  });
  if (sent.outcome === Outcome.REVOKED) return null;
  if (sent.outcome === Outcome.ANSWERED) return sent.result;
  if (sent.outcome === Outcome.UNANSWERED && state.device) {
    connection.offline();
    return judgeHere(code, scanId);
  }
  return { status: "invalid", message: sent.message };
}

/** Judges a scan here (the server cannot be reached) and queues it for the server. */
async function judgeHere(code, scanId) {
  const { result, queued, admission } = await judge(copy, code, {
    scanId, now: new Date(), gate: state.device.gate,
  });
  await queue.add(queued, admission);
  showStatus();
  return result;
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
  if (result.scan_id && !result.offline) { // (an offline scan is not on the server yet)
    state.report = { scan_id: result.scan_id, result_ms: took };
  }
  state.readyAt = now;
  if (state.printBadges && result.status === "ok" && result.invitation_id && state.device) {
    printBadge(result.invitation_id, { device: state.device, language: state.language,
                                       printed: state.printed, note: $("print-note") });
  }
}

// No camera (or none that can be used): the kiosk says so, and that scanners still work.
function cameraUnavailable(reason) {
  state.camera = reason;
  say($("camera-note"), reason);
  $("camera-note").hidden = false;
}

// The browser is asked to keep this kiosk's offline data; if it will not promise to, the
// kiosk says so (the queue could be lost if the browser clears its storage).
async function keepStorage() {
  if (!CAN_JUDGE) { // nothing is kept: the kiosk cannot work offline here at all
    say($("storage-note"), "onlineOnly");
    $("storage-note").hidden = false;
    return;
  }
  let kept = false;
  try {
    kept = await navigator.storage.persisted() || await navigator.storage.persist();
  } catch {
    kept = false; // no Storage API: nothing is promised
  }
  state.storageKept = kept;
  $("storage-note").hidden = kept;
}

function keepPage() {
  navigator.serviceWorker?.register("/kiosk-sw.js", { scope: "/kiosk" })
    .then(() => navigator.serviceWorker.ready)
    .then(() => { state.offlineReady = true; })
    .catch(() => {}); // no service worker (not a secure origin): the page needs the network
}

function start() {
  translate();
  keepStorage();
  keepPage();
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
  showStatus();
  if (state.device) openOffline();
  setInterval(showStatus, STATUS_MS);
  startCamera({ video: $("camera"), onCode: scanned, stats: state,
                paused: () => state.busy || !state.device, onUnavailable: cameraUnavailable })
    .then((camera) => { if (camera) state.camera = true; });
}

start();
