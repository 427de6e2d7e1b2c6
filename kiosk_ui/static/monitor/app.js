// The staff monitor at an event's gates (/monitor?event=ID), on the admin area's session,
// words and language switch: counters, arrivals per minute, the entry plan and the gates,
// the stream of scans and alerts (scans judged offline by a kiosk marked so), each kiosk's
// state, finding a guest (checking them in by hand, undoing a check-in made by mistake), the
// guests not yet arrived, one guest's details and visits, and kiosk pairing codes. Live
// over the event's feed: a dropped connection reconnects by itself and asks for what it
// missed (after=<seq>).
import { api, onSignedOut } from "../admin/api.js";
import { lang, setLang, t } from "../admin/i18n.js";
import { follow } from "../admin/live.js";
import { el, messageOf, signInForm, timeOfDay } from "../admin/ui.js";
import { gatePhrase } from "../admin/gates.js";
import { renderStats } from "./board.js";
import { eventFeed } from "./feed.js";
import { renderGuest, showGuest, startGuestPanel } from "./guest_panel.js";
import * as guests from "./guests.js";
import { followKiosks, kioskChanged, readKiosks, renderKiosks, startKiosks } from "./kiosks.js";

const eventId = Number(new URLSearchParams(location.search).get("event") || 1);
const STATS_EVERY_MS = 10000; // rates, forecasts and queues change even when nobody scans
const REPLAY_SIZE = 200; // updates read back when the page opens
const GATE_KEY = "kiosk-monitor-gate"; // the Gate box's value, kept on this device

const $ = (id) => document.getElementById(id);

/** What the browser tests read. */
const state = {
  me: null, event: null, lastSeq: 0, seqs: [], connected: false,
  stats: null, // the last counters, as the server gave them
  guest: null, // the open guest: {id, live, visits: [visit ids, newest first], visitCount}
};
window.monitorState = state;

let leaveFeed = null;
let statsTimer = null;
let refreshTimer = null;

const gate = () => $("gate").value.trim();
guests.startGuests({ eventId, gate });
startGuestPanel({ eventId, state });
startKiosks({ eventId, state });
const feed = eventFeed(state, { arrived: guests.arrived, undone: guests.undone });

async function refreshStats() {
  state.stats = await api(`/events/${eventId}/stats`);
  renderStats(state.stats);
}

function refreshSoon() { // at most one refresh per burst of updates
  refreshTimer ??= setTimeout(() => {
    refreshTimer = null;
    refreshStats().catch(() => {});
  }, 150);
}

function showConnection(live) {
  state.connected = live;
  $("connection").className = live ? "" : "offline";
  $("connection").textContent = t(live ? "live" : "reconnecting");
}

// ---- the shell: words, language, who is signed in ---------------------------------------

function translate() {
  document.documentElement.lang = lang();
  document.title = state.event ? `${state.event.name} · ${t("monitorTitle")}` : t("monitorTitle");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const button of $("language").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
  $("search-input").placeholder = t("nameOrPhone");
  $("guest-close").setAttribute("aria-label", t("close"));
  $("guest-close").title = t("close");
  for (const list of ["alert-list", "scan-list"]) $(list).dataset.empty = t("nothingYet");
  $("kiosk-list").dataset.empty = t("noKiosks");
  $("who").textContent = state.me ? state.me.full_name || state.me.username : "";
  if (leaveFeed) showConnection(state.connected);
  else $("connection").textContent = t("connecting");
}

function show(screen) {
  document.body.classList.toggle("signed-out", screen !== "monitor");
  $("signin").hidden = screen !== "signin";
  $("monitor").hidden = screen !== "monitor";
}

function signIn() {
  leaveFeed?.();
  leaveFeed = null;
  state.me = null;
  show("signin");
  const form = signInForm(async (me) => {
    state.me = me;
    await start();
  });
  $("signin").replaceChildren(el("h1", { text: t("signInTitle") }), form);
  form.elements.username.focus();
}

$("language").addEventListener("click", (event) => {
  const chosen = event.target.closest("button[data-lang]")?.dataset.lang;
  if (!chosen || chosen === lang()) return;
  setLang(chosen);
  translate();
  if (!state.me) {
    signIn();
    return;
  }
  if (state.stats) renderStats(state.stats);
  feed.render();
  renderKiosks();
  renderGuest();
  guests.search();
  guests.loadNotArrived(false).catch(() => {});
});

$("sign-out").addEventListener("click", async () => {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    // signed out already, or the server is away: the page forgets the user either way
  }
  signIn();
});

// ---- the monitor ---------------------------------------------------------------------------

$("monitor").addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-guest]");
  if (!opener || event.target.closest("button:not(.guest-link)")) return;
  const link = opener.closest(".guest-link") || opener.querySelector(".guest-link");
  showGuest(Number(opener.dataset.openGuest), link?.textContent);
});

$("gate").value = localStorage.getItem(GATE_KEY) || "";
$("gate").addEventListener("input", () => localStorage.setItem(GATE_KEY, gate()));

$("pairing-new").addEventListener("click", async () => {
  const button = $("pairing-new");
  button.disabled = true;
  try {
    const pairing = await api(`/events/${eventId}/pairings`, { method: "POST",
      body: { gate: gate() } });
    $("pairing-code").textContent = t("pairingCodeUntil", { code: pairing.code,
      gate: gatePhrase(pairing.gate), time: timeOfDay(pairing.expires_at, false) });
  } catch (error) {
    $("pairing-code").textContent = messageOf(error);
  } finally {
    button.disabled = false;
  }
});

async function start() {
  try {
    state.event = await api(`/events/${eventId}`);
  } catch (error) {
    if (error.status !== 401) $("event-name").textContent = messageOf(error);
    signIn();
    return;
  }
  $("event-name").textContent = state.event.name;
  show("monitor");
  translate();
  await Promise.all([refreshStats(), guests.loadNotArrived(false)]).catch(() => {});
  if (!state.lastSeq && state.stats) { // a long event: only its recent updates are shown
    state.lastSeq = Math.max(0, state.stats.last_seq - REPLAY_SIZE);
  }
  leaveFeed ??= follow(() => `/events/${eventId}/live?after=${state.lastSeq}&alerts=true`, {
    onMessage: (update) => {
      if (update.type === "kiosk") { // a kiosk's state, not numbered
        kioskChanged(update);
        return;
      }
      feed.receive(update);
      refreshSoon();
    },
    onStatus: (live) => {
      showConnection(live);
      if (live) {
        refreshSoon();
        readKiosks().catch(() => {}); // what changed while the feed was away
      }
    },
  });
  statsTimer ??= setInterval(refreshSoon, STATS_EVERY_MS);
  followKiosks();
}

onSignedOut(signIn);

async function open() {
  translate();
  try {
    state.me = await api("/auth/me");
  } catch {
    signIn(); // a 401 has shown the sign-in already; an unreachable server shows it too
    return;
  }
  await start();
}

open();
