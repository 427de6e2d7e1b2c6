// The event's kiosks on the monitor: each one's name and gate, whether it reaches the server
// (online, or offline since when and for how long), the scans it holds judged offline (how
// many, and how long the oldest has waited) and its last upload. Read from the server every
// 10 s and taken from each `kiosk` message of the feed; aged every second on the server's
// clock. The server's word holds while it is fresh; once a reading is overdue (the monitor
// lost the server), a kiosk last seen over 10 s ago shows offline since it was last seen.
import { api, serverNow } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { el, number, timeOfDay } from "../admin/ui.js";
import { gatePhrase } from "../admin/gates.js";

const READ_EVERY_MS = 10000;
const TICK_MS = 1000;
const SILENT_MS = 10000; // the server's own rule: not seen for longer is offline
const OVERDUE_MS = READ_EVERY_MS + 2000; // no word on a kiosk for longer: the page ages it

const $ = (id) => document.getElementById(id);

const desk = { eventId: null, state: null }; // set by startKiosks
// device id -> the server's last word on that kiosk, and when it came (`heardAt`, on the
// server's clock)
const kiosks = new Map();
let ticker = null;
let reader = null;

/** How long, as people say it: "45 giây", "3 phút 12 giây", "1 giờ 5 phút". */
function ageText(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return t("ageSeconds", { s: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("ageMinutes", { m: minutes, s: seconds % 60 });
  return t("ageHours", { h: number(Math.floor(minutes / 60)), m: minutes % 60 });
}

/** What the screen says of `kiosk` at `now` (server clock): the server's word, aged once it
 * is overdue. (The server saves a kiosk's last sighting every few seconds only: aged
 * between two readings, an online kiosk would blink offline.) */
function shownState(kiosk, now) {
  if (kiosk.state === "online" && now - kiosk.heardAt > OVERDUE_MS
      && now - Date.parse(kiosk.last_seen_at) > SILENT_MS) {
    return { state: "offline", since: kiosk.last_seen_at };
  }
  return { state: kiosk.state, since: kiosk.since ?? kiosk.last_seen_at };
}

function stateText(shown, now) {
  if (shown.state === "online") return t("kioskOnline");
  if (shown.state === "never" || !shown.since) return t("kioskNever");
  return t("kioskOfflineSince", { time: timeOfDay(shown.since, false),
    age: ageText(now - Date.parse(shown.since)) });
}

function queueText(kiosk, now) {
  if (!kiosk.queued) return t("kioskQueueEmpty");
  const age = kiosk.oldest_queued_at ? ageText(now - Date.parse(kiosk.oldest_queued_at)) : "–";
  return kiosk.queued === 1 ? t("kioskQueuedOne", { age })
    : t("kioskQueued", { n: number(kiosk.queued), age });
}

function kioskLine(kiosk, shown, now) {
  return el("li", { class: `kiosk ${shown.state}`,
    dataset: { deviceId: kiosk.device_id, state: shown.state } },
  el("span", { class: "title" }, el("span", { class: "name", text: kiosk.name }),
    el("span", { class: "gate", text: gatePhrase(kiosk.gate) })),
  el("span", { class: `badge ${shown.state}`, text: stateText(shown, now) }),
  el("span", { class: kiosk.queued ? "queue waiting" : "queue", text: queueText(kiosk, now) }),
  el("span", { class: "upload", text: kiosk.last_upload_at
    ? t("kioskLastUpload", { time: timeOfDay(kiosk.last_upload_at) }) : t("kioskNoUpload") }));
}

const byGateAndName = (a, b) => (a.gate || "").localeCompare(b.gate || "")
  || a.name.localeCompare(b.name) || a.device_id - b.device_id;

/** Every kiosk drawn as it stands now, in the page's language. */
export function renderKiosks() {
  const now = serverNow();
  const all = [...kiosks.values()].sort(byGateAndName);
  const shown = all.map((kiosk) => shownState(kiosk, now));
  $("kiosk-list").replaceChildren(...all.map((kiosk, index) => kioskLine(kiosk, shown[index],
    now)));
  const online = shown.filter((one) => one.state === "online").length;
  $("kiosks-count").textContent = all.length ? t("kiosksOnline", { online, all: all.length }) : "";
  desk.state.kiosks = all.map((kiosk, index) => ({ ...kiosk, shown: shown[index].state }));
}

/** When the server last saw a kiosk (never: before any time). */
const lastSeen = (kiosk) => (kiosk.last_seen_at ? Date.parse(kiosk.last_seen_at) : -Infinity);

/** The kiosks as the server has them now. What a `kiosk` message said since the question
 * was asked is kept: it is newer (a kiosk the answer had never seen included). */
export async function readKiosks() {
  const read = await api(`/events/${desk.eventId}/kiosks`);
  const heardAt = serverNow();
  const known = new Map(kiosks);
  kiosks.clear();
  for (const kiosk of read) {
    const heard = known.get(kiosk.device_id);
    const newer = heard && lastSeen(heard) > lastSeen(kiosk);
    kiosks.set(kiosk.device_id, { ...(newer ? heard : kiosk), heardAt });
  }
  renderKiosks();
}

/** A `kiosk` message of the event's feed: one kiosk's state changed. */
export function kioskChanged(message) {
  kiosks.set(message.device_id, { ...message, heardAt: serverNow() });
  renderKiosks();
}

/** Reads the kiosks now and every 10 s, and ages them every second. */
export function followKiosks() {
  readKiosks().catch(() => {});
  reader ??= setInterval(() => readKiosks().catch(() => {}), READ_EVERY_MS);
  ticker ??= setInterval(renderKiosks, TICK_MS);
}

/** The kiosks of event `eventId`; what they show goes in `state.kiosks` for the tests. */
export function startKiosks({ eventId, state }) {
  Object.assign(desk, { eventId, state });
  state.kiosks = [];
}
