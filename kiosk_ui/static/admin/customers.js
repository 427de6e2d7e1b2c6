// Customers: the list (search by name without diacritics, or phone; read a page at a time
// with the server's cursor), a CSV import, and the add and edit form.
import { api, query } from "./api.js";
import { csvImport } from "./csv_import.js";
import { consentBody, consentFields } from "./consent.js";
import { t } from "./i18n.js";
import { statusNode } from "./rhythm.js";
import { rhythmSettingsPanel } from "./rhythm_settings.js";
import {
  checkbox, checked, customerName, editorPage, el, field, link, number, pagedList, phoneText,
  row, select, table, tagList, textInput, valueOf, when,
} from "./ui.js";

const PAGE_SIZE = 50;
const STATUSES = ["new", "active", "watch", "at_risk", "lapsed"];

/** A customer with a status (the list filtered by it): the name, the badge, the reason. */
function statusRow(item) {
  const line = el("tr", { class: "by-status", dataset: { customerId: item.customer_id } },
    el("td", {}, el("span", { class: "name" },
      link(`#/customers/${item.customer_id}`, item.full_name))),
    el("td", { colspan: 5 }, statusNode(item)));
  return line;
}

export async function customersView(root, context) {
  // Filtered by status, the list is of the customers with it (the search does not apply).
  const status = select([["", t("rhythmAll")], ...STATUSES.map((name) => [name,
    t(`rhythm_${name}`)])], "");
  status.name = "status";
  status.classList.add("status-filter");
  status.setAttribute("aria-label", t("rhythm"));
  status.addEventListener("change", () => {
    list.search.hidden = Boolean(status.value);
    node.classList.toggle("filtered-by-status", Boolean(status.value)); // its own columns
    list.reload();
  });
  const { node, body } = table([t("fullName"), t("phone"), t("email"), t("tags"), t("visits"),
    t("lastVisit")], "customers");
  const list = pagedList({
    container: body, emptyText: t("noCustomers"), searchFor: t("searchCustomers"),
    fetchPage: (after, q) => (status.value
      ? api(`/customer-statuses${query({ status: status.value, after, limit: PAGE_SIZE })}`)
      : api(`/customers${query({ q, after, limit: PAGE_SIZE })}`)),
    render: (customer) => {
      if (status.value) return statusRow(customer);
      const name = [link(`#/customers/${customer.id}`, customerName(customer)),
        ...(customer.erased_at ? [el("span", { class: "hint erased-on",
          text: t("erasedOn", { time: when(customer.erased_at) }) })] : [])];
      const line = row(el("span", { class: "name" }, ...name),
        phoneText(customer.phone), customer.email, tagList(customer.tags),
        String(customer.visit_count), when(customer.last_visit_at));
      line.dataset.customerId = customer.id;
      line.classList.toggle("erased", Boolean(customer.erased_at));
      return line;
    },
  });
  const importing = csvImport({
    path: "/customers/import", className: "customers-csv",
    importLabel: (answer) => (answer.bad
      ? t("importGoodSkipBad", { n: number(answer.good), bad: number(answer.bad) })
      : t("importAll", { n: number(answer.good) })),
    doneText: (answer) => t("customersImported", { created: number(answer.created),
      existing: number(answer.existing) }),
    onImported: () => list.reload(),
  });
  root.append(el("header", { class: "view-head" }, el("h1", { text: t("navCustomers") }),
    el("div", { class: "links" },
      el("a", { href: "/api/v1/signup/poster.pdf", download: "", class: "button signup-poster",
        text: t("signupPoster"), title: t("signupPosterHint") }),
      link("#/customers/new", t("newCustomer"), "button primary"))),
  el("details", { class: "panel import" }, el("summary", { text: t("importCustomers") }),
    importing),
  el("section", { class: "panel" }, el("div", { class: "toolbar" }, list.search, status),
    node, ...list.footer),
  await rhythmSettingsPanel(context.me.role === "admin"));
  await list.start();
}

/** Tags typed as "a, b", VIP from its checkbox. */
function tagsOf(form) {
  const typed = valueOf(form, "tags").split(",").map((tag) => tag.trim().toLowerCase())
    .filter((tag) => tag && tag !== "vip");
  return [...(checked(form, "vip") ? ["vip"] : []), ...typed];
}

/** #/customers/new and #/customers/{id}/edit. */
export async function customerForm(root, context, id) {
  const customer = id ? await api(`/customers/${id}`) : { tags: [] };
  const others = customer.tags.filter((tag) => tag !== "vip").join(", ");
  editorPage(root, {
    base: "/customers", id, titles: [t("newCustomer"), t("editCustomer")],
    className: "customer-form", submit: id ? t("save") : t("addCustomer"),
    fields: [
      field("full_name", t("fullName"), textInput(customer.full_name, { maxlength: 200 })),
      el("div", { class: "pair" },
        field("phone", t("phone"), textInput(customer.phone, { type: "tel" })),
        field("email", t("email"), textInput(customer.email, { type: "email" }))),
      field("notes", t("notes"), el("textarea", { rows: 3, value: customer.notes || "" })),
      ...consentFields(customer),
      checkbox("vip", t("vipTag"), customer.tags.includes("vip")),
      field("tags", t("otherTags"), textInput(others), t("tagsHint")),
    ],
    body: (sent) => ({
      full_name: valueOf(sent, "full_name"), phone: valueOf(sent, "phone"),
      email: valueOf(sent, "email"), notes: sent.elements.notes.value,
      ...consentBody(sent), tags: tagsOf(sent),
    }),
  });
}
