// The staff monitor: counters, the stream of scans, alerts; live over the event's feed.
// A dropped connection reconnects by itself and asks for what it missed (after=<seq>).
"use strict";

const params = new URLSearchParams(location.search);
const eventId = Number(params.get("event") || 1);
const KIND = { ok: "ok", already_checked_in: "warn" };
const state = { lastSeq: 0, seqs: [], connected: false, reconnects: 0 };
window.monitorState = state; // read by the browser tests
const $ = (id) => document.getElementById(id);
// Times as the venue reads them, whatever the laptop's own zone.
const clock = new Intl.DateTimeFormat("vi-VN", {
  timeStyle: "medium",
  timeZone: document.querySelector("meta[name=kiosk-timezone]").content || undefined,
});

async function api(path) {
  const response = await fetch(path, { headers: { "Accept-Language": "vi" } });
  if (response.status === 401) throw new Error("signed-out");
  return response.json();
}

async function refreshCounters() {
  const stats = await api(`/api/v1/events/${eventId}/stats`);
  $("invited").textContent = stats.invited;
  $("checked-in").textContent = stats.checked_in;
  $("missing").textContent = stats.not_arrived;
  $("percent").textContent = stats.invited
    ? `${Math.round((100 * stats.checked_in) / stats.invited)}%` : "–";
  $("rate").textContent = stats.arrivals_per_minute;
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refreshCounters().catch(() => {}), 150);
}

function line(update) {
  const item = document.createElement("li");
  item.className = KIND[update.status] || "bad";
  const time = clock.format(new Date(update.scanned_at));
  const who = update.result.customer ? update.result.customer.name : update.result.message;
  for (const [name, text] of [["time", time], ["status", update.status], ["who", who],
                              ["gate", update.gate]]) {
    const cell = document.createElement("span");
    cell.className = name;
    cell.textContent = text;
    item.append(cell);
  }
  return item;
}

function receive(update) {
  if (update.seq <= state.lastSeq) return; // already shown
  state.lastSeq = update.seq;
  state.seqs.push(update.seq);
  const list = $("scan-list");
  list.prepend(line(update));
  while (list.children.length > 50) list.lastChild.remove();
  if (!KIND[update.status]) {
    $("alert-list").prepend(line(update));
  }
  refreshSoon();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(
    `${scheme}://${location.host}/api/v1/events/${eventId}/live?after=${state.lastSeq}`);
  socket.onopen = () => {
    state.connected = true;
    $("connection").className = "";
    $("connection").textContent = "Trực tuyến / Live";
    refreshSoon();
  };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = (closed) => {
    state.connected = false;
    $("connection").className = "offline";
    $("connection").textContent = "Mất kết nối, đang kết nối lại… / Reconnecting…";
    if (closed.code === 4401) {
      show("signin");
      return;
    }
    state.reconnects += 1;
    setTimeout(connect, 1000);
  };
}

function show(screen) {
  $("signin").hidden = screen !== "signin";
  $("monitor").hidden = screen !== "monitor";
}

async function open() {
  try {
    const event = await api(`/api/v1/events/${eventId}`);
    $("event-name").textContent = event.name;
  } catch (error) {
    show("signin");
    return;
  }
  show("monitor");
  await refreshCounters();
  connect();
}

$("pairing-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch(`/api/v1/events/${eventId}/pairings`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": "vi" },
    body: JSON.stringify({ gate: $("pairing-gate").value.trim() }),
  });
  const body = await response.json();
  if (!response.ok) {
    $("pairing-code").textContent = body.error?.message || "Error";
    return;
  }
  const until = clock.format(new Date(body.expires_at)).slice(0, 5);
  $("pairing-code").textContent = `${body.code}  (→ ${until})`;
});

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  if (!response.ok) {
    $("signin-error").textContent = (await response.json()).error?.message || "Error";
    return;
  }
  open();
});

open();
