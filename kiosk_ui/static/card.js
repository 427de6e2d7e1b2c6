// A customer's own card: kept by the phone (service worker) so that it opens without a
// network, and the screen kept awake while it shows.
"use strict";

const state = { kept: false };
window.cardState = state; // read by the browser tests

// Once the worker controls this page, everything the card needs is fetched through it
// once more, so that it is kept for the next time there is no network.
async function keep() {
  const workers = navigator.serviceWorker;
  await workers.register("/c/sw.js", { scope: "/c/" });
  await workers.ready;
  if (!workers.controller) {
    await new Promise((resolve) => workers.addEventListener("controllerchange", resolve,
                                                            { once: true }));
  }
  const needed = [location.href, document.querySelector(".qr")?.src, "/ui/card.css",
                  "/ui/card.js", "/ui/favicon.svg"].filter(Boolean);
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

function showConnection() {
  document.getElementById("offline").hidden = navigator.onLine;
}
window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);
showConnection();

// The way to the customer's own page: a one-time sign-in link sent to their phone or
// e-mail. The answer says the same whoever asks; nothing more shows here.
const SENT = {
  202: "Liên kết đăng nhập đang được gửi tới bạn: hãy xem tin nhắn. / "
    + "A sign-in link is on its way: check your messages.",
  429: "Bạn đã yêu cầu nhiều liên kết. Hãy thử lại sau ít phút. / "
    + "Many links were asked for. Try again in a few minutes.",
  0: "Không kết nối được. Hãy thử lại khi có mạng. / "
    + "Could not connect. Try again when you are online.",
};

async function askForLink(button) {
  const status = document.getElementById("sign-in-status");
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
  status.textContent = SENT[answer];
  status.hidden = false;
  button.disabled = false;
}

const signIn = document.getElementById("sign-in");
if (signIn) signIn.addEventListener("click", () => askForLink(signIn));
