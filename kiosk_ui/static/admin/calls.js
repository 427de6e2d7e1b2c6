// #/calls: the customers to call back (at risk, lapsed, or flagged by staff), flagged ones
// first, then by the value at risk; mine, unassigned or all; admins give each to a staff
// member. #/calls/{id}: the call itself, the owner's script beside the customer's history,
// a tel: link, and the outcome recorded (what they said when reached). For admins, the
// call log as a spreadsheet and the list's settings.
import { api, query } from "./api.js";
import { lang, t } from "./i18n.js";
import { statusNode } from "./rhythm.js";
import {
  actionButton, checkbox, confirmAction, customerName, el, field, link, makeForm, money,
  notify, pagedList, phoneText, select, textInput, toLocalInput, valueOf, venueZone, when,
} from "./ui.js";
import { randomId } from "../random-id.js";

const PAGE = 20;
const OUTCOMES = ["reached", "no_answer", "wrong_number"];
const REASONS = ["price", "service", "staff", "product", "moved", "competitor", "other"];
const WILL_RETURN = ["yes", "no", "unsure"];
const FILTER_KEY = "kiosk-calls-filter";

/** Today at the venue, as a date input's value. */
const today = () => toLocalInput(new Date().toISOString()).slice(0, 10);

/** A day ("2026-12-08") as people read it, whatever the device's zone. */
const dayText = (value) => (value ? new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "vi-VN",
  { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${value}T00:00:00Z`)) : "—");

/** The venue's day of an instant, as people read it (a visit's date). */
const dateOf = (iso) => new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "vi-VN",
  { dateStyle: "medium", timeZone: venueZone }).format(new Date(iso));

/** A tel: link showing the number as people write it. */
const telLink = (phone) => (phone ? el("a", { class: "tel", href: `tel:${phone}`,
  text: phoneText(phone) }) : el("span", { text: "—" }));

const fact = (label, value, className) => el("div", { class: `fact ${className || ""}` },
  el("dt", { text: label }), el("dd", {}, value ?? "—"));

// ---- the list ---------------------------------------------------------------------------

function assigneePicker(item, staff, onDone) {
  const picker = select([["", t("nobodyYet")], ...staff.map((member) => [member.id,
    member.name])], item.assigned_to ?? "");
  picker.classList.add("assignee-picker");
  picker.setAttribute("aria-label", t("assignee"));
  picker.addEventListener("change", async () => {
    picker.disabled = true;
    try {
      await api(`/calls/cases/${item.id}/assignee`, { method: "PUT",
        body: { staff_id: picker.value ? Number(picker.value) : null } });
      notify(t("assigned"));
      onDone();
    } catch (error) {
      notify(error.message, "error");
      picker.value = item.assigned_to ?? "";
    } finally {
      picker.disabled = false;
    }
  });
  return picker;
}

function caseItem(item, { admin, staff, reload }) {
  const visits = item.last_visits.map((visit) => dateOf(visit.occurred_at)).join(" · ");
  return el("li", { class: `call-case${item.flagged ? " flagged" : ""}`,
    dataset: { caseId: item.id, customerId: item.customer_id } },
  el("div", { class: "call-head" },
    el("a", { class: "call-name", href: `#/calls/${item.id}`, text: item.full_name }),
    telLink(item.phone),
    item.flagged ? el("span", { class: "badge flagged-badge", text: t("flaggedBadge") }) : null),
  item.status ? statusNode(item) : null,
  item.flags.length ? el("ul", { class: "flag-words" }, item.flags.map((words) =>
    el("li", { text: `“${words}”` }))) : null,
  el("dl", { class: "call-facts" },
    fact(t("valueAtRisk"), money(item.value_at_risk_vnd), "value"),
    fact(t("lastVisitsShort"), visits || "—", "wide"),
    fact(t("servedBy"), item.served_by.join(", ") || "—"),
    fact(t("openComplaintsN"), String(item.open_complaints)),
    fact(t("lowRatingsN"), String(item.low_ratings)),
    fact(t("followUp"), dayText(item.follow_up_on)),
    fact(t("assignee"), admin ? assigneePicker(item, staff, reload)
      : item.assignee_name || t("nobodyYet"))),
  el("p", { class: "call-actions" }, link(`#/calls/${item.id}`, t("openCase"), "button primary")));
}

function logPanel() {
  const from = el("input", { type: "date", value: today().slice(0, 8) + "01" });
  const to = el("input", { type: "date", value: today() });
  const download = el("a", { class: "button call-log", text: t("downloadCsv") });
  const aim = () => {
    download.href = `/api/v1/calls/log.csv${query({ from: from.value, to: to.value })}`;
    download.download = `call-log-${from.value}-${to.value}.csv`;
  };
  from.addEventListener("change", aim);
  to.addEventListener("change", aim);
  aim();
  return el("details", { class: "panel admin-only call-log-panel" },
    el("summary", { text: t("callLog") }),
    el("div", { class: "pair" }, field("from", t("field_from"), from),
      field("to", t("field_to"), to)),
    el("p", {}, download));
}

