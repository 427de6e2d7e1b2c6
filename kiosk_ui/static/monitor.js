// The staff monitor at an event's gates: counters, arrivals per minute, entry planning and
// the gates, the stream of scans and alerts, finding a guest (and checking them in by hand),
// the guests not yet arrived, and one guest's details and visits.
// Live over the event's feed: a dropped connection reconnects by itself and asks for what it
// missed (after=<seq>). The open guest's visits come live over the guest's own feed.
"use strict";

const params = new URLSearchParams(location.search);
const eventId = Number(params.get("event") || 1);
const KIND = { ok: "ok", already_checked_in: "warn" };
const SLOW_RESULT_MS = 300; // a kiosk slower than this from scan to answer is flagged
const STATS_EVERY_MS = 15000; // rates decay even when nobody scans
const RECONNECT_MS = 1000;
const SEARCH_DELAY_MS = 250;
const RETRY_MS = [500, 1000, 2000, 4000]; // a manual check-in lost on the network
const PAGE_SIZE = 50;
const SEARCH_SIZE = 20;
const STREAM_SIZE = 50;
const ALERTS_SIZE = 100;
const REPLAY_SIZE = 200; // updates read back when the page opens
const OFFLINE = "Không kết nối được máy chủ / Cannot reach the server";

const state = {
  lastSeq: 0, seqs: [], connected: false, reconnects: 0,
  stats: null, // the last counters, as the server gave them
  guest: null, // the open guest: {id, live, visits: [visit ids, newest first], visitCount}
};
window.monitorState = state; // read by the browser tests
const arrivedIds = new Set(); // customers the feed has shown arriving
let notArrivedCursor = null;
let feedSocket = null;
let statsTimer = null;

const $ = (id) => document.getElementById(id);
// Times as the venue reads them, whatever the laptop's own zone.
const zone = document.querySelector("meta[name=kiosk-timezone]").content || undefined;
const clock = new Intl.DateTimeFormat("vi-VN", { timeStyle: "medium", timeZone: zone });
const minuteClock = new Intl.DateTimeFormat("vi-VN", {
  hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
const dayClock = new Intl.DateTimeFormat("vi-VN", {
  dateStyle: "short", timeStyle: "short", timeZone: zone });
const decimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
const timeOf = (iso) => clock.format(new Date(iso));
const minuteOf = (iso) => minuteClock.format(new Date(iso));
const gateName = (gate) => gate || "—";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- helpers -------------------------------------------------------------------------

/** The server answered with an error (as opposed to a network failure). */
class Answered extends Error {}

/** JSON from the API in Vietnamese; a 401 brings the sign-in back. */
async function api(path, { method = "GET", body } = {}) {
  const options = { method, headers: { "Accept-Language": "vi" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options); // rejects when the network is down
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) show("signin");
  if (!response.ok) throw new Answered(data.error?.message || `HTTP ${response.status}`);
  return data;
}

const problem = (error) => (error instanceof Answered ? error.message : OFFLINE);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function prependCapped(list, item, size) {
  list.prepend(item);
  while (list.children.length > size) list.lastChild.remove();
}

function setStatus(node, live, text) {
  node.className = live ? "" : "offline";
  node.textContent = text;
}

function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}

/** A client-made scan id; crypto.randomUUID exists only on https or localhost. */
function newScanId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
                    (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A guest's name that opens them in the guest panel. */
function guestLink(customerId, name) {
  const link = el("button", "who guest-link", name);
  link.type = "button";
  link.dataset.openGuest = customerId;
  return link;
}

// ---- counters, chart, planning, gates -------------------------------------------------

async function refreshStats() {
  const stats = await api(`/api/v1/events/${eventId}/stats`);
  state.stats = stats;
  renderCounters(stats);
  renderChart(stats.arrivals_by_minute || []);
  renderPlanning(stats.planning);
  renderGates(stats.gates || []);
  renderQueue(stats.gates || [], stats.planning);
}

let refreshTimer = null;
function refreshSoon() { // at most one refresh per burst of updates
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshStats().catch(() => {});
  }, 150);
}

