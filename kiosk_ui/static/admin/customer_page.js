// #/customers/{id}: the customer's details, their membership card (its image to download, the
// customer's own card page; issue or reissue), and their whole visit history, live: the feed
// is followed first, the history read once it says "ready", and a visit that comes both ways
// is shown once. Under the details, "may be leaving" (leaving_flag.js) and the loyalty
// panels (loyalty_panel.js); last, for admins, the customer's data: a ZIP of it, or erased
// at their request. An erased customer's page says only that they existed, when their data
// was erased, and what still counts.
import { ApiError, api } from "./api.js";
import { consentPanel } from "./consent.js";
import { t } from "./i18n.js";
import { leavingFlagPanel } from "./leaving_flag.js";
import { follow, liveStatus } from "./live.js";
import { loyaltyPanels } from "./loyalty_panel.js";
import { portalQrButton } from "./portal_qr.js";
import { customerStatus } from "./rhythm.js";
import {
  actionButton, confirmAction, customerName, el, link, notify, phoneText, tagList, when,
} from "./ui.js";

const HISTORY_SIZE = 1000; // the most the server gives: a whole history in practice

/** The card's image (the session's cookie goes with its request). A new card has a new
 * address, so the browser does not give the old one from its cache. */
const cardPng = (customerId, card) => `/api/v1/customers/${customerId}/card.png`
  + `?issued=${encodeURIComponent(card.issued_at)}`;

const cardImage = (customerId, card) => el("img", { class: "card-image",
  src: cardPng(customerId, card), alt: t("cardImage"), width: 1011, height: 638 });

/** The card's image to download, and the customer's own card page (what its QR opens). */
const cardLinks = (customerId, card) => [
  el("a", { class: "button card-download", href: cardPng(customerId, card),
    download: `card-${customerId}.png`, text: t("downloadCard") }),
  el("a", { class: "button card-page", href: `/c/${encodeURIComponent(card.code)}`,
    target: "_blank", rel: "noopener", text: t("openCardPage") }),
];

function cardPanel(customerId) {
  const body = el("div", { class: "card-body" });
  const panel = el("section", { class: "panel card" }, el("h2", { text: t("card") }), body);

  const show = (card) => {
    const issue = actionButton(t(card ? "reissueCard" : "issueCard"), async () => {
      if (card && !await confirmAction(t("reissueCardQ"), t("reissueCard"))) return;
      show(await api(`/customers/${customerId}/card`, { method: "POST" }));
      notify(t("cardIssued"));
    }, card ? "" : "primary");
    body.replaceChildren(...(card ? [
      cardImage(customerId, card),
      el("p", { class: "hint", text: t("cardIssuedAt", { time: when(card.issued_at) }) }),
      el("p", { text: t("cardCode") }), el("code", { class: "card-code", text: card.code }),
    ] : [el("p", { class: "empty", text: t("noCard") })]),
    el("p", { class: "card-actions" }, issue, ...(card ? cardLinks(customerId, card) : []),
      portalQrButton(customerId)));
  };

  const load = async () => {
    try {
      show(await api(`/customers/${customerId}/card`));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      show(null);
    }
  };
  return { panel, load };
}

function visitsPanel(customer, events, { onVisit, onRemoved }, context) {
  const visits = new Map(); // by id: a visit read and also received live is shown once
  const list = el("ol", { class: "visits" });
  const status = liveStatus();

  const visitLine = (visit) => {
    const what = visit.kind === "purchase" ? el("span", { text: t("purchase") })
      : link(`#/events/${visit.event_id}`, events.get(visit.event_id)
        || t("eventN", { id: visit.event_id }));
    return el("li", { dataset: { visitId: visit.id } },
      el("span", { class: "time", text: when(visit.occurred_at) }), what,
      el("span", { class: "gate", text: visit.gate ? `${t("gate")} ${visit.gate}` : "" }));
  };
  const show = (more) => {
    for (const visit of more) visits.set(visit.id, visit);
    const newestFirst = [...visits.values()].sort((a, b) =>
      Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || b.id - a.id);
    list.replaceChildren(...newestFirst.map(visitLine));
    list.dataset.count = newestFirst.length;
  };
  context.onLeave(follow(() => `/customers/${customer.id}/live`, {
    onMessage: async (data) => {
      if (data.type === "visit") {
        show([data.visit]);
        onVisit(data.visit, data.visit_count);
      } else if (data.type === "visit_removed") { // a check-in undone
        visits.delete(data.visit_id);
        show([]);
        onRemoved(data.visit_count);
      } else if (data.type === "ready") { // (again: some may have been missed) read it all
        try {
          show(await api(`/customers/${customer.id}/visits?limit=${HISTORY_SIZE}`));
          status.show(true, t("live"));
        } catch (error) {
          status.show(false, error.message);
        }
      }
    },
    onStatus: (live) => live || status.show(false, t("reconnecting")),
  }));
  return el("section", { class: "panel" }, el("h2", {}, t("visitHistory"), " ", status.node),
    list, el("p", { class: "empty", text: t("noVisits") }));
}

