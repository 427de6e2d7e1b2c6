// Small helpers every admin page shares: DOM nodes (text only, never HTML), forms that show
// the server's messages by their fields, keyset-paged lists, confirmations, notices, times.
import { ApiError, api } from "./api.js";
import { lang, t } from "./i18n.js";

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "indeterminate"]);

/**
 * A DOM node. `attrs`: class, text, dataset, on<event> handlers, DOM properties (value,
 * checked...), else attributes. Children are nodes or strings (set as text).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined
    && child !== false));
  return node;
}

export const link = (href, text, className) => el("a", { href, text, class: className });

/** A button that runs `run` once at a time (disabled meanwhile); a failure is notified. */
export function actionButton(text, run, className) {
  const button = el("button", { type: "button", class: className, text });
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      notify(messageOf(error), "error");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function messageOf(error) {
  if (!(error instanceof ApiError)) console.error(error);
  return error instanceof ApiError ? error.message : t("unexpected");
}

let noticeTimer = null;
/** A short message at the top of the page (success or error). */
export function notify(text, kind = "ok") {
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.className = kind;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, 6000);
}

/** A page-level message, e.g. the server's 403. */
export const errorBox = (error) => el("p", { class: "error page-error", role: "alert",
  text: messageOf(error) });

// ---- forms --------------------------------------------------------------------------------

let controls = 0;

/** A labelled control with a place for the server's message about it. */
export function field(name, label, control, hint) {
  control.name = name;
  control.id ||= `f-${name}-${++controls}`;
  return el("div", { class: "field", dataset: { field: name } },
    el("label", { for: control.id, text: label }), control,
    hint ? el("small", { class: "hint", text: hint }) : null,
    el("p", { class: "field-error", dataset: { errorFor: name } }));
}

export const textInput = (value, attrs = {}) => el("input", { value: value ?? "", ...attrs });

/** A checkbox with its label after it. */
export function checkbox(name, label, checked) {
  const box = el("input", { type: "checkbox", name, checked: Boolean(checked) });
  return el("div", { class: "field check", dataset: { field: name } },
    el("label", {}, box, el("span", { text: label })),
    el("p", { class: "field-error", dataset: { errorFor: name } }));
}

export function select(options, value) {
  return el("select", {}, options.map(([optionValue, label]) => el("option", {
    value: optionValue, text: label, selected: String(optionValue) === String(value) })));
}

/** The messages `showProblems` put on the form, gone (before it is sent again). */
export function clearProblems(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
}

/** The server's messages, each next to its field (else under the form); a refused value
 * is named by the label the form shows for it. */
export function showProblems(form, error) {
  const problems = error instanceof ApiError ? error.problems
    : [{ field: null, message: messageOf(error) }];
  for (const { field: name, message, rule } of problems) {
    const slot = name && form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const label = slot?.closest(".field")?.querySelector("label")?.textContent.trim();
    const text = slot && rule && label ? `${label}: ${rule}` : message;
    const target = slot || form.querySelector(".form-error");
    target.textContent = target.textContent ? `${target.textContent} ${text}` : text;
    slot?.closest(".field")?.classList.add("invalid");
  }
}

/**
 * A form whose submit button is disabled while `send(form)` runs (a double click sends
 * once); what the server refuses is shown by the fields.
 */
