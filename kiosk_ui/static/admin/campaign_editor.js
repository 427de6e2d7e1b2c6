// #/campaigns/new and #/campaigns/{id}/edit: a draft written (name, channel, who gets it,
// the message in Vietnamese and English with placeholders, a coupon, the hold-out), saved
// as it is, then previewed as one real customer will get it. Only a draft is edited; the
// server says what is still missing before it can start.
import { ApiError, api, query } from "./api.js";
import { t } from "./i18n.js";
import { segmentBuilder } from "./segment_builder.js";
import {
  checkbox, clearProblems, debounce, el, field, link, messageOf, notify, phoneText, select,
  showProblems, textInput, valueOf,
} from "./ui.js";

export const PLACEHOLDERS = ["name", "tier", "points", "card_link", "coupon", "coupon_expires",
  "coupon_link", "unsubscribe_link"];
const COUPON_PLACEHOLDERS = new Set(["coupon", "coupon_expires", "coupon_link"]);
const LANGUAGES = ["vi", "en"];
const TEMPLATE_FIELDS = ["subject", "text", "html"];
const NEEDED_TO_START = ["subject_vi", "text_vi"]; // as the server's api_models says
const EMPTY_SEGMENT = { kind: "group", join: "and", rules: [{ kind: "all" }] };

/** What a campaign still needs before it can start, as a sentence (null when ready). */
export function missingText(missing) {
  if (!missing?.length) return null;
  return t("campMissing", { fields: missing.map((name) => t(`campNeed_${name}`, {},
    null) ?? t(`field_${name}`)).join(", ") });
}

/** `text` put into `control` at its cursor (replacing what is selected), cursor after it. */
function insertAt(control, text) {
  const start = control.selectionStart ?? control.value.length;
  const end = control.selectionEnd ?? start;
  control.setRangeText(text, start, end, "end");
  control.dispatchEvent(new Event("input", { bubbles: true }));
  control.focus();
}

/** The message in tabs, one a language (Vietnamese first): subject, plain text, HTML. */
function messageTabs(campaign, form) {
  const panels = {};
  const tabs = {};
  let shown = "vi";
  const show = (language) => {
    shown = language;
    for (const each of LANGUAGES) {
      tabs[each].setAttribute("aria-selected", String(each === language));
      tabs[each].tabIndex = each === language ? 0 : -1;
      panels[each].hidden = each !== language;
    }
  };
  for (const language of LANGUAGES) {
    tabs[language] = el("button", { type: "button", role: "tab", class: "camp-tab",
      id: `camp-tab-${language}`, dataset: { language }, text: t(`campTab_${language}`),
      onclick: () => show(language) });
    panels[language] = el("div", { role: "tabpanel", class: "camp-panel",
      "aria-labelledby": `camp-tab-${language}`, dataset: { language } },
    el("p", { class: "hint", text: t(`campTabHint_${language}`) }),
    field(`subject_${language}`, t(`field_subject_${language}`),
      textInput(campaign[`subject_${language}`], { maxlength: 300 }), t("campSubjectHint")),
    field(`text_${language}`, t(`field_text_${language}`), el("textarea", { rows: 8,
      maxlength: 10000, value: campaign[`text_${language}`] })),
    field(`html_${language}`, t(`field_html_${language}`), el("textarea", { rows: 8,
      maxlength: 60000, class: "code", spellcheck: "false",
      value: campaign[`html_${language}`] }), t("campHtmlHint")));
  }
  show("vi");
  const list = el("div", { role: "tablist", class: "camp-tabs", "aria-label": t("campMessage") },
    LANGUAGES.map((language) => tabs[language]));
  list.addEventListener("keydown", (event) => { // the arrows move between the tabs
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const next = LANGUAGES[(LANGUAGES.indexOf(shown) + 1) % LANGUAGES.length];
    show(next);
    tabs[next].focus();
    event.preventDefault();
  });
  const node = el("div", { class: "camp-message" }, list,
    LANGUAGES.map((language) => panels[language]));
  return {
    node,
    show,
    /** The template control a placeholder goes into: the one last typed in, else the text. */
    target: (last) => (last && !panels[shown].hidden && panels[shown].contains(last) ? last
      : form.elements[`text_${shown}`]),
  };
}

/** Buttons that put `{{name}}` etc. where the cursor is. */
function palette(onPick) {
  const buttons = PLACEHOLDERS.map((name) => el("button", { type: "button",
    class: "small placeholder", dataset: { placeholder: name },
    title: t(`campPlaceholderHint_${name}`),
    onmousedown: (event) => event.preventDefault(), // the template keeps its cursor
    onclick: () => onPick(`{{${name}}}`) },
  el("code", { text: `{{${name}}}` }), " ", t(`campPlaceholder_${name}`)));
  return { node: el("div", { class: "camp-palette" }, el("p", { class: "hint",
    text: t("campPaletteHint") }), el("div", { class: "buttons" }, buttons)), buttons };
}

const whole = (text) => (/^\d+$/.test(text) ? Number(text) : text);

