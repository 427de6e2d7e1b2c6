// #/ : the events running now and coming up, each with its counters kept live, and the way
// to everything else.
import { api } from "./api.js";
import { eventTimes, liveCounters, monitorLink } from "./events.js";
import { t } from "./i18n.js";
import { el, link } from "./ui.js";

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
    el("section", { class: "event-cards" }, shown.length
      ? shown.map(([event, group], index) => eventCard(event, group, stats[index], context))
      : el("p", { class: "empty panel" }, t("noCurrentEvents"), " ",
        link("#/events/new", t("newEvent")))),
    el("nav", { class: "shortcuts panel", "aria-label": t("shortcuts") },
      shortcuts.map(([href, key]) => link(href, t(key), "button"))));
}
