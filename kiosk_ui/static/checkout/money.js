// Money at the till: whole Vietnamese dong, shown "1.250.000 ₫" (vi) or "1,250,000 ₫" (en),
// typed either way.
import { lang } from "../admin/i18n.js";

const NBSP = "\u00a0"; // the amount and its sign stay on one line

/** 1250000 -> "1.250.000 ₫" in Vietnamese, "1,250,000 ₫" in English. */
export function vnd(amount) {
  const digits = String(Math.trunc(Math.abs(amount ?? 0)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, lang() === "en" ? "," : ".");
  return `${amount < 0 ? "-" : ""}${grouped}${NBSP}₫`;
}

/** A number of points, grouped as money is. */
export const pointsText = (points) => vnd(points).replace(`${NBSP}₫`, "");

/**
 * What was typed as an amount: "1.250.000", "1,250,000", "1 250 000", "1250000", with or
 * without "₫"/"đ"/"VND" — whole dong. null when it is not one ("12.5", "abc", "").
 */
export function parseVnd(text) {
  const bare = text.trim().replace(/\s*(₫|đ|vnd|vnđ)$/i, "").trim();
  const grouped = /^\d{1,3}([.,\s\u00a0]\d{3})+$/.test(bare);
  if (!grouped && !/^\d+$/.test(bare)) return null;
  const amount = Number(bare.replace(/\D/g, ""));
  return Number.isSafeInteger(amount) ? amount : null;
}
