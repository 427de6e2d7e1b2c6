// #/ : the events running now and coming up, each with its counters kept live, and the way
// to everything else.
import { api } from "./api.js";
import { alertSentence } from "./complaints.js";
import { eventTimes, liveCounters, monitorLink } from "./events.js";
import { t } from "./i18n.js";
import { follow, liveStatus } from "./live.js";
import { statusNode } from "./rhythm.js";
import { el, link, when } from "./ui.js";

const ALERTS_SHOWN = 8;
const DRIFTING = new Set(["watch", "at_risk", "lapsed"]);

/** A customer who just started drifting (their status changed to a worse one), live. */
const driftItem = (change) => el("li", { class: "alert-line drift",
  dataset: { customerId: change.customer_id } },
el("strong", {}, link(`#/customers/${change.customer_id}`, change.customer_name
  || `#${change.customer_id}`)), statusNode(change),
el("small", { class: "hint", text: when(change.at) }));

function alertItem(alert) {
  return el("li", { class: "alert-line", dataset: { complaintId: alert.complaint_id } },
    el("strong", { text: alertSentence(alert) }),
    alert.comment ? el("q", { text: alert.comment }) : null,
    el("small", { class: "hint", text: when(alert.at) }));
}

/** Admins: customers who rated a visit low, the open ones first, and each new one live. */
function alertsPanel(context) {
  const list = el("ul", { class: "alerts" });
  const empty = el("p", { class: "empty", text: t("alertsEmpty") });
  const status = liveStatus();
  const show = (alert, first) => {
    list.querySelector(`[data-complaint-id="${alert.complaint_id}"]`)?.remove();
    const item = alertItem(alert);
    if (first) list.prepend(item);
    else list.append(item);
    while (list.children.length > ALERTS_SHOWN) list.lastChild.remove();
    empty.hidden = true;
  };
  const loadOpen = async () => {
    const open = (await api("/complaints?status=open&limit=50"))
      .filter((complaint) => complaint.source === "feedback");
    for (const item of list.querySelectorAll("[data-complaint-id]")) item.remove();
    for (const complaint of open.slice(0, ALERTS_SHOWN)) {
      show({ complaint_id: complaint.id, customer_id: complaint.customer_id,
        customer_name: complaint.customer_name, visit_rating: complaint.visit_rating,
        staff_rating: complaint.staff_rating, staff_name: complaint.about_staff_name,
        comment: complaint.text, at: complaint.opened_at }, false);
    }
    empty.hidden = list.children.length > 0;
  };
  context.onLeave(follow(() => "/alerts/live", {
    onStatus: (live) => status.show(live, t(live ? "live" : "reconnecting")),
    onMessage: (message) => {
      if (message.type === "ready") loadOpen().catch(() => {});
      else if (message.type === "feedback_alert") show(message, true);
      else if (message.type === "status_change" && DRIFTING.has(message.status)) {
        list.querySelector(`.drift[data-customer-id="${message.customer_id}"]`)?.remove();
        list.prepend(driftItem(message));
        while (list.children.length > ALERTS_SHOWN) list.lastChild.remove();
        empty.hidden = true;
      }
    },
  }));
  return el("section", { class: "panel alerts-panel", "aria-live": "polite" },
    el("header", {}, el("h2", { text: t("alertsTitle") }), status.node),
    list, empty, el("p", { class: "links" }, link("#/complaints", t("openQueue"), "button")));
}

function eventCard(event, group, stats, context) {
  const live = liveCounters(event, stats, context);
  return el("article", { class: "panel event-card", dataset: { eventId: event.id } },
    el("header", {}, el("h2", {}, link(`#/events/${event.id}`, event.name)),
      el("span", { class: `badge ${group}`, text: t(`when_${group}`) })),
    el("p", { class: "meta" }, [eventTimes(event), event.venue].filter(Boolean).join(" · "),
      " ", live.status),
    live.board,
    el("p", { class: "links" }, link(`#/events/${event.id}`, t("openEvent"), "button"),
      monitorLink(event)));
}

export async function dashboardView(root, context) {
  const groups = ["running", "upcoming"];
  const lists = await Promise.all(groups.map((group) => api(`/events?when=${group}`)));
  const shown = groups.flatMap((group, index) => lists[index].map((event) => [event, group]));
  const stats = await Promise.all(shown.map(([event]) => api(`/events/${event.id}/stats`)));
  const shortcuts = [["#/events", "navEvents"], ["#/events/new", "newEvent"],
    ["#/customers", "navCustomers"], ["#/customers/new", "newCustomer"],
    ["#/devices", "navDevices"]];
  if (context.me.role === "admin") shortcuts.push(["#/staff", "navStaff"], ["#/audit", "navAudit"]);
  root.append(el("h1", { text: t("navDashboard") }),
    context.me.role === "admin" ? alertsPanel(context) : null,
    el("section", { class: "event-cards" }, shown.length
      ? shown.map(([event, group], index) => eventCard(event, group, stats[index], context))
      : el("p", { class: "empty panel" }, t("noCurrentEvents"), " ",
        link("#/events/new", t("newEvent")))),
    el("nav", { class: "shortcuts panel", "aria-label": t("shortcuts") },
      shortcuts.map(([href, key]) => link(href, t(key), "button"))));
}
