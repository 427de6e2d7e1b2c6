// Who the customer is and where they stand (name, tier, this visit's number, points, spend,
// the next tier), and their last visits with who served them: what makes a third visit feel
// like a third visit, whoever is at the till.
import { t } from "../admin/i18n.js";
import { portalQrButton } from "../admin/portal_qr.js";
import { customerStatus } from "../admin/rhythm.js";
import { el, money, number, phoneText, tagList, when } from "../admin/ui.js";

const dateOnly = (iso) => new Intl.DateTimeFormat(document.documentElement.lang === "en"
  ? "en-GB" : "vi-VN", { dateStyle: "medium",
  timeZone: document.querySelector("meta[name=kiosk-timezone]")?.content || undefined })
  .format(new Date(iso));

const stat = (name, label) => {
  const value = el("dd", { class: `stat-${name}` });
  return { value, nodes: [el("div", { class: "stat" }, el("dt", { text: label }), value)] };
};

/**
 * The customer's header and standing. `visitNumber` stays what it was when they were found:
 * the sale made now is part of this same visit. `onDone` ends their service. A button shows
 * the QR that signs the customer in to their own page on their phone.
 */
export function summarySection({ customerId, visitNumber, liveNode, onDone }) {
  const name = el("h1", { class: "customer-name" });
  const tier = el("span", { class: "badge tier" });
  const tags = el("span");
  const since = el("span", { class: "since" });
  const phone = el("span", { class: "phone" });
  const rhythm = el("p", { class: "rhythm-line" });
  let shown = null; // the visit count the status was read for: read again after a new visit
  const stats = {
    points: stat("points", t("points")),
    total: stat("total", t("totalSpend")),
    recent: stat("recent", t("spend12m")),
    next: stat("next", t("nextTier")),
  };
  const node = el("section", { class: "panel who", dataset: { part: "summary" } },
    el("header", { class: "who-head" }, name,
      el("button", { type: "button", class: "next-customer", text: t("nextCustomer"),
        onclick: onDone })),
    el("p", { class: "standing" }, tier,
      el("span", { class: "visit-number", text: t("visitNumber", { n: visitNumber }) }), tags),
    el("p", { class: "identity" }, phone, since, liveNode),
    rhythm,
    el("dl", { class: "stats" }, Object.values(stats).flatMap((item) => item.nodes)),
    el("p", { class: "portal" }, portalQrButton(customerId)));

  function update(panel) {
    const { customer, loyalty } = panel;
    name.textContent = customer.full_name;
    if (shown !== customer.visit_count) { // (the server recomputes it just after a visit)
      const read = () => customerStatus(customerId).then((node) => rhythm.replaceChildren(node));
      if (shown === null) read(); else setTimeout(read, 800);
      shown = customer.visit_count;
    }
    tier.textContent = loyalty.tier;
    tags.replaceChildren(tagList(customer.tags));
    phone.textContent = phoneText(customer.phone);
    since.textContent = t("memberSince", { date: dateOnly(customer.created_at) });
    stats.points.value.textContent = number(loyalty.points);
    stats.total.value.textContent = money(loyalty.total_spend_vnd);
    stats.recent.value.textContent = money(loyalty.spend_12m_vnd);
    stats.next.value.textContent = loyalty.next_tier
      ? t("toNextTier", { tier: loyalty.next_tier, amount: money(loyalty.to_next_tier_vnd) })
      : t("topTier");
  }
  return { node, update };
}

/** "Cổng A" as it is; "A" as "Cổng A". */
const gateText = (gate) => (/^(cổng|gate)\b/i.test(gate) ? gate : t("gateN", { gate }));

function visitLine(visit) {
  const what = visit.kind === "purchase"
    ? [el("span", { class: "kind", text: t("purchaseVisit") }),
      el("span", { class: "amount", text: money(visit.amount_vnd ?? 0) }),
      visit.items ? el("span", { class: "items", text: visit.items }) : null]
    : [el("span", { class: "kind", text: t("eventVisit") }),
      // A visit of the shop's history has no event (the demo's, an import's): none named.
      visit.event_name || visit.event_id ? el("span", { class: "event",
        text: visit.event_name || `#${visit.event_id}` }) : null,
      visit.gate ? el("span", { class: "gate", text: gateText(visit.gate) }) : null];
  return el("li", { class: visit.voided ? "voided" : "", dataset: { visitId: visit.id,
    kind: visit.kind } },
  el("span", { class: "time", text: when(visit.occurred_at) }),
  el("span", { class: "what" }, ...what, visit.voided
    ? el("span", { class: "badge void", text: t("voided") }) : null),
  el("span", { class: "staff", text: visit.staff_name
    ? t("servedBy", { name: visit.staff_name }) : "" }));
}

/** The last visits (events and purchases), newest first. */
export function historySection() {
  const list = el("ol", { class: "history" });
  const empty = el("p", { class: "empty", text: t("noVisits") });
  const node = el("section", { class: "panel", dataset: { part: "history" } },
    el("h2", { text: t("recentVisits") }), list, empty);
  const update = (panel) => {
    list.replaceChildren(...panel.recent_visits.map(visitLine));
    list.dataset.count = panel.recent_visits.length;
    empty.hidden = panel.recent_visits.length > 0;
  };
  return { node, update };
}
