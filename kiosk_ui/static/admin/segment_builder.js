// PLACEHOLDER: replaced by the audience helper's file at merge
// The segment builder's stand-in: every customer, nothing to choose. The real one builds
// the rules (tier, status, events, spend, tags...) and says how many customers they match.
import { t } from "./i18n.js";
import { el } from "./ui.js";

/** The segment part of the campaign editor; the real one calls `onChange(segment)` when
 * the rules change (`value`: the campaign's segment; `channel`: whose consent counts). */
export function segmentBuilder() {
  return el("div", { class: "segment-builder" },
    el("p", { class: "segment-all", text: t("campSegmentAll") }));
}
