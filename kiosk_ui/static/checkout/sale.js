// A sale at the till: the amount (typed "1.250.000" or "1250000"), what was bought, maybe a
// coupon, then the receipt: points earned, the new balance, a new tier, and the QR the
// customer scans to rate the visit. A sale is sent with an id made once for it: sent again
// (the network failed, the cashier tapped again) it is recorded once.
import { ApiError, api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import {
  el, field, messageOf, money, number, select, showProblems, when,
} from "../admin/ui.js";
import { parseVnd } from "./money.js";
import { staffNames } from "./staff.js";
import { randomId } from "../random-id.js";

const RETRY_MS = [500, 1000, 2000]; // sending again after a network error or a 5xx

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST, sent again with the same body while the server cannot be reached or fails. */
async function postSurely(path, body, onRetry) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api(path, { method: "POST", body });
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500);
      if (!transient || attempt >= RETRY_MS.length) throw error;
      onRetry();
      await sleep(RETRY_MS[attempt]);
    }
  }
}

function clearProblems(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error")) node.textContent = "";
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
}

/** The coupon part of the sale: a code, checked by the server for this customer. */
function couponField(customerId) {
  const input = el("input", { class: "coupon-code", placeholder: t("couponPlaceholder"),
    autocomplete: "off", spellcheck: "false" });
  const verdict = el("p", { class: "coupon-verdict", role: "status" });
  let checked = null; // the Coupon the server accepted for the code in the box

  async function check() {
    checked = null;
    verdict.className = "coupon-verdict";
    verdict.textContent = "";
    const code = input.value.trim();
    if (!code) return;
    try {
      checked = await api("/coupons/check", { method: "POST",
        body: { code, customer_id: customerId } });
      verdict.classList.add("ok");
      verdict.textContent = t("couponValid", { benefit: checked.benefit,
        time: when(checked.expires_at) });
    } catch (error) {
      verdict.classList.add("error");
      verdict.textContent = messageOf(error);
    }
  }
  input.addEventListener("change", check);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { // a handheld scanner's Enter checks; it does not sell
      event.preventDefault();
      check();
    }
  });
  const node = el("div", { class: "coupon-line" },
    field("coupon_code", t("coupon"), input),
    el("button", { type: "button", class: "check-coupon", text: t("checkCoupon"),
      onclick: check }),
    el("button", { type: "button", class: "remove-coupon", text: t("removeCoupon"),
      onclick: () => use("") }),
    verdict);
  function use(code) {
    input.value = code;
    return check();
  }
  return { node, use, code: () => input.value.trim(), reset: () => use("") };
}

function receiptNode(result, onNewSale) {
  const { purchase, status, feedback, coupon } = result;
  return el("div", { class: "receipt", dataset: { purchaseId: purchase.id } },
    el("h3", { text: t("receipt") }),
    result.replayed ? el("p", { class: "hint replayed", text: t("replayed") }) : null,
    el("p", { class: "receipt-amount",
      text: t("receiptAmount", { amount: money(purchase.amount_vnd) }) }),
    el("p", { class: "points-earned", text: t("pointsEarned", { n: number(purchase.points) }) }),
    el("p", { class: "new-balance", text: t("newBalance", { n: number(status.points) }) }),
    result.new_tier ? el("p", { class: "new-tier", text: t("movedUp", { tier: status.tier }) })
      : null,
    coupon ? el("p", { class: "coupon-used", text: t("couponUsed", { benefit: coupon.benefit }) })
      : null,
    feedback ? el("div", { class: "feedback" },
      el("p", { text: t("feedbackPrompt") }),
      el("img", { class: "feedback-qr", src: feedback.qr_png, alt: t("feedbackQr"),
        width: 180, height: 180 }),
      el("a", { class: "feedback-link", href: feedback.url, target: "_blank", rel: "noopener",
        text: feedback.url })) : null,
    el("button", { type: "button", class: "primary new-sale", text: t("newSale"),
      onclick: onNewSale }));
}

/** The sale form, then its receipt. `onSold(result)` hears of each recorded sale. */
export function saleSection({ customerId, state, onSold }) {
  const amount = el("input", { class: "amount", inputmode: "decimal", autocomplete: "off",
    placeholder: t("amountPlaceholder") });
  const preview = el("small", { class: "hint amount-preview" });
  const items = el("textarea", { rows: 2, maxlength: 4000 });
  const coupon = couponField(customerId);
  const servedBy = el("div");
  staffNames().then((staff) => servedBy.replaceChildren(field("served_by", t("servedByLabel"),
    select(staff, state.me.id)))).catch(() => {}); // without the names: whoever records it
  const submit = el("button", { type: "submit", class: "primary record-sale",
    text: t("recordSale") });
  const retrying = el("p", { class: "hint retrying", text: t("saleRetrying"), hidden: true });
  const form = el("form", { class: "sale-form", novalidate: true },
    field("amount_vnd", t("amount"), amount, t("amountHint")), preview,
    field("items", t("items"), items), servedBy, coupon.node,
    el("div", { class: "actions" }, submit), retrying,
    el("p", { class: "error form-error", role: "alert" }));
  const body = el("div", {}, form);
  let requestId = randomId(); // this sale's, until it is recorded

  amount.addEventListener("input", () => {
    const value = parseVnd(amount.value);
    preview.textContent = value ? `= ${money(value)}` : "";
  });

  function newSale() {
    requestId = randomId();
    form.reset();
    if (form.elements.served_by) form.elements.served_by.value = state.me.id; // back to "me"
    preview.textContent = "";
    coupon.reset();
    body.replaceChildren(form);
    amount.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearProblems(form);
    const value = parseVnd(amount.value);
    if (!value) {
      showProblems(form, new ApiError(422, [{ field: "amount_vnd", message: t("amountInvalid") }]));
      amount.focus();
      return;
    }
    submit.disabled = true;
    try {
      const sent = { amount_vnd: value, items: items.value.trim(), request_id: requestId };
      if (coupon.code()) sent.coupon_code = coupon.code();
      const server = Number(form.elements.served_by?.value);
      if (server && server !== state.me.id) sent.served_by = server;
      const result = await postSurely(`/customers/${customerId}/purchases`, sent, () => {
        retrying.hidden = false;
      });
      state.receipts.push(result);
      body.replaceChildren(receiptNode(result, newSale));
      onSold(result);
    } catch (error) {
      showProblems(form, error);
    } finally {
      submit.disabled = false;
      retrying.hidden = true;
    }
  });

  const node = el("section", { class: "panel sale", dataset: { part: "sale" } },
    el("h2", { text: t("sale") }), body);
  return { node, update: () => {}, useCoupon: (code) => {
    if (!form.isConnected) newSale();
    coupon.use(code);
  } };
}
