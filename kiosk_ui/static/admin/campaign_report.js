// PLACEHOLDER: replaced by the report helper's file at merge
// The campaign report's stand-in: an empty slot under the progress on the campaign's page.
import { el } from "./ui.js";

/** The report of a campaign that has started (what it caused, against the hold-out). */
export function campaignReport(campaign) {
  return el("div", { class: "campaign-report", dataset: { campaignId: campaign.id } });
}
