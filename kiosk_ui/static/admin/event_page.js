// #/events/{id}: the event's details, its counters live (re-read on each update of its feed,
// and every 10 s), kiosk pairing, sending the invitations, the guest list (each guest's
// invitation sent or not, their badge and invitation images), printing everyone's badges or
// invitations, and inviting guests.
import { api, query } from "./api.js";
import {
  capacityText, checkinTimes, eventTimes, liveCounters, monitorLink,
} from "./events.js";
import { t } from "./i18n.js";
import { invitePanel } from "./invite.js";
import { guestPrintLinks, printingPanel } from "./prints.js";
import { sendingPanel, sentText } from "./sending.js";
import {
  actionButton, confirmAction, customerName, el, field, link, makeForm, notify, pagedList,
  phoneText, row, select, table, tagList, textInput, valueOf, when,
} from "./ui.js";

const PAGE_SIZE = 50;
// The guest list's filters: their query parameters.
const FILTERS = { all: {}, arrived: { arrived: "true" }, missing: { arrived: "false" },
  vip: { tag: "vip" } };

function details(event) {
  const flags = [event.allow_walk_in ? t("allowWalkIn") : null,
    event.allow_reentry ? t("allowReentry") : null].filter(Boolean);
  return el("dl", { class: "details" },
    el("dt", { text: t("venue") }), el("dd", { text: event.venue || "—" }),
    el("dt", { text: t("eventTimes") }), el("dd", { text: eventTimes(event) }),
    el("dt", { text: t("checkinWindow") }), el("dd", { text: checkinTimes(event) }),
    el("dt", { text: t("capacity") }), el("dd", { text: capacityText(event) }),
    el("dt", { text: t("rules") }), el("dd", { text: flags.join(" · ") || "—" }));
}

function pairingPanel(event) {
  const code = el("p", { class: "pairing-code", "aria-live": "polite" });
  const expiry = el("p", { class: "hint pairing-expiry" });
  const form = makeForm({
    className: "inline",
    fields: [field("gate", t("gate"), textInput("", { maxlength: 64, placeholder: "A" }))],
    submit: t("newPairingCode"),
    send: async (sent) => {
      const pairing = await api(`/events/${event.id}/pairings`, { method: "POST",
        body: { gate: valueOf(sent, "gate") } });
      code.textContent = pairing.code;
      expiry.textContent = t("pairingExpires", { gate: pairing.gate || "—",
        time: when(pairing.expires_at) });
    },
  });
  return el("section", { class: "panel pairing" }, el("h2", { text: t("pairKiosk") }),
    el("p", { class: "hint", text: t("pairingHint") }), form, code, expiry);
}

function arrival(guest) {
  if (!guest.checked_in_at) return t("notArrived");
  const gate = guest.gate === "walk-in" ? t("walkInGate") : guest.gate;
  return `${t("arrived")} ${when(guest.checked_in_at)}${gate ? ` · ${gate}` : ""}`;
}

function guestsPanel(event, onChange) {
  const { node, body } = table([t("fullName"), t("phone"), t("tags"), t("status"),
    t("invitationColumn"), t("guestPrints"), ""], "guests");
  const filter = select(Object.keys(FILTERS).map((key) => [key, t(`filter_${key}`)]), "all");
  filter.setAttribute("aria-label", t("filter"));

  const guestRow = (guest) => {
    const cancel = actionButton(t("cancelInvitation"), async () => {
      if (!await confirmAction(t("cancelInvitationQ", { name: guest.name }),
        t("cancelInvitation"))) return;
      await api(`/events/${event.id}/invitations/${guest.invitation_id}`, { method: "DELETE" });
      line.remove();
      notify(t("invitationCancelled", { name: guest.name }));
      onChange();
    }, "danger small");
    const name = el("span", {},
      link(`#/customers/${guest.customer_id}`,
        customerName({ full_name: guest.name }, guest.customer_id)),
      guest.walk_in ? el("span", { class: "badge walk-in", text: t("walkIn") }) : null);
    const line = row(name, phoneText(guest.phone), tagList(guest.tags), arrival(guest),
      sentText(guest), guestPrintLinks(event, guest), cancel);
    line.cells[4].classList.add("invitation-sent");
    line.cells[4].dataset.delivery = guest.invitation_delivery || "none";
    line.dataset.customerId = guest.customer_id;
    line.classList.toggle("arrived", Boolean(guest.checked_in_at));
    return line;
  };
  const list = pagedList({
    container: body, render: guestRow, emptyText: t("noGuests"), searchFor: t("searchGuests"),
    fetchPage: (after, q) => api(`/events/${event.id}/guests${query({
      q, ...FILTERS[filter.value], after, limit: PAGE_SIZE })}`),
  });
  filter.addEventListener("change", list.reload);
  const panel = el("section", { class: "panel guest-list" }, el("h2", { text: t("guests") }),
    el("div", { class: "toolbar" }, list.search, filter), node, ...list.footer);
  return {
    panel,
    start: list.start,
    reload: list.reload,
    /** The feed said a guest arrived (or their check-in was undone): their line says so,
     * without reading the list again. */
    arrived(update) {
      const customer = update.result?.customer;
      const line = customer && body.querySelector(`tr[data-customer-id="${customer.id}"]`);
      if (!line) return;
      if (update.type === "undo" && !update.still_arrived) {
        line.classList.remove("arrived");
        line.cells[3].textContent = arrival({});
      } else if (update.type === "scan" && update.status === "ok") {
        line.classList.add("arrived");
        line.cells[3].textContent = arrival({ checked_in_at: update.result.checked_in_at
          || update.scanned_at, gate: update.result.gate ?? update.gate });
      }
    },
  };
}

export async function eventPage(root, context, id) {
  const [event, stats] = await Promise.all([api(`/events/${id}`), api(`/events/${id}/stats`)]);
  const guests = guestsPanel(event, () => live.refresh());
  const live = liveCounters(event, stats, context, (update) => guests.arrived(update));
  const printing = printingPanel(event, context);
  const sending = sendingPanel(event, context, () => guests.reload());
  const invited = () => {
    live.refresh();
    return guests.reload();
  };
  root.append(
    el("header", { class: "view-head" }, el("h1", { text: event.name }),
      el("div", { class: "links" }, link(`#/events/${id}/edit`, t("edit"), "button"),
        monitorLink(event),
        event.allow_walk_in ? el("a", { href: `/api/v1/events/${id}/signup-poster.pdf`,
          download: "", class: "button signup-poster", text: t("walkInPoster"),
          title: t("walkInPosterHint") }) : null,
        link("#/events", t("back"), "button"))),
    el("div", { class: "columns" },
      el("section", { class: "panel" }, el("h2", { text: t("details") }), details(event)),
      el("div", { class: "stack" }, el("section", { class: "panel", "aria-label": t("counters") },
        el("h2", {}, t("counters"), " ", live.status), live.board), pairingPanel(event))),
    sending.panel,
    guests.panel,
    printing.panel,
    invitePanel(event, invited));
  await Promise.all([guests.start(), printing.start(), sending.start()]);
}
