// The read-only parts of the customer's page: card, points and tier, coupons, visits and
// purchases, feedback with the shop's answers, consent history.
import { el, section } from "./dom.js";
import { t, time, vnd } from "./words.js";

export function cardSection(me) {
  if (!me.card_url) return section("card", t("cardTitle"), el("p", { text: t("cardNone") }));
  const token = me.card_url.split("/").pop();
  return section("card", t("cardTitle"),
    el("a", { href: `/c/${token}`, class: "card-link" },
       el("img", { class: "qr", src: `/c/${token}/qr.png`, alt: t("cardQr"),
                   width: "240", height: "240" }),
       el("span", { class: "button", text: t("cardOpen") })));
}

export function pointsSection(me) {
  const loyalty = me.loyalty;
  const spend = vnd(loyalty.spend_12m_vnd);
  const parts = [el("p", { class: "figures" },
    el("strong", { class: "points", text: t("points", { points: loyalty.points }) }),
    el("span", { class: "tier", text: t("tier", { tier: loyalty.tier }) }))];
  if (loyalty.next_tier) {
    const goal = loyalty.next_tier_from_vnd || 1;
    const done = Math.max(0, Math.min(100, Math.round(100 * loyalty.spend_12m_vnd / goal)));
    parts.push(el("div", { class: "progress", role: "progressbar", "aria-valuemin": "0",
                           "aria-valuemax": "100", "aria-valuenow": String(done) },
                  el("span", { style: `width: ${done}%` })));
    parts.push(el("p", { text: t("progress", { spend, left: vnd(loyalty.to_next_tier_vnd),
                                               next: loyalty.next_tier }) }));
  } else {
    parts.push(el("p", { text: t("topTier", { spend }) }));
  }
  return section("points", t("pointsTitle"), ...parts);
}

export function couponsSection(me) {
  if (!me.coupons.length) {
    return section("coupons", t("couponsTitle"), el("p", { text: t("couponsNone") }));
  }
  return section("coupons", t("couponsTitle"), el("ul", { class: "list" }, me.coupons.map(
    (coupon) => el("li", { class: `coupon ${coupon.status}` },
      el("strong", { text: coupon.benefit }),
      el("span", { text: t(`coupon_${coupon.status}`, {
        time: time(coupon.status === "used" ? coupon.used_at : coupon.expires_at) }) })))));
}

export function visitsSection(visits, purchases) {
  const lines = purchases.map((p) => ({ at: p.occurred_at, text: p.voided
    ? t("purchaseVoided", { time: time(p.occurred_at), amount: vnd(p.amount_vnd) })
    : t(p.staff_first_name ? "purchaseServed" : "purchase", {
      time: time(p.occurred_at), amount: vnd(p.amount_vnd), points: p.points,
      name: p.staff_first_name }) }));
  for (const visit of visits.filter((v) => v.kind !== "purchase")) {
    lines.push({ at: visit.occurred_at, text: t(`visit_${visit.kind}`,
                                                { time: time(visit.occurred_at) }) });
  }
  lines.sort((a, b) => (a.at < b.at ? 1 : -1));
  return section("visits", t("visitsTitle"), lines.length
    ? el("ul", { class: "list" }, lines.map((line) => el("li", { text: line.text })))
    : el("p", { text: t("visitsNone") }));
}

export function feedbackSection(answers) {
  if (!answers.length) {
    return section("feedback", t("feedbackTitle"), el("p", { text: t("feedbackNone") }));
  }
  return section("feedback", t("feedbackTitle"), el("ul", { class: "list" }, answers.map(
    (answer) => el("li", {},
      el("strong", { text: t("feedbackLine", { time: time(answer.visit_at),
                                               stars: answer.visit_rating }) }),
      answer.comment ? el("q", { text: answer.comment }) : null,
      answer.reply ? el("p", { class: `reply ${answer.reply.status}` },
        t(`reply_${answer.reply.status}`),
        answer.reply.note ? ` ${t("replyNote", { note: answer.reply.note })}` : "") : null))));
}

function where(change) {
  const who = change.staff_first_name || t("theShop");
  return t(`source_${change.source}`, { who });
}

export function historyList(history) {
  if (!history.length) return el("p", { id: "history", text: t("historyNone") });
  return el("ul", { id: "history", class: "list" }, history.map((change) => el("li", {
    text: t(change.granted ? "history_granted" : "history_withdrawn", {
      time: time(change.occurred_at), channel: t(`channel_${change.channel}`),
      where: where(change) }) })));
}
