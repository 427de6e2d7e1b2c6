// A recipient's coupon (/v/<code>, the link in a campaign's message): what it gives, until
// when, whether it can still be used, and while it can, its QR to show at the till. The
// server wrote the facts into the page; this says them in the phone's chosen language, in
// the shop's time.
import { onLanguage, time, wordsOf } from "../phone-language.js";
import { WORDS } from "./words.js";

const sheet = document.getElementById("coupon");
const { status, expiresAt, usedAt, qr } = sheet.dataset;
const t = wordsOf(WORDS, "status_revoked");
const $ = (id) => document.getElementById(id);

if (status === "valid" && qr) {
  $("qr").src = qr;
  $("qr").hidden = false;
}

onLanguage(() => {
  $("status").textContent = t(`status_${status}`,
    { time: time(status === "used" ? usedAt : expiresAt) });
  $("until").textContent = t("until", { time: time(expiresAt) });
  $("until").hidden = status === "revoked";
  $("hint").textContent = t(`hint_${status}`);
  window.couponState = { status, language: document.documentElement.lang };
});
