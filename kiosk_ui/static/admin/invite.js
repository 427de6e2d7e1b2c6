// Inviting guests to an event: picked from the customer list, or from a CSV file that is
// first checked (a dry run: counts and each bad row, nothing saved), then sent again as is.
import { api, query } from "./api.js";
import { t } from "./i18n.js";
import {
  actionButton, el, messageOf, notify, pagedList, phoneText, table,
} from "./ui.js";

const PICK_PAGE = 20;

function picker(event, onInvited) {
  const chosen = new Map(); // customer id -> name
  const list = el("ul", { class: "pick-list" });
  const invite = actionButton("", async () => {
    const ids = [...chosen.keys()];
    const invitations = await api(`/events/${event.id}/invitations`, { method: "POST",
      body: { customer_ids: ids } });
    notify(t("invitedN", { n: invitations.length }));
    chosen.clear();
    for (const box of list.querySelectorAll("input:checked")) box.checked = false;
    showCount();
    await onInvited();
  }, "primary");
  const showCount = () => {
    invite.textContent = t("inviteChosen", { n: chosen.size });
    invite.hidden = chosen.size === 0;
  };
  const customers = pagedList({
    container: list, emptyText: t("noCustomers"), searchFor: t("searchCustomers"),
    fetchPage: (after, q) => api(`/customers${query({ q, after, limit: PICK_PAGE })}`),
    render: (customer) => {
      const box = el("input", { type: "checkbox", checked: chosen.has(customer.id),
        onchange: () => {
          if (box.checked) chosen.set(customer.id, customer.full_name);
          else chosen.delete(customer.id);
          showCount();
        } });
      return el("li", { dataset: { customerId: customer.id } }, el("label", {}, box,
        el("span", { class: "name", text: customer.full_name }),
        el("span", { class: "phone", text: phoneText(customer.phone) }),
        customer.tags.includes("vip") ? el("span", { class: "badge vip", text: "VIP" }) : null));
    },
  });
  showCount();
  customers.reload();
  return el("div", { class: "invite-pick" }, el("h3", { text: t("inviteFromCustomers") }),
    customers.search, list, ...customers.footer, el("p", {}, invite));
}

/** A dry run's report: the counts, and a table of the rows that are wrong. */
function report(answer) {
  const summary = el("p", { class: "summary", text: t("importSummary", {
    rows: answer.rows, created: answer.created_customers, existing: answer.existing_customers,
    errors: answer.errors.length }) });
  if (!answer.errors.length) return el("div", { class: "import-report ok" }, summary);
  const { node, body } = table([t("csvRow"), t("csvField"), t("problem")], "import-errors");
  body.append(...answer.errors.map((error) => el("tr", { dataset: { row: error.row } },
    el("td", { text: error.row }),
    el("td", { text: error.field ? t(`field_${error.field}`, {}, error.field) : "—" }),
    el("td", {}, el("span", { text: t(`import_${error.code}`, {}, "") }),
      el("small", { class: "detail", text: error.message })))));
  return el("div", { class: "import-report bad" }, summary,
    el("p", { class: "error", text: t("importFix") }), node);
}

function csvImport(event, onInvited) {
  const input = el("input", { type: "file", accept: ".csv,text/csv", name: "csv",
    "aria-label": t("chooseCsv") });
  const result = el("div", { class: "import-result", "aria-live": "polite" });
  let file = null; // the file checked: Confirm sends this one

  const confirm = actionButton("", async () => {
    const sent = file;
    const answer = await api(`/events/${event.id}/invitations/import?dry_run=false`, {
      method: "POST", file: sent });
    if (!answer.saved) { // the file went wrong since: show why, save nothing
      result.replaceChildren(report(answer));
      confirm.hidden = true;
      return;
    }
    file = null;
    input.value = "";
    confirm.hidden = true;
    result.replaceChildren(el("p", { class: "ok", text: t("importDone", {
      n: answer.invitations.length, created: answer.created_customers }) }));
    await onInvited();
  }, "primary");
  confirm.hidden = true;

  input.addEventListener("change", async () => {
    file = input.files[0] || null;
    confirm.hidden = true;
    result.replaceChildren();
    if (!file) return;
    const checking = file;
    result.append(el("p", { class: "hint", text: t("checking") }));
    try {
      const answer = await api(`/events/${event.id}/invitations/import?dry_run=true`, {
        method: "POST", file: checking });
      if (checking !== file) return; // another file was chosen meanwhile
      result.replaceChildren(report(answer));
      confirm.textContent = t("confirmImport", { n: answer.rows });
      confirm.hidden = answer.errors.length > 0 || answer.rows === 0;
    } catch (error) {
      if (checking === file) result.replaceChildren(el("p", { class: "error",
        text: messageOf(error) }));
    }
  });
  return el("div", { class: "invite-csv" }, el("h3", { text: t("inviteFromCsv") }),
    el("p", { class: "hint", text: t("csvHint") }), input, result, confirm);
}

export function invitePanel(event, onInvited) {
  return el("section", { class: "panel invite" }, el("h2", { text: t("invite") }),
    el("div", { class: "columns" }, picker(event, onInvited), csvImport(event, onInvited)));
}