async function settingsPanel() {
  const current = await api("/calls/settings");
  const form = makeForm({
    className: "call-settings",
    fields: [
      el("p", { class: "hint", text: t("callSettingsHint") }),
      field("script", t("field_script"), el("textarea", { rows: 5, maxlength: 4000,
        value: current.script })),
      el("div", { class: "pair" },
        field("hold_out_pct", t("field_hold_out_pct"), textInput(String(current.hold_out_pct),
          { inputmode: "numeric" })),
        field("win_back_days", t("field_win_back_days"),
          textInput(String(current.win_back_days), { inputmode: "numeric" }))),
      checkbox("exit_survey", t("field_exit_survey"), current.exit_survey),
    ],
    submit: t("save"),
    send: async (sent) => {
      const whole = (name) => (/^\d+$/.test(valueOf(sent, name)) ? Number(valueOf(sent, name))
        : valueOf(sent, name));
      await api("/calls/settings", { method: "PUT", body: {
        script: sent.elements.script.value, hold_out_pct: whole("hold_out_pct"),
        win_back_days: whole("win_back_days"), exit_survey: sent.elements.exit_survey.checked,
      } });
      notify(t("saved"));
    },
  });
  return el("details", { class: "panel admin-only call-settings-panel" },
    el("summary", { text: t("callSettings") }), form);
}

export async function callsView(root, context) {
  const admin = context.me.role === "admin";
  const staff = admin ? await api("/staff/names") : [];
  const filter = select([["anyone", t("callsAnyone")], ["me", t("callsMine")],
    ["nobody", t("callsNobody")]], localStorage.getItem(FILTER_KEY) || "anyone");
  filter.classList.add("calls-filter");
  const note = el("p", { class: "hint no-model", hidden: true, text: t("callsNoModel") });
  const container = el("ol", { class: "call-list" });
  const list = pagedList({
    container, emptyText: t("callsEmpty"),
    fetchPage: async (cursor) => {
      const page = await api(`/calls/cases${query({ assigned: filter.value, cursor,
        limit: PAGE })}`);
      note.hidden = page.ranked_by_model;
      container.dataset.total = page.total;
      return page;
    },
    render: (item) => caseItem(item, { admin, staff, reload: () => list.reload() }),
  });
  filter.addEventListener("change", () => {
    localStorage.setItem(FILTER_KEY, filter.value);
    list.reload();
  });
  root.append(el("h1", { text: t("navCalls") }),
    el("p", { class: "hint", text: t("callsHint") }),
    el("div", { class: "toolbar" }, field("assigned", t("callsShown"), filter)),
    note, container, ...list.footer,
    ...(admin ? [logPanel(), await settingsPanel()] : []));
  await list.start();
}

// ---- one call ---------------------------------------------------------------------------

const section = (title, className, ...children) => el("section",
  { class: `panel ${className}` }, el("h2", { text: title }), ...children);

const lines = (items, render) => (items.length ? el("ul", { class: "history-lines" },
  items.map((item) => el("li", {}, ...render(item)))) : el("p", { class: "empty",
  text: t("nothingYet") }));

function historyPanels(detail) {
  return [
    section(t("lastVisitsShort"), "call-visits", lines(detail.visits, (visit) => [
      el("span", { class: "time", text: when(visit.occurred_at) }), " ",
      t(visit.kind === "purchase" ? "purchase" : "visitAtEvent"),
      visit.staff_name ? ` · ${visit.staff_name}` : ""])),
    section(t("purchasesShort"), "call-purchases", lines(detail.purchases, (sale) => [
      el("span", { class: "time", text: when(sale.occurred_at) }), " ", money(sale.amount_vnd),
      sale.items ? ` · ${sale.items}` : "", sale.staff_name ? ` · ${sale.staff_name}` : ""])),
    section(t("callComplaints"), "call-complaints", lines(detail.complaints, (complaint) => [
      el("span", { class: "time", text: when(complaint.opened_at) }), " ",
      el("q", { text: complaint.text }),
      ` · ${t(`complaintStatus_${complaint.status}`, {}, complaint.status)}`])),
    section(t("lowRatingsN"), "call-low-ratings", lines(detail.low_ratings, (rating) => [
      el("span", { class: "time", text: when(rating.answered_at) }), " ",
      t("stars", { n: rating.visit_rating }), rating.staff_name ? ` · ${rating.staff_name}` : "",
      rating.comment ? ": " : "", rating.comment ? el("q", { text: rating.comment }) : ""])),
    section(t("leavingFlags"), "call-flags", lines(detail.flags, (flag) => [
      el("span", { class: "time", text: when(flag.flagged_at) }), " ",
      el("q", { text: flag.words }), flag.staff_name ? ` · ${flag.staff_name}` : ""])),
  ];
}

