// The monitor's guests: finding one by name or phone, the guests not yet arrived, checking a
// guest in by hand (asked first, at the gate in the Gate box) and undoing a check-in made by
// mistake (asked first too).
import { ApiError, api, query } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { confirmAction, debounce, el, messageOf, phoneText, timeOfDay } from "../admin/ui.js";
import { gatePhrase } from "../admin/gates.js";
import { guestLink } from "./feed.js";
import { randomId } from "../random-id.js";

const PAGE_SIZE = 50;
const SEARCH_SIZE = 20;
const RETRY_MS = [500, 1000, 2000, 4000]; // a hand check-in lost on the network
const ANSWER = { ok: "ok", already_checked_in: "warn" };

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const desk = { eventId: null, gate: () => "" }; // set by startGuests
const arrivedIds = new Set(); // customers the feed has shown arriving
let notArrivedCursor = null;
let searchNumber = 0;

function say(row, kind, text) {
  const answer = row.querySelector(".answer");
  answer.className = `answer ${kind}`;
  answer.textContent = text;
}

/** One invited guest: name (opens the guest), phone, arrived or not, and what to do. */
function guestLine(guest) {
  const name = el("span", { class: "name" }, guestLink(guest.customer_id, guest.name),
    guest.vip ? el("span", { class: "badge vip", text: "VIP" }) : null,
    guest.walk_in ? el("span", { class: "badge walk-in", text: t("walkIn") }) : null);
  const row = el("li", { class: "guest", dataset: { customerId: guest.customer_id } }, name,
    el("span", { class: "phone", text: phoneText(guest.phone) }),
    el("span", { class: "arrival" }), el("span", { class: "action" }),
    el("span", { class: "answer" }));
  row.guest = guest;
  if (guest.checked_in_at) markArrived(row, guest.checked_in_at, guest.gate);
  else markNotArrived(row);
  return row;
}

function markArrived(row, at, gate) {
  row.classList.remove("missing");
  row.classList.add("arrived");
  row.querySelector(".arrival").textContent = [t("arrivedAt", { time: timeOfDay(at) }),
    gate ? gatePhrase(gate) : null].filter(Boolean).join(" · ");
  row.querySelector(".action").replaceChildren(el("button", { type: "button",
    class: "undo small", text: t("undoCheckIn"), onclick: () => undo(row) }));
}

function markNotArrived(row) {
  row.classList.remove("arrived");
  row.classList.add("missing");
  row.querySelector(".arrival").textContent = t("notArrived");
  row.querySelector(".action").replaceChildren(el("button", { type: "button",
    class: "checkin small", text: t("handCheckIn"), onclick: () => checkIn(row) }));
}

/** A check-in by hand at the Gate box's gate, once staff confirm. */
async function checkIn(row) {
  const button = row.querySelector(".checkin");
  const gate = desk.gate();
  const question = t(gate ? "handCheckInQ" : "handCheckInNoGateQ", { name: row.guest.name,
    gate: gatePhrase(gate) });
  if (button.disabled || !await confirmAction(question, t("checkInButton"), "primary")) return;
  button.disabled = true;
  await send(row, { event_id: desk.eventId, customer_id: row.guest.customer_id, gate,
    scan_id: randomId() });
  button.disabled = false; // gone from the row once the guest is in
}

/** Sends a hand check-in; a retry after a network error sends the same scan id, so the
 * guest is checked in once. */
async function send(row, body) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await api("/checkins", { method: "POST", body });
      say(row, ANSWER[result.status] || "bad", result.message);
      if (result.status === "ok" || result.status === "already_checked_in") {
        markArrived(row, result.first_checked_in_at || result.checked_in_at, result.gate);
      }
      return;
    } catch (error) {
      if (error.status !== 0 || attempt === RETRY_MS.length) {
        say(row, "bad", messageOf(error));
        return;
      }
      say(row, "warn", t("retrying"));
      await sleep(RETRY_MS[attempt]);
    }
  }
}

/** Takes back the guest's check-in, once staff confirm. */
async function undo(row) {
  const button = row.querySelector(".undo");
  if (button.disabled || !await confirmAction(t("undoCheckInQ", { name: row.guest.name }),
    t("undoCheckIn"))) return;
  button.disabled = true;
  try {
    const undone = await api(`/events/${desk.eventId}/guests/${row.guest.customer_id}`
      + "/checkin/undo", { method: "POST" });
    say(row, "ok", t("checkInUndone", { name: row.guest.name }));
    if (!undone.still_arrived) markNotArrived(row);
  } catch (error) {
    say(row, "bad", messageOf(error));
  } finally {
    button.disabled = false;
  }
}

const guestsPath = (values) => `/events/${desk.eventId}/guests${query(values)}`;

/** The guests matching the search box (none for an empty box). */
export async function search() {
  const text = $("search-input").value.trim();
  const number = ++searchNumber;
  const list = $("search-results");
  if (!text) {
    list.replaceChildren();
    return;
  }
  let items;
  try {
    items = (await api(guestsPath({ q: text, limit: SEARCH_SIZE }))).items;
  } catch (error) {
    items = error;
  }
  if (number !== searchNumber) return; // a newer search is under way
  if (items instanceof ApiError) {
    list.replaceChildren(el("li", { class: "empty bad", text: items.message }));
  } else if (!items.length) {
    list.replaceChildren(el("li", { class: "empty", text: t("noGuestFound") }));
  } else {
    list.replaceChildren(...items.map(guestLine));
  }
}

/** The first page of the guests not arrived, or (`more`) the next one. */
export async function loadNotArrived(more) {
  const page = await api(guestsPath({ arrived: "false", limit: PAGE_SIZE,
    after: more ? notArrivedCursor : null }));
  const list = $("not-arrived-list");
  if (!more) list.replaceChildren();
  list.append(...page.items.filter((guest) => !arrivedIds.has(guest.customer_id))
    .map(guestLine));
  notArrivedCursor = page.next_cursor;
  $("not-arrived-more").hidden = page.next_cursor === null;
}

const reloadNotArrived = debounce(() => loadNotArrived(false).catch(() => {}), 300);
const rowsOf = (customerId) => document.querySelectorAll(
  `li.guest[data-customer-id="${customerId}"]`);

/** The feed showed a guest arriving: off the not-arrived list, marked in the results. */
export function arrived(customerId, at, gate) {
  arrivedIds.add(customerId);
  for (const row of rowsOf(customerId)) {
    if (row.parentElement.id === "not-arrived-list") row.remove();
    else markArrived(row, at, gate);
  }
}

/** The feed said their check-in was undone: not arrived again, wherever they show. */
export function undone(customerId) {
  arrivedIds.delete(customerId);
  for (const row of rowsOf(customerId)) markNotArrived(row);
  reloadNotArrived();
}

/** The guests of event `eventId`; `gate()` is the Gate box's value. */
export function startGuests({ eventId, gate }) {
  Object.assign(desk, { eventId, gate });
  $("search-input").addEventListener("input", debounce(search, 250));
  $("not-arrived-more").addEventListener("click", () => loadNotArrived(true).catch(() => {}));
}
