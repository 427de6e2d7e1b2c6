// The unsubscribe page (/u/<token>, the link at the foot of every campaign message): opening
// it changes nothing (mail programs open links to preview them); its one button sends the
// same one-click POST a mail program's "unsubscribe" button sends (RFC 8058). The link is
// the only credential: the POST carries no cookie. Vietnamese by default, English on request.
import { language, onLanguage, wordsOf } from "../phone-language.js";
import { WORDS } from "./words.js";

const $ = (id) => document.getElementById(id);
const sheet = $("sheet");
const { token, business } = sheet.dataset;
const t = wordsOf(WORDS, "failed");

let state = sheet.dataset.state; // "ask", "working", "done" or "invalid"
let problem = ""; // a word key

function render() {
  const channel = t(`channel_${sheet.dataset.channel || "email"}`);
  $("title").textContent = t("title");
  $("what").textContent = state === "ask" || state === "working"
    ? t("what", { business, channel }) : "";
  $("what").hidden = !$("what").textContent;
  $("problem").textContent = problem ? t(problem) : "";
  const button = $("confirm");
  button.hidden = state !== "ask" && state !== "working";
  button.disabled = state === "working";
  button.textContent = t(state === "working" ? "working" : "confirm");
  const status = $("status");
  status.hidden = state !== "done" && state !== "invalid";
  status.dataset.kind = state;
  status.textContent = state === "done" ? t("done", { business, channel })
    : state === "invalid" ? t("notFound") : "";
  $("after").textContent = state === "done" ? t("after") : "";
}

async function confirm() {
  state = "working";
  problem = "";
  render();
  try {
    const response = await fetch(`/u/${encodeURIComponent(token)}`, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Language": language() },
      body: "List-Unsubscribe=One-Click" });
    if (response.ok) state = "done";
    else if (response.status === 404) state = "invalid";
    else {
      state = "ask";
      problem = "failed";
    }
  } catch {
    state = "ask";
    problem = "offline";
  }
  render();
  if (state === "done") $("status").focus?.();
}

$("confirm").addEventListener("click", confirm);
onLanguage(render);
