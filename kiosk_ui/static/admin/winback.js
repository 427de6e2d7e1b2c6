// The proof of what the calls and the exit survey achieve, in plain sentences: how many of
// the contacted customers came back against how many of the held-out ones (left alone at
// random), the difference with its 95 % interval, and whether that is enough to tell; the
// same by month of opening; and the reasons customers gave for leaving. Mounted at the top
// of the owner's insights (#/insights).
import { api } from "./api.js";
import { lang, t } from "./i18n.js";
import { el, row, table } from "./ui.js";

const REASONS = ["price", "service", "staff", "product", "moved", "competitor", "other"];

/** "34 %" (Vietnamese writes a space before the sign, kept on the line), "34%" in English. */
function percent(rate) {
  const whole = Math.round(rate * 100);
  return lang() === "en" ? `${whole}%` : `${whole}\u00a0%`;
}

/** A difference in percentage points, always signed: "+14", "−9" (a true minus sign). */
function points(value) {
  const whole = Math.round(value * 100);
  return whole > 0 ? `+${whole}` : whole < 0 ? `\u2212${-whole}` : "0";
}

const groupText = (group) => t("winBackGroup", { rate: percent(group.rate),
  back: group.came_back, decided: group.decided });

/** The comparison as one paragraph of sentences. */
export function proofSentence(proof) {
  const { contacted, held_out: heldOut } = proof;
  if (!contacted.decided || !heldOut.decided) {
    return `${t("winBackNothingYet", { days: proof.win_back_days })} ${t("winBack_too_few")}`;
  }
  const interval = t("winBackInterval", { lower: points(proof.lower), upper: points(proof.upper) });
  return `${t("winBackRates", { contacted: groupText(contacted), heldOut: groupText(heldOut),
    difference: points(proof.difference), interval })} ${t(`winBack_${proof.verdict}`)}`;
}

function rules(proof) {
  const waiting = proof.contacted.undecided + proof.held_out.undecided;
  return [t("winBackRule", { days: proof.win_back_days }),
    waiting ? t("winBackWaiting", { count: waiting }) : "",
    proof.not_drawn ? t("winBackFlagged", { count: proof.not_drawn }) : ""]
    .filter(Boolean).join(" ");
}

const rateCell = (rate, n) => (n ? t("winBackCell", { rate: percent(rate), n }) : "—");

function monthsTable(months) {
  const { node, body } = table([t("winBackMonth"), t("winBackContacted"), t("winBackHeldOut")],
    "win-back-months");
  for (const month of months) {
    const [year, number] = month.month.split("-");
    const monthName = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" })
      .format(Date.UTC(Number(year), Number(number) - 1, 1));
    body.append(row(t("winBackMonthName", { month: Number(number), monthName, year }),
      rateCell(month.contacted_rate, month.contacted_n),
      rateCell(month.held_out_rate, month.held_out_n)));
  }
  return node;
}

function reasonsPart(found) {
  const answered = found.reasons.reduce((sum, line) => sum + line.total, 0);
  if (!answered) return [el("p", { class: "hint", text: t("leaveReasonsNone") })];
  const { node, body } = table([t("leaveReasonColumn"), t("leaveReasonCall"),
    t("leaveReasonSurvey"), t("leaveReasonTotal")], "leave-reasons");
  const byReason = Object.fromEntries(found.reasons.map((line) => [line.reason, line]));
  for (const reason of REASONS) {
    const line = byReason[reason];
    body.append(row(t(`leaveReason_${reason}`), String(line.call), String(line.survey),
      String(line.total)));
  }
  const counts = Object.fromEntries(found.will_return.map((line) => [line.answer, line.count]));
  return [node, el("p", { class: "will-return", text: t("willReturnCounts", {
    yes: counts.yes, unsure: counts.unsure, no: counts.no, unsaid: counts.null }) })];
}

/** The proof and the reasons, drawn into `root` (an admin's: the API refuses others). */
export async function winBackPanel(root) {
  const [proof, reasons] = await Promise.all([api("/calls/win-back"), api("/calls/reasons")]);
  const panel = el("section", { class: "panel win-back" },
    el("h2", { text: t("winBackTitle") }),
    el("p", { class: "proof", dataset: { verdict: proof.verdict }, text: proofSentence(proof) }),
    el("p", { class: "hint", text: rules(proof) }),
    proof.months.length ? monthsTable(proof.months) : null,
    el("p", { class: "downloads" }, el("a", { href: "/api/v1/calls/win-back.csv",
      download: "", text: t("winBackCsv") })),
    el("h3", { text: t("leaveReasonsTitle") }),
    ...reasonsPart(reasons),
    el("p", { class: "downloads" }, el("a", { href: "/api/v1/calls/reasons.csv",
      download: "", text: t("leaveReasonsCsv") })));
  root.append(panel);
  panel.dataset.ready = "true";
  return panel;
}
