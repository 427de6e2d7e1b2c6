// The customer page's loyalty part: where they stand (tier, points, spend in VND), their
// purchases (admins void one, saying why), the coupons they hold (issue one: its QR), the
// rewards they spent points on (admins void one: the points come back), and their
// complaints (an open one resolved here). Each part
// reads its own list and shows its own failure, so one refusal leaves the rest of the page.
import { ApiError, api } from "./api.js";
import { t } from "./i18n.js";
import {
  actionButton, el, field, makeForm, messageOf, money, notify, number, row, table, textInput,
  underRow, valueOf, when,
} from "./ui.js";

/** Where the till serves customers (it finds them by card or search). */
const QR_SIZE = 120;

/** A panel whose `fill()` reads and shows its content (`extra` below it); a failure is
 * shown in the panel. */
function part(name, heading, fill, ...extra) {
  const body = el("div", { class: "part-body" });
  const problem = el("p", { class: "error", role: "alert" });
  const node = el("section", { class: "panel", dataset: { part: name } },
    heading, problem, body, ...extra);
  const load = async () => {
    try {
      body.replaceChildren(...[await fill()].flat());
      problem.textContent = "";
    } catch (error) {
      problem.textContent = messageOf(error);
    }
  };
  return { node, load };
}

function standingPart(customerId) {
  const fact = (name, label, value) => [el("dt", { text: label }),
    el("dd", { dataset: { value: name } }, value)];
  return part("loyalty", el("header", { class: "view-head" },
    el("h2", { text: t("loyalty") }),
    el("a", { class: "button till-link", href: `/checkout#/customers/${customerId}`,
      text: t("openAtTill") })),
  async () => {
    const status = await api(`/customers/${customerId}/loyalty`);
    return el("dl", { class: "details" },
      fact("tier", t("loyaltyTier"), el("strong", { text: status.tier })),
      fact("points", t("loyaltyPoints"), number(status.points)),
      fact("spend_12m", t("loyaltySpend12m"), money(status.spend_12m_vnd)),
      fact("total_spend", t("loyaltyTotalSpend"), money(status.total_spend_vnd)),
      fact("next_tier", t("loyaltyNextTier"), status.next_tier
        ? t("loyaltyToNext", { tier: status.next_tier, amount: money(status.to_next_tier_vnd) })
        : t("loyaltyTopTier")));
  });
}

/** The form that voids what `path` names (`/purchases/7`), saying why; `done()` after. */
function voidForm(path, { submit, voided }, done) {
  return makeForm({
    className: "inline void-form",
    fields: [field("reason", t("voidReason"), textInput("", { maxlength: 500 }))],
    submit,
    send: async (sent) => {
      await api(`${path}/void`, { method: "POST", body: { reason: valueOf(sent, "reason") } });
      notify(voided);
      await done();
    },
  });
}

/** A row's last cell: when and why it was voided, or "recorded" and, for admins, the
 * button opening `form()` under the row. */
function voidState(item, { admin, extra, submit, form }) {
  if (item.voided_at) {
    return t("voidedAt", { time: when(item.voided_at), reason: item.void_reason });
  }
  return el("span", { class: "row-actions" }, t("recorded"), admin
    ? actionButton(submit, extra.opener(form), "danger small") : null);
}

function purchasesPart(customerId, { admin, changed }) {
  const purchaseRow = (purchase) => {
    const extra = underRow(6);
    const voided = Boolean(purchase.voided_at);
    const struck = (text) => (voided ? el("del", { text }) : text);
    const labels = { submit: t("voidPurchase"), voided: t("purchaseVoided") };
    const state = voidState(purchase, { admin, extra, submit: labels.submit,
      form: () => voidForm(`/purchases/${purchase.id}`, labels, changed) });
    const line = row(when(purchase.occurred_at), struck(money(purchase.amount_vnd)),
      struck(number(purchase.points)), purchase.items || "—", purchase.staff_name || "—",
      state);
    line.dataset.purchaseId = purchase.id;
    line.classList.toggle("inactive", voided);
    return [line, extra.row];
  };
  return part("purchases", el("h2", { text: t("purchases") }), async () => {
    const purchases = await api(`/customers/${customerId}/purchases`);
    if (!purchases.length) return el("p", { class: "empty", text: t("noPurchases") });
    const { node, body } = table([t("when"), t("amountVnd"), t("loyaltyPoints"),
      t("itemsBought"), t("servedBy"), t("status")], "purchases");
    body.append(...purchases.flatMap(purchaseRow));
    return node;
  });
}

const couponQr = (coupon) => el("img", { class: "coupon-qr", alt: t("couponQrAlt"),
  src: `/api/v1/coupons/${coupon.id}/qr.png`, width: QR_SIZE, height: QR_SIZE });

/** Days typed: a whole number the server takes (1 to 366), else refused by the field. */
function daysOf(form) {
  const text = valueOf(form, "valid_days");
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 366) {
    throw new ApiError(422, [{ field: "valid_days", message: t("validDaysInvalid") }]);
  }
  return Number(text);
}

