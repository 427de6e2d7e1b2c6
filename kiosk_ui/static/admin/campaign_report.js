// A campaign's report, for the owner, on its campaign's page: whether the customers it was
// sent to came back more than the hold-out (drawn at random and sent nothing), in one plain
// sentence with the 95 % interval, or that there are too few yet to tell; then who it
// reached, what became of its messages (the failures by reason, with the mail servers' own
// words), the unsubscribed, the coupons used and their sales, and the CSV of recipients.
import { api } from "./api.js";
import { lang, t } from "./i18n.js";
import { el, errorBox, money, number, when } from "./ui.js";

const LEFT_OUT = ["no_consent", "no_address", "unsubscribed", "erased", "call_hold_out"];

/** "18 %" (Vietnamese writes a space before the sign, kept on the line), "18%" in English. */
function percent(rate) {
  const whole = Math.round(rate * 100);
  return lang() === "en" ? `${whole}%` : `${whole}\u00a0%`;
}

/** Percentage points, whole; a negative one with a true minus sign. */
function points(value) {
  const whole = Math.round(value * 100);
  return whole < 0 ? `\u2212${-whole}` : String(whole);
}

const share = (group) => t("camprepShare", { rate: percent(group.rate),
  returned: number(group.returned), customers: number(group.customers) });

/** The comparison as the owner reads it: the rates, what the campaign added, the interval
 * and what it means; or why nothing can be said yet. */
export function comparisonSentence(returns) {
  const { sent_group: sent, hold_out: held } = returns;
  if (!sent.customers || !held.customers) {
    return t(held.customers ? "camprepNoRecipients" : "camprepNoHoldOut");
  }
  const rates = { sent: share(sent), held: share(held) };
  if (returns.too_few) return `${t("camprepRates", rates)} ${t("camprep_too_few")}`;
  const whole = Math.round(returns.difference * 100);
  const change = whole > 0 ? "camprepAdded" : whole < 0 ? "camprepFewer" : "camprepSame";
  return `${t("camprepComparison", { ...rates,
    change: t(change, { points: Math.abs(whole) }),
    lower: points(returns.lower), upper: points(returns.upper) })} `
    + t(`camprep_${returns.verdict}`);
}

function windowNote(report) {
  const { returns } = report;
  if (!returns) return t("camprepNotStarted");
  if (returns.days_left > 0) {
    return t("camprepDaysLeft", { days: returns.days_left, total: returns.days });
  }
  return t("camprepDaysOver", { total: returns.days, until: when(returns.until) });
}

const fact = (name, label, value) => el("div", { class: "fact" },
  el("dt", { text: label }), el("dd", { dataset: { value: name }, text: value }));

function figures(report) {
  const { delivery, coupons } = report;
  const leftOut = report.left_out.reduce((sum, line) => sum + line.count, 0);
  return el("dl", { class: "campaign-figures" },
    fact("recipients", t("camprepRecipients"), number(report.recipients)),
    fact("hold_out", t("camprepHoldOut"), number(report.hold_out)),
    fact("left_out", t("camprepLeftOut"), number(leftOut)),
    fact("sent", t("camprepSent"), number(delivery.sent)),
    fact("failed", t("camprepFailed"), number(delivery.failed)),
    fact("unknown", t("camprepUnknown"), number(delivery.unknown)),
    fact("pending", t("camprepPending"), number(delivery.pending)),
    delivery.cancelled ? fact("cancelled", t("camprepCancelled"), number(delivery.cancelled))
      : null,
    fact("unsubscribed", t("camprepUnsubscribed"), number(report.unsubscribed)),
    coupons.issued ? fact("coupons", t("camprepCoupons"), t("camprepCouponsUsed", {
      redeemed: number(coupons.redeemed), issued: number(coupons.issued) })) : null,
    coupons.issued ? fact("sales", t("camprepSales"), t("camprepSalesValue", {
      total: money(coupons.sales_vnd), count: number(coupons.sales) })) : null);
}

function leftOutLine(report) {
  if (!report.left_out.length) return null;
  const byReason = Object.fromEntries(report.left_out.map((line) => [line.reason, line.count]));
  const parts = LEFT_OUT.filter((reason) => byReason[reason])
    .map((reason) => t(`camprepLeftOut_${reason}`, { count: number(byReason[reason]) }));
  return el("p", { class: "hint left-out", text: t("camprepLeftOutLine", {
    parts: parts.join(", ") }) });
}

/** Each kind of failure with its count, and under it what the servers said (a list reads on
 * a phone where a three-column table does not). */
function failuresPart(report) {
  if (!report.failures.length) return [];
  const said = (error) => el("li", { text: error.count > 1
    ? t("camprepErrorTimes", { text: error.text, count: error.count }) : error.text });
  const kind = (group) => el("li", { dataset: { reason: group.reason } },
    el("p", { class: "reason", text: t("camprepFailureLine", {
      reason: t(`camprepFailure_${group.reason}`), count: number(group.count) }) }),
    el("ul", { class: "server-words", "aria-label": t("camprepFailureWords") },
      group.errors.map(said)));
  return [el("h3", { text: t("camprepFailuresTitle") }),
    el("ul", { class: "campaign-failures" }, report.failures.map(kind))];
}

function draw(panel, campaign, report) {
  const { returns } = report;
  panel.replaceChildren(...[
    el("h2", { text: t("camprepTitle") }),
    el("p", { class: "window-note", dataset: { daysLeft: returns?.days_left ?? "" },
      text: windowNote(report) }),
    returns ? el("p", { class: "proof", dataset: { verdict: returns.verdict },
      text: comparisonSentence(returns) }) : null,
    returns ? el("p", { class: "hint", text: t("camprepRule", { days: returns.days,
      pct: report.hold_out_pct }) }) : null,
    figures(report),
    leftOutLine(report),
    ...failuresPart(report),
    el("p", { class: "downloads" }, el("a", {
      href: `/api/v1/campaigns/${campaign.id}/recipients.csv?lang=${lang()}`, download: "",
      text: t("camprepCsv") }))].filter(Boolean));
}

/** The report of `campaign` ({id, ...}): an element at once, filled when the server has
 * answered (then `data-ready`); an admin's (the API refuses others). */
export function campaignReport(campaign) {
  const panel = el("section", { class: "panel win-back campaign-report",
    dataset: { campaignId: campaign.id } }, el("h2", { text: t("camprepTitle") }),
  el("p", { class: "hint", text: t("camprepLoading") }));
  api(`/campaigns/${campaign.id}/report`).then(
    (report) => draw(panel, campaign, report),
    (error) => panel.replaceChildren(el("h2", { text: t("camprepTitle") }), errorBox(error)),
  ).finally(() => { panel.dataset.ready = "true"; });
  return panel;
}
