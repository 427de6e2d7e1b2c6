// The admin area: one page, hash routes (#/events/3...), the shell around them (navigation,
// language, who is signed in), sign-in, sign-out and changing one's own password.
import { api, onSignedOut } from "./api.js";
import { auditView } from "./audit.js";
import { callCaseView, callsView } from "./calls.js";
import { campaignEditor } from "./campaign_editor.js";
import { campaignPage, campaignsView } from "./campaigns.js";
import { complaintsView } from "./complaints.js";
import { customerPage } from "./customer_page.js";
import { customerForm, customersView } from "./customers.js";
import { dashboardView } from "./dashboard.js";
import { devicesView } from "./devices.js";
import { eventPage } from "./event_page.js";
import { eventForm, eventsView } from "./events.js";
import { lang, setLang, t } from "./i18n.js";
import { insightsView } from "./insights.js";
import { messagesView } from "./messages.js";
import { ratingsView } from "./ratings.js";
import { reportsView } from "./reports.js";
import { rewardsView } from "./rewards.js";
import { staffView } from "./staff.js";
import {
  el, errorBox, field, makeForm, notify, signInForm, textInput, valueOf,
} from "./ui.js";

const $ = (id) => document.getElementById(id);

// [pattern of the path after "#", the nav entry it belongs to, the view]
const ROUTES = [
  [/^\/$/, "dashboard", dashboardView],
  [/^\/events$/, "events", eventsView],
  [/^\/events\/new$/, "events", eventForm],
  [/^\/events\/(\d+)$/, "events", eventPage],
  [/^\/events\/(\d+)\/edit$/, "events", eventForm],
  [/^\/customers$/, "customers", customersView],
  [/^\/customers\/new$/, "customers", customerForm],
  [/^\/customers\/(\d+)$/, "customers", customerPage],
  [/^\/customers\/(\d+)\/edit$/, "customers", customerForm],
  [/^\/staff$/, "staff", staffView],
  [/^\/devices$/, "devices", devicesView],
  [/^\/rewards$/, "rewards", rewardsView],
  [/^\/complaints$/, "complaints", complaintsView],
  [/^\/calls$/, "calls", callsView],
  [/^\/calls\/(\d+)$/, "calls", callCaseView],
  [/^\/campaigns$/, "campaigns", campaignsView],
  [/^\/campaigns\/new$/, "campaigns", campaignEditor],
  [/^\/campaigns\/(\d+)$/, "campaigns", campaignPage],
  [/^\/campaigns\/(\d+)\/edit$/, "campaigns", campaignEditor],
  [/^\/ratings$/, "ratings", ratingsView],
  [/^\/insights$/, "insights", insightsView],
  [/^\/messages$/, "messages", messagesView],
  [/^\/audit$/, "audit", auditView],
  [/^\/reports$/, "reports", reportsView],
  [/^\/password$/, "password", passwordView],
];

let me = null; // the signed-in staff member
let current = null; // the shown view's context

/** What a view gets: who is signed in, and a place to register what to stop on leaving. */
function newContext() {
  const leaving = [];
  return { me, onLeave: (stop) => leaving.push(stop),
    leave: () => leaving.forEach((stop) => stop()) };
}

async function route() {
  current?.leave();
  current = null;
  closeMenu();
  if (!me) {
    showSignIn();
    return;
  }
  const path = location.hash.replace(/^#/, "") || "/";
  const found = ROUTES.map(([pattern, name, view]) => [pattern.exec(path), name, view])
    .find(([match]) => match);
  const [match, name, view] = found || [[], "missing", notFoundView];
  const root = el("section", { class: "view", dataset: { route: name, path } });
  $("view").replaceChildren(root);
  for (const item of $("nav").querySelectorAll("a")) {
    item.classList.toggle("current", item.dataset.route === name);
  }
  const context = newContext();
  current = context;
  try {
    await view(root, context, ...match.slice(1).map(Number));
    root.dataset.ready = "true";
  } catch (error) {
    root.replaceChildren(errorBox(error));
    root.dataset.ready = "error";
  }
}

function notFoundView(root) {
  root.append(el("h1", { text: t("notFound") }), el("a", { href: "#/", text: t("navDashboard") }));
}

// ---- the shell --------------------------------------------------------------------------

function translateShell() {
  document.documentElement.lang = lang();
  document.title = t("pageTitle");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const button of $("language").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
  if (me) {
    $("who").textContent = me.full_name || me.username;
    $("who").title = `${me.username} · ${t(me.role === "admin" ? "roleAdmin" : "roleStaff")}`
      + ` · ${t("changePassword")}`;
  }
}

function showShell() {
  document.body.classList.toggle("signed-out", !me);
  document.body.classList.toggle("admin", me?.role === "admin");
  translateShell();
}

function closeMenu() {
  $("nav").classList.remove("open");
  $("menu-toggle").setAttribute("aria-expanded", "false");
}

$("menu-toggle").addEventListener("click", () => {
  const open = $("nav").classList.toggle("open");
  $("menu-toggle").setAttribute("aria-expanded", String(open));
});

$("language").addEventListener("click", (event) => {
  const chosen = event.target.closest("button[data-lang]")?.dataset.lang;
  if (!chosen || chosen === lang()) return;
  setLang(chosen);
  translateShell();
  route();
});

$("sign-out").addEventListener("click", async () => {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    // signed out already, or the server is away: the page forgets the user either way
  }
  location.hash = "#/";
  signedOut();
});

window.addEventListener("hashchange", route);

// ---- signing in and out -------------------------------------------------------------------

function signedOut() {
  me = null;
  current?.leave();
  current = null;
  showShell();
  showSignIn();
}

function showSignIn() {
  const form = signInForm(async (signedIn) => {
    me = signedIn;
    showShell();
    await route();
  });
  const root = el("section", { class: "view signin-view", dataset: { route: "signin",
    path: "signin", ready: "true" } }, el("h1", { text: t("signInTitle") }), form);
  $("view").replaceChildren(root);
  form.elements.username.focus();
}

function passwordView(root) {
  const form = makeForm({
    className: "narrow",
    fields: [
      field("current_password", t("currentPassword"), textInput("", { type: "password",
        autocomplete: "current-password" })),
      field("new_password", t("newPassword"), textInput("", { type: "password",
        autocomplete: "new-password" }), t("passwordRule")),
      field("repeat_password", t("repeatPassword"), textInput("", { type: "password",
        autocomplete: "new-password" })),
    ],
    submit: t("changePassword"),
    send: async (sent) => {
      const body = { current_password: sent.elements.current_password.value,
        new_password: sent.elements.new_password.value };
      if (body.new_password !== sent.elements.repeat_password.value) {
        sent.querySelector("[data-error-for=repeat_password]").textContent = t("passwordsDiffer");
        return;
      }
      await api("/auth/password", { method: "POST", body });
      sent.reset();
      notify(t("passwordChanged"));
    },
  });
  root.append(el("h1", { text: t("changePassword") }), form);
}

onSignedOut(signedOut);

async function start() {
  translateShell();
  try {
    me = await api("/auth/me");
  } catch {
    me = null; // a 401 has shown the sign-in already; an unreachable server shows it too
  }
  showShell();
  await route();
}

start();
