// The till at /checkout: staff sign in (the admin area's session), find the customer (their
// card's QR by camera or handheld scanner, or a search by name or phone), then serve them:
// see who they are and where they stand, record a sale, redeem a reward, use or issue a
// coupon, keep notes and complaints. A customer met for the first time gets a card on the
// spot.
import "./words.js";
import { api, onSignedOut } from "../admin/api.js";
import { lang, setLang, t } from "../admin/i18n.js";
import { el, signInForm } from "../admin/ui.js";
import { startCamera, trailingKioskCode } from "../scanner.js";
import { customerView } from "./customer.js";
import { finder } from "./find.js";
import { cardBanner, signupView } from "./signup.js";

const $ = (id) => document.getElementById(id);
const CAMERA = "kiosk-till-camera"; // "off" when staff turned the camera off on this device

/** What the browser tests read: who is served, what the camera and the server said. */
const state = { me: null, customerId: null, panel: null, camera: false, receipts: [],
  lookups: 0, refreshes: 0 };
window.checkoutState = state;

let shown = null; // the view on the stage: {leave(), useCoupon?(code)}
let camera = null;

function translate() {
  document.documentElement.lang = lang();
  document.title = t("tillTitle");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const button of $("language").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
  $("find-input").placeholder = t("findPlaceholder");
  $("find-input").setAttribute("aria-label", t("findPlaceholder"));
  $("camera-toggle").textContent = t(cameraWanted() ? "cameraOn" : "cameraOff");
  $("camera-toggle").setAttribute("aria-pressed", String(cameraWanted()));
  $("who").textContent = state.me ? state.me.full_name || state.me.username : "";
}

/** Puts `view` ({node, leave}) on the stage in place of the one there. */
function stage(view) {
  shown?.leave?.();
  shown = view;
  $("stage").replaceChildren(...(view ? [view.node] : []));
}

function idle() {
  state.customerId = null;
  state.panel = null;
  stage({ node: el("section", { class: "panel idle-prompt", dataset: { view: "idle" } },
    el("p", { text: t("welcomePrompt") })) });
  $("find-input").focus();
}

/**
 * Serves the customer of `panel` (a CheckoutPanel); `banner()` makes what goes above (their
 * new card). `visitNumber`: this visit's, as it was when they were found (a sale made now
 * belongs to the same visit).
 */
function serve(panel, banner = () => null, visitNumber = panel.visit_number) {
  state.customerId = panel.customer.id;
  state.panel = panel;
  state.visitNumber = visitNumber;
  find.clear();
  const view = customerView(panel, { banner: banner(), visitNumber, state, onDone: idle });
  stage({ ...view, again: () => serve(state.panel, banner, visitNumber) });
  window.scrollTo(0, 0);
}

const find = finder({
  input: $("find-input"),
  form: $("find-form"),
  results: $("results"),
  problem: $("find-error"),
  state,
  serve,
  couponScanned: (code) => {
    if (!shown?.useCoupon) return false;
    shown.useCoupon(code);
    return true;
  },
});

function signup() {
  state.customerId = null;
  find.clear();
  stage({ ...signupView({ onCancel: idle,
    onDone: (result) => serve(result.panel, () => cardBanner(result)) }), again: signup });
}

// ---- the camera -----------------------------------------------------------------------------

const cameraWanted = () => localStorage.getItem(CAMERA) !== "off";

async function cameraOn() {
  if (camera || !state.me) return;
  camera = {}; // starting: not twice
  const started = await startCamera({ video: $("camera"), onCode: find.scanned,
    paused: () => find.busy(), stats: state });
  camera = started;
  state.camera = Boolean(started);
  if (!started && cameraWanted()) $("find-error").textContent = t("noCamera");
}

function cameraOff() {
  camera?.stop?.();
  camera = null;
  state.camera = false;
}

$("camera-toggle").addEventListener("click", () => {
  localStorage.setItem(CAMERA, cameraWanted() ? "off" : "on");
  translate();
  if (cameraWanted()) cameraOn();
  else cameraOff();
});

// ---- signing in and out ---------------------------------------------------------------------

function showSignIn() {
  document.body.classList.add("signed-out");
  $("finder").hidden = true;
  const form = signInForm((me) => {
    state.me = me;
    signedIn();
  });
  stage({ node: el("section", { class: "view signin-view", dataset: { view: "signin" } },
    el("h1", { text: t("signInTitle") }), form) });
  form.elements.username.focus();
}

function signedIn() {
  document.body.classList.remove("signed-out");
  $("finder").hidden = false;
  translate();
  idle();
  if (cameraWanted()) cameraOn();
  openFromAddress();
}

/** A link from elsewhere (the admin area's customer page: `/checkout#/customers/7`) opens
 * that customer; the address is then cleared, so a reload starts a new customer. */
async function openFromAddress() {
  const match = /^#\/customers\/(\d+)$/.exec(location.hash);
  if (!match) return;
  history.replaceState(null, "", location.pathname);
  try {
    serve(await api(`/customers/${match[1]}/checkout`));
  } catch (error) {
    $("find-error").textContent = error.message;
  }
}

function signedOut() {
  state.me = null;
  cameraOff();
  translate();
  showSignIn();
}

$("sign-out").addEventListener("click", async () => {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    // signed out already, or the server is away: the page forgets the user either way
  }
  signedOut();
});

$("language").addEventListener("click", (event) => {
  const chosen = event.target.closest("button[data-lang]")?.dataset.lang;
  if (!chosen || chosen === lang()) return;
  setLang(chosen);
  translate();
  if (!state.me) showSignIn();
  else if (shown?.again) shown.again(); // what was on screen, in the other language
  else idle();
});

$("new-customer").addEventListener("click", signup);

// A handheld scanner types wherever the focus is: typed with nothing focused, it goes to the
// search box (a code scanned while a form field has the focus stays the cashier's to place).
document.addEventListener("keydown", (event) => {
  if (!state.me || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
  const active = document.activeElement;
  if (active && active !== document.body && active.matches("input, textarea, select")) return;
  $("find-input").focus();
});

// ...and a code scanned into a field being typed in ends with Enter: it is taken out of the
// field (what the cashier typed stays) and handled as a scan.
document.addEventListener("keydown", (event) => {
  const typedIn = event.target;
  if (event.key !== "Enter" || !state.me || typedIn === $("find-input")
      || !typedIn.matches?.("input, textarea")) return;
  const scan = trailingKioskCode(typedIn.value);
  if (!scan) return;
  event.preventDefault();
  event.stopPropagation();
  typedIn.value = scan.before;
  find.scanned(scan.code);
}, true);

onSignedOut(signedOut);

async function start() {
  translate();
  try {
    state.me = await api("/auth/me");
  } catch {
    state.me = null;
  }
  if (state.me) signedIn();
  else showSignIn();
}

start();
