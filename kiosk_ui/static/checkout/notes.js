// What staff keep about the customer: notes (each added line dated and signed by the server)
// and complaints, recorded at the till and resolved there or later.
import { api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { el, field, makeForm, notify, select, valueOf, when } from "../admin/ui.js";
import { staffNames } from "./staff.js";

export function notesSection({ customerId, onChange }) {
  const text = el("p", { class: "notes" });
  const form = makeForm({
    className: "add-note",
    fields: [field("text", t("newNote"), el("textarea", { rows: 2, maxlength: 2000,
      placeholder: t("notePlaceholder") }))],
    submit: t("addNote"),
    send: async (sent) => {
      const customer = await api(`/customers/${customerId}/notes`, { method: "POST",
        body: { text: valueOf(sent, "text") } });
      sent.reset();
      text.textContent = customer.notes || t("noNotes");
      notify(t("noteAdded"));
      onChange();
    },
  });
  const update = (panel) => {
    text.textContent = panel.customer.notes || t("noNotes");
    text.classList.toggle("empty", !panel.customer.notes);
  };
  const node = el("section", { class: "panel", dataset: { part: "notes" } },
    el("h2", { text: t("notes") }), text, form);
  return { node, update };
}

export function complaintsSection({ customerId, onChange }) {
  const list = el("ul", { class: "complaints" });
  const empty = el("p", { class: "empty", text: t("noComplaints") });
  const about = el("div");
  staffNames().then((staff) => about.replaceChildren(
    field("about_staff_id", t("aboutStaff"), select([["", t("nobody")], ...staff], ""))))
    .catch(() => {}); // without the names, a complaint is about nobody in particular

  const form = makeForm({
    className: "record-complaint",
    fields: [field("text", t("complaintText"), el("textarea", { rows: 2, maxlength: 2000 })),
      about],
    submit: t("recordComplaint"),
    send: async (sent) => {
      const chosen = sent.elements.about_staff_id?.value;
      await api(`/customers/${customerId}/complaints`, { method: "POST", body: {
        text: valueOf(sent, "text"), about_staff_id: chosen ? Number(chosen) : null } });
      sent.reset();
      notify(t("complaintRecorded"));
      onChange();
    },
  });

  const resolveForm = (complaint) => makeForm({
    className: "resolve inline",
    fields: [field("resolution", t("resolution"), el("input", { maxlength: 2000 }))],
    submit: t("saveResolution"),
    send: async (sent) => {
      await api(`/complaints/${complaint.id}/resolve`, { method: "POST",
        body: { resolution: valueOf(sent, "resolution") } });
      notify(t("complaintResolved"));
      onChange();
    },
  });

  const line = (complaint) => {
    const opener = el("button", { type: "button", class: "open-resolve", text: t("resolve") });
    const item = el("li", { dataset: { complaintId: complaint.id } },
      el("p", { class: "complaint-text", text: complaint.text }),
      el("p", { class: "hint", text: [
        t("openedBy", { time: when(complaint.opened_at), name: complaint.opened_by_name || "—" }),
        complaint.about_staff_name ? t("aboutName", { name: complaint.about_staff_name }) : "",
      ].filter(Boolean).join(" · ") }), opener);
    opener.addEventListener("click", () => {
      const resolving = resolveForm(complaint);
      opener.replaceWith(resolving);
      resolving.elements.resolution.focus();
    });
    return item;
  };

  function update(panel) {
    list.replaceChildren(...panel.complaints.map(line));
    empty.hidden = panel.complaints.length > 0;
  }

  const node = el("section", { class: "panel", dataset: { part: "complaints" } },
    el("h2", { text: t("complaints") }), list, empty,
    el("details", { class: "add" }, el("summary", { text: t("recordComplaint") }), form));
  return { node, update };
}
