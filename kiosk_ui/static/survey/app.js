// The exit survey (/x/<token>, the link in the message a customer who stopped coming was
// sent): why they stopped, in their words for "other", whether they will come back. One
// answer per survey; the link is the only credential. Vietnamese by default, English on
// request (kept on this phone, for all the pages a customer keeps there).
import { language, onLanguage, time, wordsOf } from "../phone-language.js";
import { REASONS, RETURNS, WORDS } from "./words.js";

const $ = (id) => document.getElementById(id);
const sheet = $("sheet");
const { token, business } = sheet.dataset;
const form = $("survey");

let state = null; // what the server last said about this survey
let problem = ""; // a word key
let justSent = false;

const t = wordsOf(WORDS, "failed");

function choices(fieldset, name, values, prefix) {
  for (const value of values) {
    const label = document.createElement("label");
    label.className = "choice";
    const input = Object.assign(document.createElement("input"), { type: "radio", name, value });
    const text = document.createElement("span");
    text.dataset.words = `${prefix}_${value}`;
    label.append(input, text);
    fieldset.append(label);
  }
}

function chosen(name) {
  return form.querySelector(`input[name=${name}]:checked`)?.value || null;
}

function render() {
  for (const node of document.querySelectorAll("[data-words]")) {
    node.textContent = t(node.dataset.words, { business });
  }
  const other = chosen("reason") === "other";
  const wordsLabel = form.querySelector(".comment");
  wordsLabel.dataset.required = String(other);
  $("words-label").textContent = t(other ? "wordsOther" : "wordsComment");
  $("problem").textContent = problem ? t(problem) : "";
  const busy = $("send").disabled;
  $("send").textContent = t(busy ? "sending" : "send");
  const answered = Boolean(state?.answered);
  form.hidden = answered || state === null || problem === "notFound" || problem === "closed";
  const status = $("status");
  const gone = problem === "notFound" || problem === "closed";
  status.hidden = !answered && !gone;
  if (gone) status.textContent = t(problem);
  else if (answered && problem === "exit_survey_answered") status.textContent = t(problem);
  else if (answered) {
    status.textContent = justSent ? t("thanks") : t("answered", { time: time(state.answered_at) });
  }
}

// The server's refusal as a word key.
function explain(status, data) {
  if (status === 404 || status === 410) return status === 404 ? "notFound" : "closed";
  if (status === 422 && Array.isArray(data?.detail)) {
    const types = data.detail.map((problem) => problem.type);
    if (types.includes("words_required")) return "words_required";
    if (types.includes("string_too_long")) return "tooLong";
    if (types.includes("control_characters")) return "badCharacters";
    return "failed";
  }
  return data?.error?.code === "exit_survey_answered" ? "exit_survey_answered" : "failed";
}

async function call(method, body) {
  const response = await fetch(`/api/v1/exit-surveys/${encodeURIComponent(token)}`, {
    method, headers: { "Accept-Language": language(), ...(body ? { "Content-Type":
      "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => null);
  return { status: response.status, data };
}

async function submit(event) {
  event.preventDefault();
  const reason = chosen("reason");
  const words = form.elements.words.value.trim();
  problem = !reason ? "chooseReason" : reason === "other" && !words ? "words_required" : "";
  if (problem) {
    render();
    return;
  }
  $("send").disabled = true;
  render();
  try {
    const { status, data } = await call("POST", { reason, words,
      will_return: chosen("will_return") });
    if (status === 200) {
      state = data;
      justSent = true;
    } else {
      problem = explain(status, data);
      if (status === 409) state = (await call("GET")).data;
    }
  } catch {
    problem = "offline";
  }
  $("send").disabled = false;
  render();
}

async function start() {
  choices($("reasons"), "reason", REASONS, "reason");
  choices($("returns"), "will_return", RETURNS, "return");
  form.addEventListener("submit", submit);
  form.addEventListener("change", () => {
    if (problem === "chooseReason" || problem === "words_required") problem = "";
    render();
  });
  onLanguage(render);
  try {
    const { status, data } = await call("GET");
    if (status === 200) state = data;
    else problem = explain(status, data);
  } catch {
    problem = "offline";
    state = { answered: false };
  }
  render();
  sheet.setAttribute("aria-busy", "false");
  sheet.dataset.ready = "true";
}

start();