const callLine = (call) => [
  el("span", { class: "time", text: when(call.called_at) }), " ",
  el("strong", { text: t(`outcome_${call.outcome}`) }),
  call.staff_name ? ` · ${call.staff_name}` : "",
  call.reason ? ` · ${t(`reason_${call.reason}`)}${call.words ? ": " : ""}` : "",
  call.words ? el("q", { text: call.words }) : "",
  call.will_return ? ` · ${t("field_will_return")} ${t(`willReturn_${call.will_return}`)}` : "",
  call.follow_up_on ? ` · ${t("followUp")}: ${dayText(call.follow_up_on)}` : "",
  call.notes ? el("p", { class: "hint", text: call.notes }) : "",
];

function callForm(caseId, onRecorded) {
  let clientKey = randomId(); // this call's, until it is recorded
  const choices = (names, prefix) => [["", t("choose")], ...names.map((name) => [name,
    t(`${prefix}${name}`)])];
  const outcome = select(choices(OUTCOMES, "outcome_"), "");
  const answer = el("div", { class: "reached-only", hidden: true },
    field("reason", t("field_reason"), select(choices(REASONS, "reason_"), "")),
    field("words", t("field_words"), el("textarea", { rows: 2, maxlength: 1000 })),
    field("will_return", t("field_will_return"), select(choices(WILL_RETURN, "willReturn_"),
      "")));
  outcome.addEventListener("change", () => { answer.hidden = outcome.value !== "reached"; });
  const form = makeForm({
    className: "record-call",
    fields: [field("outcome", t("field_outcome"), outcome), answer,
      field("notes", t("field_notes"), el("textarea", { rows: 2, maxlength: 2000 })),
      field("follow_up_on", t("field_follow_up_on"), el("input", { type: "date",
        min: today() }))],
    submit: t("recordCall"),
    send: async (sent) => {
      const reached = outcome.value === "reached";
      const body = { outcome: outcome.value || null, notes: valueOf(sent, "notes"),
        follow_up_on: sent.elements.follow_up_on.value || null, client_key: clientKey };
      if (reached) {
        Object.assign(body, { reason: sent.elements.reason.value || null,
          words: valueOf(sent, "words"), will_return: sent.elements.will_return.value || null });
      }
      await api(`/calls/cases/${caseId}/calls`, { method: "POST", body });
      clientKey = randomId();
      notify(t("callRecorded"));
      onRecorded();
    },
  });
  return form;
}

export async function callCaseView(root, context, id) {
  const detail = await api(`/calls/cases/${id}`);
  const item = detail.case;
  const open = detail.state === "open";
  const again = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const close = actionButton(t("closeCase"), async () => {
    if (!await confirmAction(t("closeCaseQ", { name: item.full_name }), t("closeCase"))) return;
    await api(`/calls/cases/${id}/close`, { method: "POST" });
    notify(t("caseClosed"));
    again();
  }, "close-case admin-only");
  root.append(
    el("header", { class: "view-head" },
      el("h1", { text: customerName({ id: item.customer_id, full_name: item.full_name }) }),
      el("div", { class: "links" }, link(`#/customers/${item.customer_id}`, t("customerPageLink"),
        "button"), link("#/calls", t("back"), "button"))),
    el("p", { class: "call-head" }, item.phone ? el("a", { class: "button primary tel",
      href: `tel:${item.phone}`, text: `${t("callNow")} ${phoneText(item.phone)}` }) : "—",
    item.flagged ? el("span", { class: "badge flagged-badge", text: t("flaggedBadge") }) : null),
    item.status ? statusNode(item) : "",
    el("dl", { class: "call-facts" },
      fact(t("valueAtRisk"), money(item.value_at_risk_vnd), "value"),
      fact(t("usualSpend"), money(item.usual_spend_vnd)),
      fact(t("assignee"), item.assignee_name || t("nobodyYet")),
      fact(t("followUp"), dayText(item.follow_up_on))),
    el("div", { class: "columns call-columns" },
      el("div", { class: "call-side" },
        section(t("callScript"), "call-script", el("ol", { class: "script" },
          detail.script.map((question) => el("li", { text: question })))),
        open ? section(t("recordCall"), "call-record", callForm(id, again))
          : el("p", { class: "erased-note", role: "note", text: t("caseClosedNote") }),
        section(t("previousCalls"), "call-previous", detail.calls.length
          ? el("ul", { class: "history-lines calls" }, detail.calls.map((call) =>
            el("li", {}, ...callLine(call))))
          : el("p", { class: "empty", text: t("noCallsYet") }))),
      el("div", { class: "call-side" }, ...historyPanels(detail))),
    open ? el("p", { class: "card-actions" }, close) : "");
}