/** Admins: everything the shop holds about the customer, as a ZIP to hand to them; and, at
 * their request, their personal data erased (asked first: there is no undo). */
function privacyPanel(customer) {
  const download = el("a", { class: "button export-data", text: t("exportData"),
    href: `/api/v1/customers/${customer.id}/export`, download: `customer-${customer.id}.zip` });
  const erase = actionButton(t("eraseData"), async () => {
    if (!await confirmAction(t("eraseDataQ", { name: customerName(customer) }),
      t("eraseDataConfirm"))) return;
    await api(`/customers/${customer.id}/erase`, { method: "POST", body: { confirm: true } });
    notify(t("dataErased"));
    window.dispatchEvent(new HashChangeEvent("hashchange")); // the page again, as it is now
  }, "danger erase-data");
  return el("section", { class: "panel privacy admin-only" },
    el("h2", { text: t("personalData") }),
    el("p", { class: "hint", text: t(customer.erased_at ? "personalDataGone"
      : "personalDataHint") }),
    el("p", { class: "card-actions" }, download, ...(customer.erased_at ? [] : [erase])));
}

export async function customerPage(root, context, id) {
  const [customer, eventList] = await Promise.all([api(`/customers/${id}`), api("/events")]);
  const events = new Map(eventList.map((event) => [event.id, event.name]));
  const count = el("dd", { class: "visit-count", text: customer.visit_count });
  const last = el("dd", { class: "last-visit", text: when(customer.last_visit_at) });
  let highest = customer.visit_count;
  const loyalty = loyaltyPanels(id, context);
  const onVisit = (visit, visitCount) => { // counts only grow: a late one may be older
    highest = Math.max(highest, visitCount);
    count.textContent = highest;
    if (highest === visitCount) last.textContent = when(visit.occurred_at);
    if (visit.kind === "purchase") loyalty.purchased(); // a sale at the till, just now
    setTimeout(showRhythm, 1000); // recomputed by the server just after the visit
  };
  const onRemoved = (visitCount) => {
    highest = visitCount;
    count.textContent = visitCount;
  };
  const card = cardPanel(id);
  const consent = consentPanel(customer);
  const erased = Boolean(customer.erased_at);
  const rhythm = el("dd", { class: "rhythm-line" });
  const showRhythm = async () => rhythm.replaceChildren(await customerStatus(id));
  root.classList.toggle("erased", erased);
  root.append(
    el("header", { class: "view-head" }, el("h1", { text: customerName(customer) }),
      el("div", { class: "links" },
        ...(erased ? [] : [link(`#/customers/${id}/edit`, t("edit"), "button")]),
        link("#/customers", t("back"), "button"))),
    ...(erased ? [el("p", { class: "erased-note", role: "note",
      text: t("erasedNote", { time: when(customer.erased_at) }) })] : []),
    el("div", { class: "columns" },
      el("section", { class: "panel" }, el("h2", { text: t("details") }),
        el("dl", { class: "details" },
          ...(erased ? [] : [el("dt", { text: t("rhythm") }), rhythm]),
          el("dt", { text: t("phone") }), el("dd", { text: phoneText(customer.phone) }),
          el("dt", { text: t("email") }), el("dd", { text: customer.email || "—" }),
          el("dt", { text: t("field_language") }),
          el("dd", { class: "message-language", text: t(`segLanguage_${customer.language}`) }),
          el("dt", { text: t("tags") }), el("dd", {}, tagList(customer.tags)),
          el("dt", { text: t("visits") }), count,
          el("dt", { text: t("lastVisit") }), last,
          el("dt", { text: t("customerSince") }), el("dd", { text: when(customer.created_at) }),
          el("dt", { text: t("notes") }),
          el("dd", { class: "notes", text: customer.notes || "—" }))),
      erased ? privacyPanel(customer) : card.panel),
    ...(erased ? [] : [leavingFlagPanel(id, "customer_page")]),
    consent.panel,
    ...loyalty.nodes,
    visitsPanel(customer, events, { onVisit, onRemoved }, context),
    ...(erased ? [] : [privacyPanel(customer)]));
  await Promise.all([erased ? null : card.load(), loyalty.load(), consent.load(),
    erased ? null : showRhythm()]);
}
