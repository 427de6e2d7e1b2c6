// Printing an event's badges and invitations: each kind of file is made by the server in the
// background (POST /events/{id}/exports), followed every 500 ms until it is done, then
// downloaded; the event's latest files (one made before a guest's data was erased is
// withdrawn: the server deleted it, the panel says so); each guest's own badge and invitation
// images.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { actionButton, el, messageOf, number, row, table, when } from "./ui.js";

// The kinds of file, in the order the panel offers them.
export const EXPORT_KINDS = ["badges_pdf", "badge_sheets_pdf", "badges_zip", "invitations_pdf",
  "invitations_zip"];
const POLL_MS = 500;
const UNFINISHED = new Set(["queued", "running"]);

/** The file's link (the server gives its path once the file is done). */
const downloadLink = (made) => el("a", { class: "download", href: made.download, download: "",
  text: t("download") });

/** Why a file is no longer there: a guest's data was erased after it was made. */
const withdrawnText = () => el("span", { class: "hint withdrawn", text: t("exportWithdrawn") });

const progressText = (made) => `${number(made.done)} / ${number(made.total)}`;

/** One kind of file: its button, then the progress of the one being made and its link. */
function exportKind(event, context, onFinished) {
  return (kind) => {
    const bar = el("progress", { max: 1, value: 0 });
    const count = el("span", { class: "progress-text" });
    const outcome = el("span", { class: "outcome" });
    const progress = el("div", { class: "export-progress", hidden: true, "aria-live": "polite" },
      bar, count, outcome);
    let timer = null;
    let following = null; // the export this line shows

    const show = (made) => {
      bar.max = Math.max(made.total, 1);
      bar.value = made.status === "done" ? bar.max : made.done;
      count.textContent = progressText(made);
      progress.dataset.status = made.status;
      outcome.replaceChildren(made.status === "done" ? downloadLink(made)
        : made.status === "withdrawn" ? withdrawnText()
          : el("span", { class: made.status === "failed" ? "error" : "hint",
            text: made.status === "failed" ? `${t("export_failed")}: ${made.error || "—"}`
              : t(`export_${made.status}`) }));
      progress.hidden = false;
    };
    const poll = async (exportId) => {
      timer = null;
      let made;
      try {
        made = await api(`/exports/${exportId}`);
      } catch (error) {
        if (following !== exportId) return;
        outcome.replaceChildren(el("span", { class: "error", text: messageOf(error) }));
        if (error.status === 0 || error.status >= 500) timer = setTimeout(poll, POLL_MS, exportId);
        return;
      }
      if (following !== exportId) return; // another one was started meanwhile
      show(made);
      if (UNFINISHED.has(made.status)) timer = setTimeout(poll, POLL_MS, exportId);
      else onFinished();
    };
    const follow = (made) => {
      clearTimeout(timer);
      following = made.id;
      show(made);
      if (UNFINISHED.has(made.status)) timer = setTimeout(poll, POLL_MS, made.id);
    };
    context.onLeave(() => {
      following = null;
      clearTimeout(timer);
    });

    const start = actionButton(t("makeExport"), async () => {
      follow(await api(`/events/${event.id}/exports`, { method: "POST", body: { kind } }));
      onFinished(); // listed at once, as queued
    }, "small");
    const line = el("li", { dataset: { kind } },
      el("div", { class: "export-kind" }, el("span", { class: "label" },
        el("strong", { text: t(`kind_${kind}`) }), el("small", { class: "hint",
          text: t(`kindHint_${kind}`) })), start),
      progress);
    return { kind, line, follow };
  };
}

/** The event's latest files, newest first. */
function recentList(event) {
  const { node, body } = table([t("file"), t("created"), t("status"), ""], "exports");
  const empty = el("p", { class: "empty", text: t("noExports") });
  const problem = el("p", { class: "error", role: "alert" });
  const exportRow = (made) => {
    const finished = made.status === "done" || made.status === "withdrawn";
    const status = finished ? t(`export_${made.status}`)
      : `${t(`export_${made.status}`)} · ${progressText(made)}`;
    const line = row(t(`kind_${made.kind}`), when(made.created_at), status,
      made.status === "done" ? downloadLink(made)
        : made.status === "withdrawn" ? withdrawnText() : made.error || "");
    line.dataset.exportId = made.id;
    line.dataset.status = made.status;
    return line;
  };
  return {
    node: el("div", { class: "recent-exports" }, el("h3", { text: t("recentExports") }), node,
      empty, problem),
    /** Reads the list again; resolves to it (empty when it could not be read). */
    async load() {
      try {
        const exports = await api(`/events/${event.id}/exports`);
        body.replaceChildren(...exports.map(exportRow));
        empty.hidden = exports.length > 0;
        problem.textContent = "";
        return exports;
      } catch (error) {
        problem.textContent = messageOf(error);
        return [];
      }
    },
  };
}

/** The event page's "Printing" panel. `start()` reads the list (and follows what is still
 * being made, e.g. after the page was reloaded). */
export function printingPanel(event, context) {
  const recent = recentList(event);
  const kinds = EXPORT_KINDS.map(exportKind(event, context, () => recent.load()));
  const panel = el("section", { class: "panel printing" }, el("h2", { text: t("printing") }),
    el("p", { class: "hint", text: t("printingHint") }),
    el("ul", { class: "export-kinds" }, kinds.map((kind) => kind.line)), recent.node);
  return {
    panel,
    async start() {
      const exports = await recent.load();
      for (const kind of kinds) {
        const latest = exports.find((made) => made.kind === kind.kind);
        if (latest && UNFINISHED.has(latest.status)) kind.follow(latest);
      }
    },
  };
}

/** A guest's badge and invitation images, each in a tab of its own. */
export function guestPrintLinks(event, guest) {
  const base = `/api/v1/events/${event.id}/invitations/${guest.invitation_id}`;
  const image = (name, text) => el("a", { href: `${base}/${name}.png`, text, target: "_blank",
    class: `${name}-png` });
  return el("span", { class: "print-links" }, image("badge", t("badgePng")),
    image("invitation", t("invitationPng")));
}
