// One guest on the monitor: details and visit history, kept live over the guest's own feed
// (a new visit appears, a check-in undone takes its visit away).
import { api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { follow } from "../admin/live.js";
import { el, phoneText, tagList, when } from "../admin/ui.js";
import { gateName } from "../admin/gates.js";

const $ = (id) => document.getElementById(id);
const STACKED = "(max-width: 1100px)"; // the panel is under the lists (monitor.css)

const desk = { eventId: null, state: null }; // set by startGuestPanel
let open = null; // the guest shown: {id, customer, visits: Map, visitCount, leave}

function setLive(live, text) {
  const node = $("guest-live");
  node.className = live ? "" : "offline";
  node.textContent = text;
  if (desk.state.guest) desk.state.guest.live = live;
}

function visitLine(visit) {
  const here = visit.event_id === desk.eventId;
  const what = visit.kind === "purchase" ? t("purchase")
    : here ? t("thisEvent") : t("otherEvent", { id: visit.event_id });
  return el("li", { class: here ? "visit here" : "visit" },
    el("span", { class: "time", text: when(visit.occurred_at) }),
    el("span", { class: "what", text: what }),
    el("span", { class: "gate", text: gateName(visit.gate) }));
}

function showVisits(panel) {
  const newestFirst = [...panel.visits.values()].sort(
    (a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || b.id - a.id);
  $("guest-visits").replaceChildren(...newestFirst.map(visitLine));
  desk.state.guest.visits = newestFirst.map((visit) => visit.id);
}

function showCount(panel, count) {
  panel.visitCount = count;
  desk.state.guest.visitCount = count;
  $("guest-visit-count").textContent = count ?? "";
}

function showDetails(customer) {
  $("guest-name").textContent = customer.full_name || `#${customer.id}`; // erased: no name
  $("guest-phone").textContent = phoneText(customer.phone);
  $("guest-tags").replaceChildren(customer.tags?.length ? tagList(customer.tags) : "—");
  $("guest-notes").textContent = customer.notes || "—";
}

/** Details and visits, read after the feed is subscribed so that no visit falls between. */
async function load(panel) {
  const [customer, visits] = await Promise.all([api(`/customers/${panel.id}`),
    api(`/customers/${panel.id}/visits`)]);
  if (open !== panel) return;
  panel.customer = customer;
  panel.visits = new Map(visits.map((visit) => [visit.id, visit]));
  showDetails(customer);
  showCount(panel, customer.visit_count);
  showVisits(panel);
  setLive(true, t("live"));
}

function receive(panel, data) {
  if (open !== panel) return;
  if (data.type === "ready") { // first, and after any gap: read it all
    load(panel).catch((error) => setLive(false, error.message));
  } else if (data.type === "visit") {
    panel.visits.set(data.visit.id, data.visit);
    showVisits(panel);
    showCount(panel, Math.max(data.visit_count, panel.visitCount ?? 0));
  } else if (data.type === "visit_removed") { // a check-in undone
    panel.visits.delete(data.visit_id);
    showVisits(panel);
    showCount(panel, data.visit_count);
  }
}

export function closeGuest() {
  open?.leave();
  open = null;
  desk.state.guest = null;
  $("guest-card").hidden = true;
  $("guest-empty").hidden = false;
}

/** Shows the customer `customerId` (`name` until their details are read). */
export function showGuest(customerId, name) {
  closeGuest();
  const panel = { id: customerId, customer: null, visits: new Map(), visitCount: null };
  open = panel;
  desk.state.guest = { id: customerId, live: false, visits: [], visitCount: null };
  for (const id of ["guest-phone", "guest-tags", "guest-visit-count", "guest-notes",
    "guest-visits"]) $(id).replaceChildren();
  $("guest-name").textContent = name || "…";
  $("guest-empty").hidden = true;
  $("guest-card").hidden = false;
  if (matchMedia(STACKED).matches) $("guest").scrollIntoView({ block: "start" }); // below
  setLive(false, t("connecting"));
  panel.leave = follow(() => `/customers/${customerId}/live`, {
    onMessage: (data) => receive(panel, data),
    onStatus: (live) => {
      if (!live && open === panel) setLive(false, t("reconnecting"));
    },
  });
}

/** The open guest drawn again in the page's language. */
export function renderGuest() {
  if (!open?.customer) return;
  showDetails(open.customer);
  showVisits(open);
  setLive(desk.state.guest.live, t(desk.state.guest.live ? "live" : "reconnecting"));
}

/** The guest panel of event `eventId`; what it shows goes in `state.guest` for the tests. */
export function startGuestPanel({ eventId, state }) {
  Object.assign(desk, { eventId, state });
  $("guest-close").addEventListener("click", closeGuest);
}
