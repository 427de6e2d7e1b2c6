// A customer's own card, or a guest's invitation (`data-scope="/i/"` on the body): kept by
// the phone (service worker) so that it opens without a network, and the screen kept awake
// while it shows. A card also shows its holder's points and the coupons they can use, as
// the server last gave them (with their time when that may be old).
import { language, onLanguage, say } from "/ui/phone-language.js";

const state = { kept: false };
window.cardState = state; // read by the browser tests

// Once the worker controls this page, everything the card needs is fetched through it
// once more, so that it is kept for the next time there is no network.
async function keep() {
  const workers = navigator.serviceWorker;
  const scope = document.body.dataset.scope || "/c/";
  await workers.register(`${scope}sw.js`, { scope });
  await workers.ready;
  if (!workers.controller) {
    await new Promise((resolve) => workers.addEventListener("controllerchange", resolve,
                                                            { once: true }));
  }
  const needed = [location.href, document.querySelector(".qr")?.src,
                  ...[...document.querySelectorAll("link[rel=stylesheet], script[src]")]
                    .map((node) => node.href || node.src), "/ui/favicon.svg"].filter(Boolean);
  await Promise.all(needed.map((url) => fetch(url, { cache: "no-store" })));
  state.kept = true;
}

if ("serviceWorker" in navigator) keep().catch(() => {});

async function stayAwake() {
  try {
    if ("wakeLock" in navigator && document.visibilityState === "visible") {
      await navigator.wakeLock.request("screen");
    }
  } catch (error) {
    // Not allowed here: the card still shows.
  }
}
document.addEventListener("visibilitychange", stayAwake);
stayAwake();

// --- points and coupons ------------------------------------------------------------------

const WORDS = {
  points: ["{n} điểm", "{n} points"],
  asOf: ["Số điểm và phiếu ưu đãi lúc {time}", "Points and coupons as of {time}"],
  validUntil: ["Dùng được đến {time}", "Valid until {time}"],
  showCode: ["Hiện mã QR của phiếu", "Show the coupon's QR code"],
  couponQr: ["Mã QR của phiếu ưu đãi: đưa nhân viên ở quầy quét khi thanh toán",
    "The coupon's QR code: have it scanned at the counter when you pay"],
};
// Older figures than this are said with their time, even online (the server did not answer
// and the phone showed what it kept).
const FRESH_MS = 60_000;

function words(key, values = {}) {
  return say(WORDS[key]).replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

const locale = () => (language() === "en" ? "en-GB" : "vi-VN");
const zone = document.querySelector("meta[name=kiosk-timezone]")?.content || undefined;

function when(iso) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone, hour: "2-digit", minute: "2-digit",
    day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(iso));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const standing = (() => {
  try {
    return JSON.parse(document.querySelector("main[data-standing]")?.dataset.standing || "null");
  } catch {
    return null;
  }
})();

function showStanding() {
  if (!standing) return;
  const points = new Intl.NumberFormat(locale()).format(standing.points);
  document.getElementById("points").textContent = words("points", { n: points });
  const old = !navigator.onLine || Date.now() - Date.parse(standing.as_of) > FRESH_MS;
  const asOf = document.getElementById("as-of");
  asOf.textContent = words("asOf", { time: when(standing.as_of) });
  asOf.hidden = !old;
  document.getElementById("coupons-title").hidden = standing.coupons.length === 0;
  document.getElementById("coupons").replaceChildren(...standing.coupons.map((coupon) => (
    element("li", { class: "coupon" },
      element("strong", { class: "benefit", text: coupon.benefit }),
      element("span", { class: "until", text: words("validUntil",
                                                    { time: when(coupon.expires_at) }) }),
      element("details", {},
        element("summary", { text: words("showCode") }),
        element("img", { class: "coupon-qr", src: coupon.qr_png, alt: words("couponQr"),
                         "data-code": coupon.code }))))));
}

function showConnection() {
  document.getElementById("offline").hidden = navigator.onLine;
  showStanding();
}
window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);

// --- the way to the customer's own page ---------------------------------------------------
// A one-time sign-in link sent to their phone or e-mail. The answer says the same whoever
// asks; nothing more shows here.
const SENT = {
  202: ["Liên kết đăng nhập đang được gửi tới bạn: hãy xem tin nhắn.",
    "A sign-in link is on its way: check your messages."],
  429: ["Bạn đã yêu cầu nhiều liên kết. Hãy thử lại sau ít phút.",
    "Many links were asked for. Try again in a few minutes."],
  0: ["Không kết nối được. Hãy thử lại khi có mạng.", "Could not connect. Try again when you are online."],
};
let asked = null; // the last answer's status, said again in the language chosen

function showAnswer() {
  const status = document.getElementById("sign-in-status");
  if (!status) return;
  status.hidden = asked === null;
  if (asked !== null) status.textContent = say(SENT[asked]);
}

async function askForLink(button) {
  button.disabled = true;
  let answer = 0;
  try {
    const response = await fetch("/api/v1/portal/sign-in", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ card: button.dataset.card }) });
    answer = response.status in SENT ? response.status : 0;
  } catch (error) {
    answer = 0;
  }
  asked = answer;
  showAnswer();
  button.disabled = false;
}

const signIn = document.getElementById("sign-in");
if (signIn) signIn.addEventListener("click", () => askForLink(signIn));

onLanguage(() => {
  showConnection();
  showAnswer();
});