function couponsPart(customerId) {
  const coupons = part("coupons", el("h2", { text: t("heldCoupons") }), async () => {
    const held = await api(`/customers/${customerId}/coupons`);
    if (!held.length) return el("p", { class: "empty", text: t("noHeldCoupons") });
    const { node, body } = table([t("couponBenefit"), t("couponExpiresAt"), t("couponQr")],
      "coupons");
    body.append(...held.map((coupon) => {
      const line = row(coupon.benefit, when(coupon.expires_at), couponQr(coupon));
      line.dataset.couponId = coupon.id;
      return line;
    }));
    return node;
  }, el("details", { class: "add" }, el("summary", { text: t("issueCoupon") }), makeForm({
    className: "issue-coupon",
    fields: [el("div", { class: "pair" },
      field("benefit", t("couponBenefit"), textInput("", { maxlength: 200,
        placeholder: t("couponBenefitHint") })),
      field("valid_days", t("couponValidDays"), textInput("30", { type: "number", min: 1,
        max: 366, inputmode: "numeric" })))],
    submit: t("issueCouponButton"),
    send: async (sent) => {
      const coupon = await api(`/customers/${customerId}/coupons`, { method: "POST",
        body: { benefit: valueOf(sent, "benefit"), valid_days: daysOf(sent) } });
      sent.elements.benefit.value = "";
      notify(t("couponIssuedN", { benefit: coupon.benefit }));
      await coupons.load();
    },
  })));
  return coupons;
}

function redemptionsPart(customerId, { admin, changed }) {
  const redemptionRow = (redemption) => {
    const extra = underRow(4);
    const voided = Boolean(redemption.voided_at);
    const labels = { submit: t("voidRedemption"), voided: t("redemptionVoided") };
    const state = voidState(redemption, { admin, extra, submit: labels.submit,
      form: () => voidForm(`/redemptions/${redemption.id}`, labels, changed) });
    const points = number(redemption.points);
    const line = row(when(redemption.occurred_at), redemption.reward_name,
      voided ? el("del", { text: points }) : points, state);
    line.dataset.redemptionId = redemption.id;
    line.classList.toggle("inactive", voided);
    return [line, extra.row];
  };
  const redemptions = part("redemptions", el("h2", { text: t("redemptions") }), async () => {
    const all = await api(`/customers/${customerId}/redemptions`);
    if (!all.length) return el("p", { class: "empty", text: t("noRedemptions") });
    const { node, body } = table([t("when"), t("rewardName"), t("loyaltyPoints"),
      t("status")], "redemptions");
    body.append(...all.flatMap(redemptionRow));
    return node;
  });
  return redemptions;
}

function resolveForm(complaint, done) {
  return makeForm({
    className: "inline resolve-form",
    fields: [field("resolution", t("resolutionText"), textInput("", { maxlength: 2000 }))],
    submit: t("resolveComplaint"),
    send: async (sent) => {
      await api(`/complaints/${complaint.id}/resolve`, { method: "POST",
        body: { resolution: valueOf(sent, "resolution") } });
      notify(t("complaintClosed"));
      await done();
    },
  });
}

function complaintsPart(customerId) {
  const complaintRow = (complaint) => {
    const extra = underRow(4);
    const opened = el("span", {}, when(complaint.opened_at), el("small", { class: "hint",
      text: complaint.opened_by_name ? ` · ${complaint.opened_by_name}` : "" }));
    // A complaint's words are blanked when the customer's data is erased.
    const state = complaint.resolved_at
      ? t(complaint.resolution ? "complaintResolvedAt" : "complaintResolvedOn",
        { time: when(complaint.resolved_at), resolution: complaint.resolution })
      : el("span", { class: "row-actions" }, el("strong", { class: "error",
        text: t("complaintOpen") }), actionButton(t("resolveComplaint"),
        extra.opener(() => resolveForm(complaint, complaints.load)), "small"));
    const line = row(opened, complaint.text || "—", complaint.about_staff_name || "—", state);
    line.dataset.complaintId = complaint.id;
    line.classList.toggle("inactive", Boolean(complaint.resolved_at));
    return [line, extra.row];
  };
  const complaints = part("complaints", el("h2", { text: t("complaintsAll") }), async () => {
    const all = await api(`/customers/${customerId}/complaints`);
    if (!all.length) return el("p", { class: "empty", text: t("noComplaintsYet") });
    const { node, body } = table([t("opened"), t("complaint"), t("aboutWhom"), t("status")],
      "complaints");
    body.append(...all.flatMap(complaintRow));
    return node;
  });
  return complaints;
}

/**
 * The loyalty panels of customer `customerId`: `nodes` to place on the page, `load()` reads
 * them all, `purchased()` reads again what a new sale changes (a visit seen live).
 */
export function loyaltyPanels(customerId, context) {
  const admin = context.me.role === "admin";
  const standing = standingPart(customerId);
  const purchased = () => Promise.all([standing.load(), purchases.load()]);
  const purchases = purchasesPart(customerId, { admin, changed: purchased });
  const coupons = couponsPart(customerId);
  const redemptions = redemptionsPart(customerId, { admin,
    changed: () => Promise.all([standing.load(), redemptions.load()]) });
  const complaints = complaintsPart(customerId);
  const load = async () => {
    await Promise.all([standing, purchases, coupons, redemptions, complaints]
      .map((one) => one.load()));
  };
  return {
    nodes: [el("div", { class: "columns" }, standing.node, coupons.node), purchases.node,
      el("div", { class: "columns" }, redemptions.node, complaints.node)],
    load,
    purchased,
  };
}
