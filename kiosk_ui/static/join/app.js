// The sign-up form a registration poster's QR opens (/j/<token>): name, phone, e-mail if
// they like, consent per channel (never ticked for them). A new member is taken to their
// card at once; a phone or e-mail already known is told only to check their messages.
// Vietnamese by default, English on request (kept on this phone, for all the pages a
// customer keeps there).
import { language, onLanguage, time as moment, wordsOf } from "../phone-language.js";
import { WORDS } from "./words.js";
import { randomId } from "../random-id.js";

const $ = (id) => document.getElementById(id);
const sheet = $("sheet");
const { token, event: eventName } = sheet.dataset;
const form = $("join");

let problems = {}; // field -> word key, or "" -> word key for the whole form
let done = null; // what the server answered, once it did
let sent = null; // the body last sent and the key it went with: a retry reuses the key

const t = wordsOf(WORDS, "failed");
const time = (iso) => moment(iso, { year: false });

function render() {
  $("title").textContent = eventName ? t("titleEvent", { event: eventName }) : t("title");
  $("intro").textContent = t(eventName ? "introEvent" : "intro");
  for (const node of document.querySelectorAll("[data-words]")) {
    node.textContent = t(node.dataset.words);
  }
  for (const label of form.querySelectorAll(".field")) {
    const problem = problems[label.dataset.field];
    label.dataset.invalid = String(Boolean(problem));
    label.querySelector(".field-problem").textContent = problem ? t(problem) : "";
    label.querySelector("input").setAttribute("aria-invalid", String(Boolean(problem)));
  }
  $("problem").textContent = problems[""] ? t(problems[""]) : "";
  const busy = $("send").disabled;
  $("send").textContent = t(busy ? "sending" : "send");
  renderDone();
}

function renderDone() {
  const box = $("done");
  box.hidden = !done;
  form.hidden = Boolean(done);
  if (!done) return;
  const link = $("card-link");
  if (done.status === 202) {
    box.dataset.kind = "check";
    $("done-text").textContent = t("checkMessages");
    link.hidden = true;
    return;
  }
  box.dataset.kind = "card";
  const walk = done.body.walk_in;
  let text = walk ? t(`walk_${walk.status}`, { event: walk.event_name, time:
    time(walk.opens_at) }) : t("welcome");
  if (done.body.card_mail) text += ` ${t("mailed")}`;
  $("done-text").textContent = text;
  link.hidden = false;
  link.textContent = t("openCard");
  link.href = cardPath(done.body.card_url);
}

// The card's page on this server: the link's path (its host is the shop's public address,
// which a phone on the venue's network may reach by another name).
function cardPath(url) {
  return new URL(url, location.href).pathname;
}

// The server's refusal as a sentence next to its field (or for the whole form).
function explain(status, data) {
  const found = {};
  if (status === 422 && Array.isArray(data?.detail)) {
    for (const problem of data.detail) {
      const field = problem.loc?.[problem.loc.length - 1];
      const type = problem.type || "";
      if (!["full_name", "phone", "email"].includes(field)) {
        found[""] = "request_reused";
      } else if (field === "email" || type === "email_invalid") {
        found.email = type === "string_too_long" ? "too_long" : "invalid_email";
      } else if (type === "missing" || type === "string_too_short" || type === "name_empty") {
        found[field] = `required_${field}`;
      } else if (type === "invalid_phone") {
        found.phone = "invalid_phone";
      } else if (type === "string_too_long") {
        found[field] = "too_long";
      } else {
        found[field] = "bad_characters";
      }
    }
    return found;
  }
  const code = data?.error?.code;
  if (code === "invalid_phone") return { phone: "invalid_phone" };
  if (["too_many_attempts", "poster_not_found", "request_reused"].includes(code)) {
    return { "": code };
  }
  return { "": "failed" };
}

function body() {
  const value = (name) => form.elements[name].value.trim();
  return { token, full_name: value("full_name"), phone: value("phone"),
    email: value("email") || null, consent_email: form.elements.consent_email.checked,
    consent_sms: form.elements.consent_sms.checked };
}

function checkHere(data) {
  const found = {};
  if (!data.full_name) found.full_name = "required_full_name";
  if (!data.phone) found.phone = "required_phone";
  if (data.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(data.email)) found.email = "invalid_email";
  return found;
}

async function submit(event) {
  event.preventDefault();
  const data = body();
  problems = checkHere(data);
  if (Object.keys(problems).length) {
    render();
    form.querySelector("[aria-invalid=true]")?.focus();
    return;
  }
  const text = JSON.stringify(data);
  if (!sent || sent.text !== text) sent = { text, key: randomId() };
  $("send").disabled = true;
  render();
  try {
    const response = await fetch("/api/v1/signup", { method: "POST", headers: {
      "Content-Type": "application/json", "Accept-Language": language() },
    body: JSON.stringify({ ...data, client_key: sent.key }) });
    const answer = await response.json().catch(() => null);
    if (response.status === 201 || response.status === 202) {
      done = { status: response.status, body: answer };
      if (response.status === 201 && !answer.walk_in) {
        render();
        location.assign(cardPath(answer.card_url));
        return;
      }
    } else {
      problems = explain(response.status, answer);
      if (response.status === 409) sent = null;
    }
  } catch {
    problems = { "": "offline" };
  }
  $("send").disabled = false;
  render();
  form.querySelector("[aria-invalid=true]")?.focus();
}

function start() {
  form.addEventListener("submit", submit);
  form.addEventListener("input", (event) => {
    const field = event.target.closest(".field")?.dataset.field;
    if (field && problems[field]) {
      delete problems[field];
      render();
    }
  });
  onLanguage(render);
  sheet.setAttribute("aria-busy", "false");
  sheet.dataset.ready = "true";
}

start();
