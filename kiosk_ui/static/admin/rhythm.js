// A customer's status against their own rhythm (new, active, watch, at risk, lapsed): a
// coloured badge, and its reason as a sentence in the page's language, said from the figures
// the API gives (the reason's code itself is never shown). The customer's page and the
// till's panel show it, so whoever serves a drifting regular knows it.
import { api } from "./api.js";
import { lang, t } from "./i18n.js";
import { el } from "./ui.js";

/** "12", or "10,5" / "10.5": an interval is a median, so it may be a half. */
const days = (value) => new Intl.NumberFormat(lang() === "en" ? "en-GB" : "vi-VN",
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
      return t("rhythmUsual", { usual: days(status.usual_interval_days),
        days: status.days_since });
  }
}

/** The badge and the sentence. */
export const statusNode = (status) => el("span", { class: "rhythm",
  dataset: { status: status.status, reason: status.reason } },
el("span", { class: `badge rhythm-status status-${status.status}`,
  text: t(`rhythm_${status.status}`) }),
el("span", { class: "rhythm-reason", text: reasonText(status) }));

/** The customer's status now, as a node (none if it cannot be read: the rest of the page
 * does not depend on it). */
export async function customerStatus(customerId) {
  try {
    return statusNode(await api(`/customers/${customerId}/status`));
  } catch {
    return el("span", { class: "rhythm", text: "—" });
  }
}