function renderCounters(stats) {
  $("invited").textContent = stats.invited;
  $("checked-in").textContent = stats.checked_in;
  $("missing").textContent = stats.not_arrived;
  $("percent").textContent = stats.invited
    ? `${Math.round((100 * stats.checked_in) / stats.invited)}%` : "–";
  $("rate").textContent = decimal.format(stats.arrivals_per_minute);
  $("not-arrived-count").textContent = `(${stats.not_arrived})`;
}

const SVG = "http://www.w3.org/2000/svg";
const CHART = { width: 640, height: 80, side: 12, top: 12, bottom: 16 }; // the viewBox

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One bar a minute, the current minute last; every third minute labelled. */
function renderChart(minutes) {
  const chart = $("chart");
  const base = CHART.height - CHART.bottom;
  const most = Math.max(1, ...minutes.map((minute) => minute.arrivals));
  const slot = (CHART.width - 2 * CHART.side) / Math.max(minutes.length, 1);
  chart.replaceChildren(svg("line", { class: "axis", x1: 0, x2: CHART.width, y1: base, y2: base }));
  minutes.forEach((minute, index) => {
    const height = ((base - CHART.top) * minute.arrivals) / most;
    const middle = CHART.side + (index + 0.5) * slot;
    const last = index === minutes.length - 1;
    const bar = svg("rect", {
      class: last ? "bar now" : "bar", x: middle - slot / 2 + 2, y: base - height,
      width: slot - 4, height, "data-minute": Date.parse(minute.minute),
      "data-arrivals": minute.arrivals,
    });
    bar.append(svg("title", {}, `${minuteOf(minute.minute)} · ${minute.arrivals} khách / guests`));
    chart.append(bar);
    if (minute.arrivals) {
      chart.append(svg("text", { class: "count", x: middle, y: base - height - 2 }, minute.arrivals));
    }
    if ((minutes.length - 1 - index) % 3 === 0) {
      chart.append(svg("text", { class: "minute", x: middle, y: CHART.height - 3 },
                       minuteOf(minute.minute)));
    }
  });
}

function renderPlanning(planning) {
  if (!planning) return;
  $("plan-line").textContent = planLine(planning);
  const late = planning.late_by_minutes;
  $("plan-late").hidden = late === null || late === undefined;
  if (!$("plan-late").hidden) {
    const minutes = Math.max(1, Math.round(late));
    const start = minuteOf(planning.starts_at);
    $("plan-late").textContent =
      `Với tốc độ này, những khách cuối vào sau giờ bắt đầu (${start}) ${minutes} phút`
      + ` / At this pace the last guests enter ${minutes} min after the start (${start})`;
  }
}

function planLine(planning) {
  if (planning.remaining === 0) return "Khách đã đến đủ / Everyone is in";
  const pace = decimal.format(planning.per_minute);
  const parts = [`Còn ${planning.remaining} khách / ${planning.remaining} to come`,
                 `${pace} khách/phút (5′) / per minute`];
  if (planning.minutes_to_clear === null) {
    parts.push("5 phút qua chưa có ai vào / nobody entered in the last 5 min");
  } else {
    const minutes = Math.max(1, Math.round(planning.minutes_to_clear));
    parts.push(`hết khách sau ~${minutes} phút / all in within ~${minutes} min`);
  }
  return parts.join(" · ");
}

function renderGates(gates) {
  $("gate-rows").replaceChildren(...gates.map(gateRow));
}

function renderQueue(gates, planning) {
  const queued = gates.filter((gate) => gate.queue).map((gate) => gateName(gate.gate)).join(", ");
  const banner = $("queue-banner");
  banner.hidden = !planning?.queue_building;
  banner.textContent = `Khách đang xếp hàng ở cổng ${queued} — mở thêm kiosk`
    + ` / Guests are queuing at gate ${queued} — open another kiosk`;
}

function gateRow(gate) {
  const row = el("tr");
  row.dataset.gate = gate.gate;
  const slow = gate.median_result_ms !== null && gate.median_result_ms > SLOW_RESULT_MS;
  row.classList.toggle("slow", slow);
  row.classList.toggle("queue", gate.queue);
  const result = gate.median_result_ms === null ? "–"
    : `${gate.median_result_ms}${slow ? " · chậm / slow" : ""}`;
  for (const text of [gateName(gate.gate), gate.checked_in, gate.scans,
                      decimal.format(gate.per_minute), result,
                      gate.queue ? "Có / Yes" : "–"]) {
    row.append(el("td", null, text));
  }
  return row;
}