/** What the form says, as the API takes it. */
function bodyOf(form, segment) {
  const body = { name: valueOf(form, "name"), channel: form.elements.channel.value, segment,
    coupon_benefit: form.elements.coupon_on.checked ? valueOf(form, "coupon_benefit") : null,
    coupon_valid_days: whole(valueOf(form, "coupon_valid_days")),
    hold_out_pct: whole(valueOf(form, "hold_out_pct")),
    return_days: whole(valueOf(form, "return_days")) };
  for (const language of LANGUAGES) {
    for (const part of TEMPLATE_FIELDS) {
      const name = `${part}_${language}`;
      body[name] = part === "subject" ? valueOf(form, name) : form.elements[name].value;
    }
  }
  return body;
}

function couponFields(campaign) {
  const on = checkbox("coupon_on", t("campCouponOn"), Boolean(campaign.coupon_benefit));
  const details = el("div", { class: "pair camp-coupon" },
    field("coupon_benefit", t("field_coupon_benefit"), textInput(campaign.coupon_benefit,
      { maxlength: 200, placeholder: t("campCouponExample") })),
    field("coupon_valid_days", t("field_coupon_valid_days"),
      textInput(String(campaign.coupon_valid_days), { inputmode: "numeric" })));
  return { on, details };
}

/** The editor's form; `saved(campaign)` after each save. */
function editorForm(campaign, { onSaved }) {
  let segment = campaign.segment || EMPTY_SEGMENT;
  let lastTemplate = null;
  const channel = select([["email", t("channel_email")], ["sms", t("campChannelSms")]],
    campaign.channel);
  const segmentSlot = el("div", { class: "segment-slot" });
  const placeSegment = () => segmentSlot.replaceChildren(segmentBuilder({ value: segment,
    channel: channel.value, onChange: (value) => { segment = value; } }));
  const coupon = couponFields(campaign);
  const missing = el("p", { class: "camp-missing", role: "note" });
  const submit = el("button", { type: "submit", class: "primary", text: t("campSaveDraft") });
  const form = el("form", { class: "campaign-form", novalidate: true });
  const message = messageTabs(campaign, form);
  const picks = palette((text) => insertAt(message.target(lastTemplate), text));
  const showChannel = () => {
    const sms = channel.value === "sms";
    for (const node of form.querySelectorAll("[data-field^=html_]")) node.hidden = sms;
    form.classList.toggle("sms", sms);
  };
  const showCoupon = () => {
    const on = form.elements.coupon_on.checked;
    coupon.details.hidden = !on;
    for (const button of picks.buttons) {
      if (COUPON_PLACEHOLDERS.has(button.dataset.placeholder)) button.hidden = !on;
    }
  };
  const showMissing = (names) => {
    missing.textContent = missingText(names) ?? t("campReady");
    missing.classList.toggle("ready", !names.length);
  };
  form.append(
    el("section", { class: "panel" }, el("h2", { text: t("campWhat") }),
      field("name", t("field_campaign_name"), textInput(campaign.name, { maxlength: 200 })),
      field("channel", t("field_channel"), channel)),
    el("section", { class: "panel" }, el("h2", { text: t("campWho") }), segmentSlot),
    el("section", { class: "panel" }, el("h2", { text: t("campMessage") }), picks.node,
      message.node),
    el("section", { class: "panel" }, el("h2", { text: t("campOffer") }), coupon.on,
      coupon.details,
      el("div", { class: "pair" },
        field("hold_out_pct", t("field_hold_out_pct"), textInput(String(campaign.hold_out_pct),
          { inputmode: "numeric" }), t("campHoldOutHint")),
        field("return_days", t("field_return_days"), textInput(String(campaign.return_days),
          { inputmode: "numeric" }), t("campReturnHint")))),
    missing,
    el("div", { class: "actions" }, submit,
      link(campaign.id ? `#/campaigns/${campaign.id}` : "#/campaigns", t("back"), "button")),
    el("p", { class: "error form-error", role: "alert" }));
  form.addEventListener("focusin", (event) => {
    if (/^(subject|text|html)_/.test(event.target.name || "")) lastTemplate = event.target;
  });
  // What starting needs, said again as it is typed (the server says it again on saving).
  form.addEventListener("input", (event) => {
    if (!/^(subject|text)_vi$/.test(event.target.name || "")) return;
    showMissing(NEEDED_TO_START.filter((name) => !form.elements[name].value.trim()));
  });
  form.elements.coupon_on.addEventListener("change", showCoupon);
  channel.addEventListener("change", () => {
    showChannel();
    placeSegment();
  });
  placeSegment();
  showChannel();
  showCoupon();
  showMissing(campaign.missing ?? NEEDED_TO_START);

  /** Saves what the form says; the saved campaign, or null when refused (shown). */
  async function save() {
    clearProblems(form);
    try {
      const saved = await api(campaign.id ? `/campaigns/${campaign.id}` : "/campaigns", {
        method: campaign.id ? "PATCH" : "POST", body: bodyOf(form, segment) });
      showMissing(saved.missing);
      return saved;
    } catch (error) {
      showProblems(form, error);
      const wrong = form.querySelector(".camp-panel .field.invalid");
      if (wrong) message.show(wrong.closest(".camp-panel").dataset.language);
      form.querySelector(".field.invalid input, .field.invalid textarea")?.focus();
      return null;
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    try {
      const saved = await save();
      if (saved) onSaved(saved);
    } finally {
      submit.disabled = false;
    }
  });
  return { form, save };
}

