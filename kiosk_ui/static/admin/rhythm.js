// A customer's status against their own rhythm (new, active, watch, at risk, lapsed): a
// coloured badge, and its reason as a sentence in the page's language, said from the figures
// the API gives (the reason's code itself is never shown), then the return-visit model's
// chance that they are still a customer and the visits it expects (nothing before the
// model's first fit). The customer's page and the till's panel show it, so whoever serves
// a drifting regular knows it.
import { api } from "./api.js";
import { lang, t } from "./i18n.js";
import { el } from "./ui.js";

/** "12", or "10,5" / "10.5": an interval is a median, so it may be a half; expected
 * visits are said to one decimal too. */
const decimal = (value) => new Intl.NumberFormat(lang() === "en" ? "en-GB" : "vi-VN",
  { maximumFractionDigits: 1 }).format(value);

/** The reason, as a person says it. */
export function reasonText(status) {
  switch (status.reason) {
    case "few_visits":
      if (!status.visit_count) return t("rhythmNoVisits");
      return t(status.visit_count === 1 ? "rhythmOneVisit" : "rhythmFewVisits",
        { n: status.visit_count });
    case "long_absence":
      return t("rhythmAway", { days: status.days_since });
    case "spend_down":
      return t("rhythmSpendDown", { pct: status.spend_drop_pct });
    default: // on_rhythm, overdue
      return t("rhythmUsual", { usual: decimal(status.usual_interval_days),
        days: status.days_since });
  }
}

/** The model's scores, as a sentence ("" when there are none: no fit yet, or no visit). */
export function scoreText(status) {
  if (status.p_alive == null || status.expected_visits_90d == null) return "";
  const visits = decimal(status.expected_visits_90d);
  return t(visits === "1" ? "rhythmScoreOne" : "rhythmScore",
    { pct: Math.round(status.p_alive * 100), visits });
}

/** The badge, the sentence, and the model's scores when there are some. */
export function statusNode(status) {
  const score = scoreText(status);
  return el("span", { class: "rhythm",
    dataset: { status: status.status, reason: status.reason } },
  el("span", { class: `badge rhythm-status status-${status.status}`,
    text: t(`rhythm_${status.status}`) }),
  el("span", { class: "rhythm-reason", text: reasonText(status) }),
  score ? el("span", { class: "rhythm-score", text: score }) : null);
}

/** The customer's status now, as a node (none if it cannot be read: the rest of the page
 * does not depend on it). */
export async function customerStatus(customerId) {
  try {
    return statusNode(await api(`/customers/${customerId}/status`));
  } catch {
    return el("span", { class: "rhythm", text: "—" });
  }
}