// ---- the event's feed: stream and alerts ---------------------------------------------

function scanLine(update, detail) {
  const customer = update.result.customer;
  const item = el("li", KIND[update.status] || "bad");
  item.append(el("span", "time", timeOf(update.scanned_at)), el("span", "status", update.status),
              customer ? guestLink(customer.id, customer.name)
                : el("span", "who", update.result.message),
              el("span", "gate", gateName(update.gate)));
  if (customer) {
    item.dataset.openGuest = customer.id;
    item.classList.toggle("vip", Boolean(customer.vip));
  }
  if (update.manual) item.append(el("span", "tag", "thủ công / manual"));
  if (detail) item.append(el("span", "detail", detail));
  return item;
}

/** What an alert says about an update, or null when the update is no alert. */
function alertDetail(update) {
  const result = update.result;
  if (update.status === "ok") {
    return result.customer?.vip ? "Khách VIP đã đến / VIP arrived" : null;
  }
  if (update.status === "already_checked_in") {
    const first = timeOf(result.first_checked_in_at);
    const gate = gateName(result.gate);
    return `Đã check-in lúc ${first} tại cổng ${gate}`
      + ` / first checked in at ${first} at gate ${gate}`;
  }
  return result.customer ? result.message : ""; // else the message stands in for the name
}

function receive(update) {
  if (update.seq <= state.lastSeq) return; // already shown
  state.lastSeq = update.seq;
  state.seqs.push(update.seq);
  prependCapped($("scan-list"), scanLine(update), STREAM_SIZE);
  const detail = alertDetail(update);
  if (detail !== null) prependCapped($("alert-list"), scanLine(update, detail), ALERTS_SIZE);
  if (update.status === "ok" && update.result.customer) {
    arrived(update.result.customer.id, update.result.checked_in_at || update.scanned_at,
            update.result.gate ?? update.gate);
  }
  refreshSoon();
}

function connect() {
  const socket = new WebSocket(
    socketUrl(`/api/v1/events/${eventId}/live?after=${state.lastSeq}`));
  feedSocket = socket;
  socket.onopen = () => {
    state.connected = true;
    setStatus($("connection"), true, "Trực tuyến / Live");
    refreshSoon();
  };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = (closed) => {
    state.connected = false;
    feedSocket = null;
    setStatus($("connection"), false, "Mất kết nối, đang kết nối lại… / Reconnecting…");
    if (closed.code === 4401) {
      show("signin");
      return;
    }
    state.reconnects += 1;
    setTimeout(connect, RECONNECT_MS);
  };
}

// ---- guests: search, not arrived, manual check-in ------------------------------------

/** One invited guest: name (opens the guest), phone, VIP, arrived or a check-in button. */
function guestLine(guest) {
  const row = el("li", "guest missing");
  row.dataset.customerId = guest.customer_id;
  const name = el("span", "name");
  name.append(guestLink(guest.customer_id, guest.name));
  if (guest.vip) name.append(el("span", "badge vip", "VIP"));
  row.append(name, el("span", "phone", guest.phone || "—"),
             el("span", "arrival", "Chưa đến / Not arrived"));
  if (guest.checked_in_at) {
    markArrived(row, guest.checked_in_at, guest.gate);
  } else {
    const button = el("button", "checkin", "Check-in thủ công / Check in");
    button.type = "button";
    button.addEventListener("click", () => checkIn(guest.customer_id, row));
    row.append(button);
  }
  row.append(el("span", "answer"));
  return row;
}

function markArrived(row, at, gate) {
  row.classList.replace("missing", "arrived");
  row.querySelector(".arrival").textContent =
    `Đã đến / Arrived ${timeOf(at)}${gate ? ` · ${gate}` : ""}`;
  row.querySelector(".checkin")?.remove();
}