// ---- the preview --------------------------------------------------------------------------

function previewResult(preview) {
  const frame = el("iframe", { class: "camp-html", sandbox: "", title: t("campPreviewHtml"),
    referrerpolicy: "no-referrer" });
  frame.srcdoc = preview.html || "";
  return el("div", { class: "camp-preview-result" },
    el("dl", { class: "details" },
      el("dt", { text: t("campPreviewTo") }), el("dd", { class: "to", text: preview.to || "—" }),
      el("dt", { text: t("campPreviewSubject") }), el("dd", { class: "subject",
        text: preview.subject || "—" })),
    el("h3", { text: t("campPreviewText") }),
    el("pre", { class: "camp-text", text: preview.text || "" }),
    preview.html ? el("h3", { text: t("campPreviewHtml") }) : null,
    preview.html ? frame : null);
}

/** Choose a real customer, see the message as they will get it (the draft saved first). */
function previewPanel(campaignId, save) {
  const search = el("input", { type: "search", class: "search", autocomplete: "off",
    placeholder: t("campPreviewSearch"), "aria-label": t("campPreviewSearch") });
  const found = el("ul", { class: "camp-people" });
  const result = el("div", { class: "camp-preview", "aria-live": "polite" });
  const problem = el("p", { class: "error", role: "alert" });
  let asked = 0;

  const show = async (customer) => {
    problem.textContent = "";
    const saved = await save();
    if (!saved) {
      problem.textContent = t("campPreviewFixFirst");
      return;
    }
    try {
      const preview = await api(`/campaigns/${campaignId}/preview`, { method: "POST",
        body: { customer_id: customer.id } });
      result.replaceChildren(el("p", { class: "camp-preview-for",
        text: t("campPreviewFor", { name: customer.full_name }) }), previewResult(preview));
    } catch (error) {
      result.replaceChildren();
      // A server without previews answers its bare 404/405 (no domain error of ours).
      const absent = error instanceof ApiError && [404, 405].includes(error.status)
        && error.message === t("httpError", { status: error.status });
      problem.textContent = absent ? t("campPreviewUnavailable") : messageOf(error);
    }
  };
  const find = debounce(async () => {
    const mine = ++asked;
    const text = search.value.trim();
    if (!text) {
      found.replaceChildren();
      return;
    }
    try {
      const page = await api(`/customers${query({ q: text, limit: 8 })}`);
      if (mine !== asked) return;
      found.replaceChildren(...page.items.map((customer) => el("li", {},
        el("button", { type: "button", class: "camp-person", dataset: { customerId: customer.id },
          onclick: () => show(customer) }, el("strong", { text: customer.full_name }),
        customer.email ? ` · ${customer.email}` : "",
        customer.phone ? ` · ${phoneText(customer.phone)}` : ""))));
      if (!page.items.length) found.append(el("li", { class: "empty", text: t("campNobody") }));
    } catch (error) {
      problem.textContent = messageOf(error);
    }
  }, 250);
  search.addEventListener("input", find);
  return el("section", { class: "panel camp-preview-panel" },
    el("h2", { text: t("campPreview") }), el("p", { class: "hint", text: t("campPreviewHint") }),
    search, found, problem, result);
}

/** #/campaigns/new, #/campaigns/{id}/edit. */
export async function campaignEditor(root, context, id) {
  const campaign = id ? await api(`/campaigns/${id}`) : {
    name: "", channel: "email", segment: EMPTY_SEGMENT, subject_vi: "", subject_en: "",
    text_vi: "", text_en: "", html_vi: "", html_en: "", coupon_benefit: null,
    coupon_valid_days: 30, hold_out_pct: 5, return_days: 30, missing: NEEDED_TO_START,
  };
  if (id && campaign.state !== "draft") {
    root.append(el("h1", { text: campaign.name }),
      el("p", { class: "erased-note", role: "note", text: t("campNotDraft") }),
      link(`#/campaigns/${id}`, t("campOpenPage"), "button primary"));
    return;
  }
  const editor = editorForm(campaign, {
    onSaved: (saved) => {
      notify(t("campSaved"));
      if (!id) location.hash = `#/campaigns/${saved.id}/edit`;
    },
  });
  root.append(
    el("header", { class: "view-head" },
      el("h1", { text: id ? t("campEditTitle") : t("campNewTitle") }),
      id ? el("div", { class: "links" }, link(`#/campaigns/${id}`, t("campOpenPage"), "button"))
        : null),
    editor.form,
    id ? previewPanel(id, editor.save) : el("p", { class: "hint camp-preview-later",
      text: t("campPreviewAfterSave") }));
}
