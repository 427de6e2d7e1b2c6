// How the staff pages name a gate: alone, as a label, or in a sentence ("cổng A"; a gate
// whose name says it is one, "Cổng chính" or "Gate 2", by its name alone: never "cổng
// Cổng chính").
import { namesItself } from "../gate-name.js";
import { t } from "./i18n.js";

// "walk-in": the gate of a guest checked in as they registered on the event's poster.
export const gateName = (gate) => (gate === "walk-in" ? t("walkInGate") : gate || t("noGate"));

/** A gate in a sentence. */
export const gatePhrase = (gate) => (gate && gate !== "walk-in" && !namesItself(gate)
  ? t("gateNamed", { gate }) : gateName(gate));
