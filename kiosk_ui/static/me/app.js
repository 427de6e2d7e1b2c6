// The customer's own page (/me), reached by a one-time sign-in link: their card, points and
// tier, coupons, details and consents (with the history), visits, purchases, feedback; a
// download of their data and the deletion of their account. Without a session it offers a
// new link. Vietnamese by default, English on request (kept on this phone).
import { call, Refusal } from "./api.js";
import { el, section } from "./dom.js";
import {
  couponsSection, cardSection, feedbackSection, historyList, pointsSection, visitsSection,
} from "./sections.js";
import { onLanguage } from "../phone-language.js";
import { t } from "./words.js";

const main = document.getElementById("main");
const state = { view: "loading", me: null, visits: [], purchases: [], feedback: [],
                history: [], notice: "", draft: null };
window.meState = state; // read by the browser tests

function say(node, text, kind = "status") {
  node.textContent = text;
  node.className = kind;
  node.hidden = !text;
}

async function load() {
  try {
    const [me, visits, purchases, feedback, history] = await Promise.all([
      call("GET", "/api/v1/me"), call("GET", "/api/v1/me/visits"),
      call("GET", "/api/v1/me/purchases"), call("GET", "/api/v1/me/feedback"),
      call("GET", "/api/v1/me/consents")]);
    Object.assign(state, { view: "me", me, visits, purchases, feedback, history });
  } catch (error) {
    if (!(error instanceof Refusal) || error.status !== 401) throw error;
    state.view = "signin";
  }
}

// --- signed out: ask for a link ------------------------------------------------------------

function signInView() {
  const problem = el("p", { id: "problem", class: "problem", role: "alert" });
  const status = el("p", { id: "sent", class: "status", role: "status", hidden: true });
  const input = el("input", { id: "who", name: "who", autocomplete: "tel", inputmode: "email",
                              maxlength: "254", required: true });
  const send = el("button", { type: "submit", id: "send-link", text: t("signInSend") });
  const form = el("form", { id: "signin", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    say(problem, "", "problem");
    if (!value) return say(problem, t("signInEmpty"), "problem");
    send.disabled = true;
    try {
      await call("POST", "/api/v1/portal/sign-in",
                 value.includes("@") ? { email: value } : { phone: value });
      say(status, t("signInSent"));
    } catch (error) {
      say(problem, error.message, "problem");
    } finally {
      send.disabled = false;
    }
  } }, el("label", { for: "who", text: t("signInLabel") }), input, problem, send);
  const notice = state.notice ? el("p", { class: "status", text: state.notice }) : null;
  return section("signin-panel", t("signInTitle"), notice,
                 el("p", { text: t("signInIntro") }), form, status);
}

// --- signed in -----------------------------------------------------------------------------

function field(name, label, value, attributes = {}) {
  return el("label", { class: "field" }, el("span", { text: label }),
            el("input", { name, value: value ?? "", ...attributes }));
}

function profileValues(form) {
  const data = new FormData(form);
  return {
    full_name: data.get("full_name").trim(), phone: data.get("phone").trim(),
    email: data.get("email").trim(), preferred_channel: data.get("preferred_channel") || null,
    consent_email: data.get("consent_email") === "on",
    consent_sms: data.get("consent_sms") === "on",
  };
}

function changes(wanted, me) {
  const was = { full_name: me.full_name, phone: me.phone || "", email: me.email || "",
                preferred_channel: me.preferred_channel, consent_email: me.consent_email,
                consent_sms: me.consent_sms };
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== was[key])
    .map(([key, value]) => [key, value === "" ? null : value]));
}

