// #/audit (admins): who did what to whom, newest first, each change a sentence in the page's
// language ("Lan đã cấp thẻ thành viên cho Nguyễn Thị Hằng."); by person, kind and days.
import { ApiError, api, query } from "./api.js";
import { gatePhrase } from "./gates.js";
import { t } from "./i18n.js";
import { labelOf } from "./problems.js";
import {
  dayText, el, field, money, number, pagedList, row, select, showProblems, table, venueZone,
  when,
} from "./ui.js";

const PAGE_SIZE = 50;

/** The families of actions (the server's `kind` filter: an action's code before its dot). */
export const AUDIT_KINDS = ["customer", "card", "complaint", "coupon", "purchase", "reward",
  "redemption", "event", "invitation", "checkin", "export", "pairing", "device", "staff",
  "token", "settings", "retention", "campaign"];

/** Which sentence an entry is: its action's, or a finer one (a staff member disabled). */
function sentenceKey(entry) {
  if (entry.action === "staff.update" && Object.keys(entry.details || {}).length === 1
    && "active" in entry.details) {
    return entry.details.active ? "audit_staff_enable" : "audit_staff_disable";
  }
  if (entry.action === "customer.erase" && entry.details?.by_customer) {
    return "audit_customer_erase_self"; // from their own portal: no staff member did it
  }
  if (entry.action === "event.send_invitations" && entry.details?.again) {
    return "audit_event_send_invitations_again";
  }
  if (entry.action === "export.report") { // the event's attendance, or a range of days
    if (entry.details?.report === "attendance") return "audit_export_report_attendance";
    if (entry.details?.from) return "audit_export_report_days";
  }
  if (entry.action === "retention.fit" && entry.details?.converged === false) {
    return "audit_retention_fit_failed";
  }
  return `audit_${entry.action.replaceAll(".", "_")}`;
}

/** The entry as a sentence in the page's language, naming who did it and to whom. */
export function auditSentence(entry) {
  const details = entry.details || {};
  const values = {
    actor: entry.staff_name || entry.staff_username || "—",
    target: entry.target_label ?? (entry.target_id ? `#${entry.target_id}` : "—"),
    fields: Object.keys(details).map((name) => labelOf(name).toLowerCase()).join(", "),
    count: number(details.customer_ids?.length ?? details.rows ?? 0),
    amount: money(details.amount_vnd),
    kind: t(`kind_${details.kind}`, {}, details.kind ?? ""),
    gate: details.gate ? gatePhrase(details.gate) : "—",
    name: details.name ?? "",
    label: details.label ?? "",
    benefit: details.benefit ?? "",
    reason: details.reason ?? "",
    // A report downloaded: its name as the reports page says it (words it adds at start).
    report: t(`report_${details.report}`, {}, details.report ?? ""),
    format: details.format === "xlsx" ? "Excel" : (details.format ?? "").toUpperCase(),
    from: dayText(details.from),
    to: dayText(details.to),
  };
  const key = sentenceKey(entry);
  const counted = details.customer_ids?.length ?? details.rows;
  return (counted === 1 ? t(`${key}_one`, values, null) : null) ?? t(key, values, null)
    ?? t("audit_unknown", values);
}

function filterForm(staff, onChange) {
  const people = select([["", t("auditEveryone")], ...staff.map((member) => [member.id,
    member.full_name || member.username])], "");
  const kinds = select([["", t("auditEveryKind")], ...AUDIT_KINDS.map((kind) => [kind,
    t(`auditKind_${kind}`)])], "");
  const form = el("form", { class: "audit-filters", novalidate: true },
    field("staff_id", t("auditPerson"), people), field("kind", t("auditKind"), kinds),
    field("from", t("auditFrom"), el("input", { type: "date" })),
    field("to", t("auditTo"), el("input", { type: "date" })),
    el("p", { class: "error form-error", role: "alert" }));
  form.addEventListener("change", onChange);
  form.addEventListener("submit", (event) => { event.preventDefault(); onChange(); });
  return form;
}

function clearProblems(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
}

export async function auditView(root) {
  const staff = await api("/staff");
  const { node, body } = table([t("when"), t("auditWhat")], "audit");
  let list = null;
  const form = filterForm(staff, () => list.reload());
  const filters = () => Object.fromEntries(["staff_id", "kind", "from", "to"].map((name) => [
    name, form.elements[name].value]));
  const filtered = () => Object.values(filters()).some((value) => value !== "");
  list = pagedList({
    container: body, emptyText: t("noAudit"),
    fetchPage: async (before) => {
      clearProblems(form);
      try {
        return await api(`/audit${query({ ...filters(), before, limit: PAGE_SIZE })}`);
      } catch (error) {
        if (!(error instanceof ApiError) || ![400, 422].includes(error.status)) throw error;
        showProblems(form, error); // a filter the server refuses: said by its field
        return { items: [], next_cursor: null };
      }
    },
    render: (entry) => {
      const line = row(when(entry.at), auditSentence(entry));
      line.dataset.action = entry.action;
      return line;
    },
  });
  const [empty] = list.footer;
  form.addEventListener("change", () => {
    empty.textContent = filtered() ? t("auditNoMatch") : t("noAudit");
  });
  root.append(el("h1", { text: t("navAudit") }),
    el("p", { class: "hint", text: t("auditHint", { zone: venueZone }) }),
    el("section", { class: "panel" }, form, node, ...list.footer));
  await list.start();
}
