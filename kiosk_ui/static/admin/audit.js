// #/audit (admins): who did what, newest first, a page at a time.
import { api, query } from "./api.js";
import { t } from "./i18n.js";
import { el, pagedList, row, table, when } from "./ui.js";

const PAGE_SIZE = 50;
const SUMMARY_SIZE = 160;

/** What was asked, in short: "name: Hội thảo · capacity: 600". */
function summary(entry) {
  if (entry.summary) return entry.summary;
  const text = Object.entries(entry.details || {}).map(([key, value]) =>
    `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`).join(" · ");
  return text.length > SUMMARY_SIZE ? `${text.slice(0, SUMMARY_SIZE)}…` : text || "—";
}

export async function auditView(root) {
  const { node, body } = table([t("when"), t("who"), t("action"), t("target"), t("summary")],
    "audit");
  const list = pagedList({
    container: body, emptyText: t("noAudit"),
    fetchPage: (before) => api(`/audit${query({ before, limit: PAGE_SIZE })}`),
    render: (entry) => {
      const line = row(when(entry.at), entry.staff_username, entry.action,
        entry.target_type ? `${entry.target_type} #${entry.target_id ?? "—"}` : "—",
        summary(entry));
      line.dataset.action = entry.action;
      return line;
    },
  });
  root.append(el("h1", { text: t("navAudit") }), el("section", { class: "panel" }, node,
    ...list.footer));
  await list.start();
}