function profileSection(me) {
  const draft = state.draft || {};
  const value = (key) => (key in draft ? draft[key] : me[key]);
  const problem = el("p", { id: "profile-problem", class: "problem", role: "alert" });
  const status = el("p", { id: "profile-status", class: "status", role: "status", hidden: true });
  const save = el("button", { type: "submit", id: "save", text: t("save") });
  const choice = (channel) => el("option", {
    value: channel, selected: (value("preferred_channel") || "") === channel,
    text: t(`preferred_${channel || "none"}`) });
  const consent = (name) => el("label", { class: "check" }, el("input", {
    type: "checkbox", name, checked: Boolean(value(name)) }), el("span", { text: t(name) }));
  const form = el("form", { id: "profile", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    say(problem, "", "problem");
    say(status, "");
    const wanted = changes(profileValues(form), state.me);
    if (!Object.keys(wanted).length) return say(status, t("nothingChanged"));
    save.disabled = true;
    save.textContent = t("saving");
    try {
      state.me = await call("PATCH", "/api/v1/me", wanted);
      state.history = await call("GET", "/api/v1/me/consents");
      state.draft = null;
      render();
      say(document.getElementById("profile-status"), t("saved"));
    } catch (error) {
      say(problem, error.message, "problem");
    } finally {
      save.disabled = false;
      save.textContent = t("save");
    }
  }, oninput: () => { state.draft = profileValues(form); } },
  field("full_name", t("fullName"), value("full_name"), { maxlength: "200",
                                                          autocomplete: "name" }),
  field("phone", t("phone"), value("phone"), { type: "tel", maxlength: "32",
                                               autocomplete: "tel" }),
  field("email", t("email"), value("email"), { type: "email", maxlength: "254",
                                               autocomplete: "email" }),
  el("label", { class: "field" }, el("span", { text: t("preferred") }),
     el("select", { name: "preferred_channel" }, ["", "sms", "email"].map(choice))),
  el("fieldset", { class: "consents" }, el("legend", { text: t("consentTitle") }),
     el("p", { class: "hint", text: t("consentIntro") }), consent("consent_email"),
     consent("consent_sms")),
  problem, save);
  const language = el("p", { id: "message-language", class: "hint", text: t("messageLanguage",
    { language: t(`messageLanguage_${me.language}`) }) });
  return section("profile-panel", t("profileTitle"), language, form, status,
                 el("h3", { text: t("historyTitle") }), historyList(state.history));
}

function dataSection() {
  return section("data", t("dataTitle"), el("p", { text: t("dataIntro") }),
                 el("a", { id: "download", class: "button", href: "/api/v1/me/export",
                           download: "", text: t("download") }));
}

function deleteSection() {
  const problem = el("p", { id: "delete-problem", class: "problem", role: "alert" });
  const input = el("input", { id: "confirm", name: "confirm", autocomplete: "off",
                              maxlength: "20" });
  const button = el("button", { type: "submit", id: "delete", class: "danger",
                                text: t("deleteButton") });
  const form = el("form", { id: "delete-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    say(problem, "", "problem");
    const typed = input.value.trim().toUpperCase();
    if (typed !== t("deleteWord")) return say(problem, t("deleteMismatch"), "problem");
    button.disabled = true;
    try {
      await call("DELETE", "/api/v1/me", { confirm: typed });
      Object.assign(state, { view: "deleted", me: null });
      render();
    } catch (error) {
      say(problem, error.message, "problem");
      button.disabled = false;
    }
  } }, el("label", { for: "confirm", text: t("deleteType") }), input, problem, button);
  return section("delete-panel", t("deleteTitle"),
                 el("p", { class: "warning", text: t("deleteWarning") }), form);
}

function meView() {
  const me = state.me;
  const signOut = el("button", { type: "button", id: "sign-out", class: "quiet",
                                 text: t("signOut"), onclick: async () => {
    await call("POST", "/api/v1/me/sign-out").catch(() => {});
    Object.assign(state, { view: "signin", me: null, notice: t("signedOut") });
    render();
  } });
  return [
    el("div", { class: "hello" }, el("div", {},
      el("h1", { id: "hello", text: t("hello", { name: me.full_name }) }),
      el("p", { class: "number", text: t("member", { number: me.member_number }) })), signOut),
    cardSection(me), pointsSection(me), couponsSection(me), profileSection(me),
    visitsSection(state.visits, state.purchases), feedbackSection(state.feedback),
    dataSection(), deleteSection(),
  ];
}

function render() {
  document.title = t("title");
  const views = {
    loading: () => [el("p", { class: "status", text: t("loading") })],
    signin: () => [signInView()],
    me: meView,
    deleted: () => [el("p", { id: "deleted", class: "status", text: t("deleted") })],
    error: () => [el("p", { class: "problem", role: "alert", text: state.notice })],
  };
  main.replaceChildren(...views[state.view]());
  main.dataset.view = state.view;
}

/** The customer switched the page's language: their messages follow (saved quietly; a
 * failure leaves the saved language as it was, which the page says). */
async function keepLanguage(language) {
  if (state.view !== "me" || !state.me || state.me.language === language) return;
  try {
    state.me = await call("PATCH", "/api/v1/me", { language });
  } catch {
    // the line under "Profile" still names the language saved
  }
  render();
}

let shown = null;
onLanguage((language) => {
  const switched = shown !== null && shown !== language;
  shown = language;
  render();
  if (switched) keepLanguage(language);
});
load().catch((error) => {
  Object.assign(state, { view: "error", notice: error.message || t("failed") });
}).finally(() => {
  render();
  main.removeAttribute("aria-busy");
  main.dataset.ready = "";
});
