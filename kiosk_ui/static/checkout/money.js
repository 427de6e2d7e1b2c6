// Money typed at the till: whole Vietnamese dong, in either language's grouping (shown with
// the admin area's `money`).

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
