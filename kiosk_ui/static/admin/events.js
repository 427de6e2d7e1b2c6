// Events: the list (running, upcoming, past), the create and edit form, and the live
// counters the dashboard and the event page share.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { follow, liveStatus } from "./live.js";
import {
  checkbox, checked, editorPage, el, field, fromLocalInput, link, number, row, table,
  textInput, toLocalInput, valueOf, venueZone, when,
} from "./ui.js";

export const GROUPS = ["running", "upcoming", "past"];
const REFRESH_MS = 10000;

/** An event's counters; `show(stats)` fills them from GET /events/{id}/stats. */
function counters() {
  const names = ["invited", "checked_in", "not_arrived", "entries"];
  const values = Object.fromEntries(names.map((name) => [name, el("span", { class: "value",
    text: "–" })]));
  const share = el("span", { class: "value", text: "–" });
  const node = el("div", { class: "counters" },
    names.map((name) => el("div", { class: "counter", dataset: { counter: name } },
      values[name], el("small", { text: t(`counter_${name}`) }))),
    el("div", { class: "counter", dataset: { counter: "share" } }, share,
      el("small", { text: t("counter_share") })));
  return {
    node,
    show(stats) {
      for (const name of names) values[name].textContent = number(stats[name]);
      share.textContent = stats.invited
        ? `${Math.round((100 * stats.checked_in) / stats.invited)}%` : "–";
    },
  };
}

/**
 * An event's counters kept live: its feed says something happened, /stats says what they
 * are now (and every 10 s, as rates change with time). `onUpdate` gets each feed update.
 */
export function liveCounters(event, stats, context, onUpdate = () => {}) {
  const board = counters();
  const status = liveStatus();
  let lastSeq = stats.last_seq;
  let pending = null;
  board.show(stats);

  const refresh = () => {
    pending ??= setTimeout(async () => {
      pending = null;
      try {
        board.show(await api(`/events/${event.id}/stats`));
      } catch {
        // shown again on the next update or tick
      }
    }, 150);
  };
  const leave = follow(() => `/events/${event.id}/live?after=${lastSeq}`, {
    onMessage: (update) => {
      lastSeq = Math.max(lastSeq, update.seq);
      onUpdate(update);
      refresh();
    },
    onStatus: (live) => {
      status.show(live, t(live ? "live" : "reconnecting"));
      if (live) refresh();
    },
  });
  const timer = setInterval(refresh, REFRESH_MS);
  context.onLeave(() => {
    leave();
    clearInterval(timer);
    clearTimeout(pending);
  });
  return { refresh, status: status.node, board: board.node };
}

/** The event's monitor (/monitor?event=ID), in a tab of its own. */
export const monitorLink = (event) => el("a", { href: `/monitor?event=${event.id}`,
  target: "_blank", class: "button", text: t("openMonitor") });

export const eventTimes = (event) => `${when(event.starts_at)} – ${when(event.ends_at)}`;
export const checkinTimes = (event) => (
  `${when(event.checkin_opens_at)} – ${when(event.checkin_closes_at)}`);
export const capacityText = (event) => (
  event.capacity === null ? t("unlimited") : number(event.capacity));

function eventRow(event) {
  return row(link(`#/events/${event.id}`, event.name), event.venue || "—", eventTimes(event),
    checkinTimes(event), capacityText(event));
}

export async function eventsView(root) {
  root.append(el("header", { class: "view-head" }, el("h1", { text: t("navEvents") }),
    link("#/events/new", t("newEvent"), "button primary")));
  const lists = await Promise.all(GROUPS.map((group) => api(`/events?when=${group}`)));
  GROUPS.forEach((group, index) => {
    const events = lists[index];
    const { node, body } = table([t("eventName"), t("venue"), t("eventTimes"), t("checkinWindow"),
      t("capacity")], "events");
    body.append(...events.map(eventRow));
    root.append(el("section", { class: "panel", dataset: { group } },
      el("h2", {}, t(`when_${group}`), " ", el("span", { class: "count",
        text: `(${events.length})` })),
      events.length ? node : el("p", { class: "empty", text: t("noEvents") })));
  });
}

const moment = (name, event) => field(name, t(name), textInput(toLocalInput(event[name]),
  { type: "datetime-local" }));

/** #/events/new and #/events/{id}/edit. */
export async function eventForm(root, context, id) {
  const event = id ? await api(`/events/${id}`) : {};
  editorPage(root, {
    base: "/events", id, titles: [t("newEvent"), t("editEvent")], className: "event-form",
    submit: id ? t("save") : t("createEvent"),
    fields: [
      field("name", t("eventName"), textInput(event.name, { maxlength: 200 })),
      field("venue", t("venue"), textInput(event.venue, { maxlength: 300 })),
      el("p", { class: "hint", text: t("venueTime", { zone: venueZone }) }),
      el("div", { class: "pair" }, moment("starts_at", event), moment("ends_at", event)),
      el("div", { class: "pair" }, moment("checkin_opens_at", event),
        moment("checkin_closes_at", event)),
      el("p", { class: "hint", text: t("checkinDefault") }),
      field("capacity", t("capacity"), textInput(event.capacity, { type: "number", min: 1 }),
        t("capacityHint")),
      checkbox("allow_walk_in", t("allowWalkIn"), event.allow_walk_in),
      checkbox("allow_reentry", t("allowReentry"), event.allow_reentry),
    ],
    body: (sent) => {
      const capacity = valueOf(sent, "capacity");
      const body = {
        name: valueOf(sent, "name"), venue: valueOf(sent, "venue"),
        capacity: capacity === "" ? null : Number(capacity),
        allow_walk_in: checked(sent, "allow_walk_in"),
        allow_reentry: checked(sent, "allow_reentry"),
      };
      for (const name of ["starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"]) {
        const typed = valueOf(sent, name);
        // A time left as it was is not sent: the input drops its seconds.
        if (!id || typed !== toLocalInput(event[name])) body[name] = fromLocalInput(typed);
      }
      return body;
    },
  });
}
