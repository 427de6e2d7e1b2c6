// Inviting guests to an event: picked from the customer list, or from a CSV file that is
// first previewed (csv_import.js: every row checked, nothing saved), then its good rows.
import { api, query } from "./api.js";
import { csvImport } from "./csv_import.js";
import { t } from "./i18n.js";
import { actionButton, el, notify, number, pagedList, phoneText } from "./ui.js";

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

function inviteCsv(event, onInvited) {
  return csvImport({
    path: `/events/${event.id}/invitations/import`, className: "invite-csv",
    title: t("inviteFromCsv"),
    importLabel: (answer) => (answer.bad
      ? t("inviteGoodSkipBad", { n: number(answer.good), bad: number(answer.bad) })
      : t("confirmImport", { n: number(answer.good) })),
    doneText: (answer) => t("importDone", { n: number(answer.invitations.length),
      created: number(answer.created_customers) }),
    onImported: onInvited,
  });
}

export function invitePanel(event, onInvited) {
  return el("section", { class: "panel invite" }, el("h2", { text: t("invite") }),
    el("div", { class: "columns" }, picker(event, onInvited), inviteCsv(event, onInvited)));
}