export function makeForm({ fields, submit, send, className, extra = [] }) {
  const button = el("button", { type: "submit", class: "primary", text: submit });
  const form = el("form", { class: className, novalidate: true }, ...fields,
    el("div", { class: "actions" }, button, ...extra),
    el("p", { class: "error form-error", role: "alert" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    clearProblems(form);
    try {
      await send(form);
    } catch (error) {
      showProblems(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * The page of a form that adds a thing (POST `base`) or, given its id, changes it (PATCH
 * `base`/id), then opens it (#`base`/id). `body(form)` is what is sent.
 */
/** The sign-in form (username, password); `onSignedIn(me)` gets the staff member it
 * signed in. */
export function signInForm(onSignedIn) {
  return makeForm({
    className: "signin",
    fields: [
      field("username", t("username"), textInput("", { autocomplete: "username" })),
      field("password", t("password"), textInput("", { type: "password",
        autocomplete: "current-password" })),
    ],
    submit: t("signIn"),
    send: async (sent) => onSignedIn(await api("/auth/login", { method: "POST", body: {
      username: valueOf(sent, "username"), password: sent.elements.password.value } })),
  });
}

export function editorPage(root, { base, id, titles: [addTitle, editTitle], submit, body,
  ...formOptions }) {
  const form = makeForm({
    ...formOptions,
    submit: submit || t("save"),
    send: async (sent) => {
      const saved = await api(id ? `${base}/${id}` : base, { method: id ? "PATCH" : "POST",
        body: body(sent) });
      notify(t("saved"));
      location.hash = `#${base}/${saved.id}`;
    },
    extra: [link(id ? `#${base}/${id}` : `#${base}`, t("back"), "button")],
  });
  root.append(el("h1", { text: id ? editTitle : addTitle }), form);
}

/** A form control's value, trimmed; "" for a blank one. */
export const valueOf = (form, name) => form.elements[name].value.trim();
export const checked = (form, name) => form.elements[name].checked;
/** null for a blank value (a field that may be left empty). */
export const orNull = (value) => (value === "" ? null : value);

/** What staff call a customer: their name, or, once their personal data was erased, only
 * that they existed ("Khách hàng đã xoá dữ liệu · #12"). */
export const customerName = (customer, id = customer.id) => (
  customer.erased_at || !customer.full_name ? t("erasedCustomer", { id }) : customer.full_name);

/** Tags as chips, VIP first and marked. */
export function tagList(tags) {
  const sorted = [...(tags || [])].sort((a, b) => (b === "vip") - (a === "vip"));
  return el("span", { class: "tags" }, sorted.map((tag) => el("span", {
    class: tag === "vip" ? "badge vip" : "badge", text: tag === "vip" ? "VIP" : tag })));
}

// ---- lists --------------------------------------------------------------------------------

/**
 * A list read a page at a time with the server's cursor (never an offset): `reload()`
 * starts again, the "more" button reads the next page. `fetchPage(cursor, search)` gives
 * {items, next_cursor}; `render(item)` a node. Stale answers (after a reload) are dropped.
 * `start()` is the first reload: its failure is the caller's (a page shows it instead).
 * With `searchFor` (a placeholder), `search` is a box whose text the list is searched for.
 */
export function pagedList({ fetchPage, render, container, emptyText, searchFor }) {
  const more = el("button", { type: "button", class: "more", text: t("more"), hidden: true });
  const search = searchFor ? searchBox(searchFor, () => load(true)) : null;
  const empty = el("p", { class: "empty", text: emptyText, hidden: true });
  const problem = el("p", { class: "error", role: "alert" });
  let cursor = null;
  let generation = 0;

  async function load(reset, rethrow = false) {
    const mine = reset ? ++generation : generation;
    more.disabled = true;
    try {
      const page = await fetchPage(reset ? null : cursor, search?.value.trim() ?? "");
      if (mine !== generation) return;
      if (reset) container.replaceChildren();
      container.append(...page.items.map(render));
      cursor = page.next_cursor ?? null;
      more.hidden = cursor === null;
      empty.hidden = container.children.length > 0;
      problem.textContent = "";
    } catch (error) {
      if (rethrow) throw error;
      if (mine === generation) problem.textContent = messageOf(error);
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => load(false));
  return { search, start: () => load(true, true), reload: () => load(true),
    footer: [empty, problem, more] };
}

/** A table with headed columns; rows go into its tbody. */
export function table(headings, className) {
  const body = el("tbody");
  const node = el("div", { class: "table-wrap" }, el("table", { class: className },
    el("thead", {}, el("tr", {}, headings.map((heading) => el("th", { text: heading })))), body));
  return { node, body };
}

/**
 * The line under a table row that opens to show a form or details: `row` goes into the
 * table after its row; `opener(make)` is a click handler showing what `make()` gives.
 */
export function underRow(columns) {
  const cell = el("td", { colspan: columns });
  const line = el("tr", { class: "extra", hidden: true }, cell);
  const close = () => { line.hidden = true; };
  return {
    row: line,
    opener: (make) => async () => {
      cell.replaceChildren(el("button", { type: "button", class: "close small", text: "×",
        title: t("close"), "aria-label": t("close"), onclick: close }), await make());
      line.hidden = false;
    },
  };
}

export const row = (...cells) => el("tr", {}, cells.map((cell) => (
  cell instanceof Node ? el("td", {}, cell) : el("td", { text: cell ?? "—" }))));

export function debounce(run, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => run(...args), ms);
  };
}

/** A search box that calls `search()` once typing pauses. */
function searchBox(placeholder, search) {
  const input = el("input", { type: "search", class: "search", placeholder,
    autocomplete: "off", "aria-label": placeholder });
  input.addEventListener("input", debounce(search, 250));
  return input;
}

/** Asks before doing something that cannot be undone; resolves true when confirmed.
 * `kind`: the confirm button's look ("danger", or "primary" for an everyday step). */
export function confirmAction(message, confirmLabel, kind = "danger") {
  return new Promise((resolve) => {
    const dialog = el("dialog", { class: "confirm" }, el("p", { text: message }),
      el("form", { method: "dialog", class: "actions" },
        el("button", { value: "no", text: t("back") }),
        el("button", { value: "yes", class: kind, text: confirmLabel })));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "yes");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// ---- times, in the venue's zone -----------------------------------------------------------

const zone = document.querySelector("meta[name=kiosk-timezone]")?.content || undefined;
/** The venue's time zone: times are shown and typed in it, whatever the device's own. */
export const venueZone = zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
const wallClock = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const pad = (number) => String(number).padStart(2, "0");

function wall(date) {
  const parts = {};
  for (const { type, value } of wallClock.formatToParts(date)) parts[type] = Number(value);
  return parts;
}

/** Minutes the venue's clock is ahead of UTC at `date`. */
function offsetAt(date) {
  const p = wall(date);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(date.getTime() / 60000) * 60000) / 60000);
}

/** An instant as a datetime-local input's value ("YYYY-MM-DDTHH:MM"), venue time. */
export function toLocalInput(iso) {
  if (!iso) return "";
  const p = wall(new Date(iso));
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** A datetime-local value read as venue time, as ISO 8601 with the venue's offset. */
export function fromLocalInput(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offset = offsetAt(new Date(asUtc - offsetAt(new Date(asUtc)) * 60000));
  const sign = offset < 0 ? "-" : "+";
  const size = Math.abs(offset);
  return `${match[0]}:00${sign}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

const locale = () => (lang() === "en" ? "en-GB" : "vi-VN");

/** A date and time as people at the venue read it. */
export function when(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short",
    timeZone: zone }).format(new Date(iso));
}

/** A calendar day ("2026-11-03", the shop's) as people read it: "03/11/2026". */
export function dayText(day) {
  if (!day) return "—";
  return new Intl.DateTimeFormat(locale(), { day: "2-digit", month: "2-digit", year: "numeric",
    timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** The time of day at the venue: "14:05:09", or "14:05" without `seconds`. */
export function timeOfDay(iso, seconds = true) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit",
    second: seconds ? "2-digit" : undefined, hourCycle: "h23", timeZone: zone })
    .format(new Date(iso));
}

/** A phone number as people write it in Vietnam: +84912345678 -> 0912 345 678. */
export function phoneText(phone) {
  if (!phone) return "—";
  const local = /^\+84(\d{9})$/.exec(phone);
  return local ? `0${local[1].slice(0, 3)} ${local[1].slice(3, 6)} ${local[1].slice(6)}` : phone;
}

export const number = (value) => new Intl.NumberFormat(locale()).format(value);

/** Whole Vietnamese dong as people read them: "1.250.000 ₫" (vi), "1,250,000 ₫" (en); the
 * amount and its sign stay on one line. */
export const money = (vnd) => `${number(Math.trunc(vnd ?? 0))}\u00a0₫`;
