// The customer's coupons: those they hold (one can be used with the sale), and a new one
// issued to them, shown as its QR for them to keep.
import { api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { el, field, makeForm, textInput, valueOf, when } from "../admin/ui.js";

const couponQr = (coupon, className) => el("img", { class: className,
  src: `/api/v1/coupons/${coupon.id}/qr.png`, alt: t("couponQr"), width: 160, height: 160 });

export function couponsSection({ customerId, useCoupon, onIssued }) {
  const list = el("ul", { class: "coupons" });
  const empty = el("p", { class: "empty", text: t("noCoupons") });
  const issued = el("div", { class: "issued-coupon" });

  const line = (coupon) => el("li", { dataset: { couponId: coupon.id } },
    el("span", { class: "benefit", text: coupon.benefit }),
    el("span", { class: "hint", text: t("expires", { time: when(coupon.expires_at) }) }),
    el("button", { type: "button", class: "use-coupon", text: t("useCoupon"),
      onclick: () => useCoupon(coupon.code) }));

  const form = makeForm({
    className: "issue-coupon",
    fields: [
      field("benefit", t("benefit"), textInput("", { maxlength: 200,
        placeholder: t("benefitPlaceholder") })),
      field("valid_days", t("validDays"), textInput("30", { type: "number", min: 1, max: 366,
        inputmode: "numeric" })),
    ],
    submit: t("issue"),
    send: async (sent) => {
      const days = Number(valueOf(sent, "valid_days"));
      const coupon = await api(`/customers/${customerId}/coupons`, { method: "POST",
        body: { benefit: valueOf(sent, "benefit"), valid_days: days } });
      issued.replaceChildren(
        el("p", { class: "ok", text: t("couponIssued", { benefit: coupon.benefit }) }),
        couponQr(coupon, "coupon-qr"),
        el("p", { class: "hint", text: t("expires", { time: when(coupon.expires_at) }) }));
      sent.elements.benefit.value = "";
      onIssued(coupon);
    },
  });

  function update(panel) {
    list.replaceChildren(...panel.coupons.map(line));
    empty.hidden = panel.coupons.length > 0;
  }

  const node = el("section", { class: "panel", dataset: { part: "coupons" } },
    el("h2", { text: t("coupons") }), list, empty,
    el("details", { class: "add" }, el("summary", { text: t("issueCoupon") }), form, issued));
  return { node, update };
}