/** The feed showed a guest arriving: off the not-arrived list, marked in the results. */
function arrived(customerId, at, gate) {
  arrivedIds.add(customerId);
  for (const row of document.querySelectorAll(`li.guest[data-customer-id="${customerId}"]`)) {
    if (row.parentElement.id === "not-arrived-list") row.remove();
    else markArrived(row, at, gate);
  }
}

/** A check-in by hand; a retry after a network error sends the same scan id. */
async function checkIn(customerId, row) {
  const button = row.querySelector(".checkin");
  const answer = row.querySelector(".answer");
  button.disabled = true;
  row.dataset.scanId ||= newScanId();
  const body = { event_id: eventId, customer_id: customerId, scan_id: row.dataset.scanId };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await api("/api/v1/checkins", { method: "POST", body });
      delete row.dataset.scanId;
      answer.className = `answer ${KIND[result.status] || "bad"}`;
      answer.textContent = result.message;
      if (result.status === "ok" || result.status === "already_checked_in") {
        markArrived(row, result.first_checked_in_at || result.checked_in_at, result.gate);
      }
      break;
    } catch (error) {
      if (error instanceof Answered || attempt === RETRY_MS.length) {
        if (error instanceof Answered) delete row.dataset.scanId;
        answer.className = "answer bad";
        answer.textContent = problem(error);
        break;
      }
      answer.className = "answer warn";
      answer.textContent = "Đang thử lại… / Retrying…";
      await sleep(RETRY_MS[attempt]);
    }
  }
  button.disabled = false; // gone from the row once the guest is in
}

function guestsPath(query) {
  return `/api/v1/events/${eventId}/guests?${new URLSearchParams(query)}`;
}

let searchTimer = null;
let searchNumber = 0;
function searchSoon() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, SEARCH_DELAY_MS);
}

async function search() {
  const query = $("search-input").value.trim();
  const number = ++searchNumber;
  const list = $("search-results");
  if (!query) {
    list.replaceChildren();
    return;
  }
  let items;
  try {
    items = (await api(guestsPath({ q: query, limit: SEARCH_SIZE }))).items;
  } catch (error) {
    items = error;
  }
  if (number !== searchNumber) return; // a newer search is under way
  if (items instanceof Error) {
    list.replaceChildren(el("li", "empty bad", problem(items)));
  } else if (!items.length) {
    list.replaceChildren(el("li", "empty", "Không tìm thấy khách / No guest found"));
  } else {
    list.replaceChildren(...items.map(guestLine));
  }
}

async function loadNotArrived(more) {
  const query = { arrived: "false", limit: PAGE_SIZE };
  if (more) query.after = notArrivedCursor;
  const page = await api(guestsPath(query));
  const list = $("not-arrived-list");
  if (!more) list.replaceChildren();
  list.append(...page.items.filter((guest) => !arrivedIds.has(guest.customer_id))
    .map(guestLine));
  notArrivedCursor = page.next_cursor;
  $("not-arrived-more").hidden = page.next_cursor === null;
}

// ---- the guest panel -------------------------------------------------------------------

let openPanel = null; // {id, visits: Map, socket}

function openGuest(customerId, name) {
  closeGuest();
  const panel = { id: customerId, visits: new Map(), socket: null };
  openPanel = panel;
  state.guest = { id: customerId, live: false, visits: [], visitCount: null };
  for (const id of ["guest-phone", "guest-tags", "guest-visit-count", "guest-notes"]) {
    $(id).replaceChildren();
  }
  $("guest-visits").replaceChildren();
  $("guest-name").textContent = name || "…";
  $("guest-empty").hidden = true;
  $("guest-card").hidden = false;
  watchGuest(panel);
}

function closeGuest() {
  const panel = openPanel;
  openPanel = null;
  state.guest = null;
  $("guest-card").hidden = true;
  $("guest-empty").hidden = false;
  panel?.socket?.close();
}

/** The guest's own feed: "ready" once subscribed, then one "visit" per new visit. */
function watchGuest(panel) {
  const socket = new WebSocket(socketUrl(`/api/v1/customers/${panel.id}/live`));
  panel.socket = socket;
  socket.onmessage = (message) => {
    if (openPanel !== panel) return;
    const data = JSON.parse(message.data);
    if (data.type === "ready") {
      loadGuest(panel).catch((error) => setGuestLive(false, problem(error)));
    } else if (data.type === "visit") {
      showVisits(panel, [data.visit]);
      showVisitCount(data.visit_count);
    }
  };
  socket.onclose = (closed) => {
    if (openPanel !== panel) return; // closed on purpose: another guest, or the panel shut
    setGuestLive(false, "Mất kết nối, đang kết nối lại… / Reconnecting…");
    if (closed.code === 4401) {
      show("signin");
    } else if (closed.code === 4404) {
      setGuestLive(false, "Không có khách này / No such guest");
    } else {
      setTimeout(() => openPanel === panel && watchGuest(panel), RECONNECT_MS);
    }
  };
}

/** Details and visits, read after the feed is subscribed so that no visit falls between. */
async function loadGuest(panel) {
  const [customer, visits] = await Promise.all([
    api(`/api/v1/customers/${panel.id}`), api(`/api/v1/customers/${panel.id}/visits`)]);
  if (openPanel !== panel) return;
  $("guest-name").textContent = customer.full_name;
  $("guest-phone").textContent = customer.phone || "—";
  const tags = (customer.tags || []).map(
    (tag) => el("span", tag === "vip" ? "badge vip" : "badge", tag));
  $("guest-tags").replaceChildren(...(tags.length ? tags : ["—"]));
  $("guest-notes").textContent = customer.notes || "—";
  showVisitCount(customer.visit_count);
  showVisits(panel, visits);
  setGuestLive(true, "trực tuyến / live");
}

function setGuestLive(live, text) {
  setStatus($("guest-live"), live, text);
  if (state.guest) state.guest.live = live;
}

function showVisitCount(count) { // counts only grow: a late answer may carry an older one
  state.guest.visitCount = Math.max(count, state.guest.visitCount ?? 0);
  $("guest-visit-count").textContent = state.guest.visitCount;
}

function showVisits(panel, visits) {
  for (const visit of visits) panel.visits.set(visit.id, visit);
  const newestFirst = [...panel.visits.values()].sort(
    (a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || b.id - a.id);
  $("guest-visits").replaceChildren(...newestFirst.map(visitLine));
  state.guest.visits = newestFirst.map((visit) => visit.id);
}

function visitLine(visit) {
  const here = visit.event_id === eventId;
  const what = visit.kind === "purchase" ? "Mua hàng / Purchase"
    : here ? "Sự kiện này / This event" : `Sự kiện / Event #${visit.event_id}`;
  const item = el("li", here ? "visit here" : "visit");
  item.append(el("span", "time", dayClock.format(new Date(visit.occurred_at))),
              el("span", "what", what), el("span", "gate", gateName(visit.gate)));
  return item;
}

// ---- screens and forms -------------------------------------------------------------------

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
  await Promise.all([refreshStats(), loadNotArrived(false)]).catch(() => {});
  if (!state.lastSeq && state.stats) { // a long event: only its recent updates are shown
    state.lastSeq = Math.max(0, state.stats.last_seq - REPLAY_SIZE);
  }
  if (!feedSocket) connect();
  statsTimer ??= setInterval(refreshSoon, STATS_EVERY_MS);
}

$("monitor").addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-guest]");
  if (!opener) return;
  const link = opener.closest(".guest-link") || opener.querySelector(".guest-link");
  openGuest(Number(opener.dataset.openGuest), link?.textContent);
});
$("guest-close").addEventListener("click", closeGuest);
$("search-input").addEventListener("input", searchSoon);
$("not-arrived-more").addEventListener("click", () => {
  loadNotArrived(true).catch(() => {});
});

$("pairing-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const pairing = await api(`/api/v1/events/${eventId}/pairings`, {
      method: "POST", body: { gate: $("pairing-gate").value.trim() } });
    $("pairing-code").textContent = `${pairing.code}  (→ ${minuteOf(pairing.expires_at)})`;
  } catch (error) {
    $("pairing-code").textContent = problem(error);
  }
});

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api("/api/v1/auth/login", {
      method: "POST", body: { username: $("username").value, password: $("password").value } });
  } catch (error) {
    $("signin-error").textContent = problem(error);
    return;
  }
  $("signin-error").textContent = "";
  open();
});

open();
