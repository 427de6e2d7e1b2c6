// The customer's sign-in QR, shown large at the till or on the admin customer page: they scan
// it with their phone to open their own page (a one-time link, valid 15 minutes).
import { api } from "./api.js";
import { t } from "./i18n.js";
import { actionButton, el, timeOfDay } from "./ui.js";

function showQr(link) {
  const dialog = el("dialog", { class: "confirm portal-qr", "aria-labelledby": "portal-qr-title" },
    el("h2", { id: "portal-qr-title", text: t("portalQrTitle") }),
    el("img", { class: "portal-qr-image", src: link.qr_png, alt: t("portalQrAlt"),
      width: 330, height: 330 }),
    el("p", { class: "hint", text: t("portalQrHint",
      { time: timeOfDay(link.expires_at, false) }) }),
    el("form", { method: "dialog", class: "actions" },
      el("button", { value: "close", class: "primary", text: t("close") })));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** The button that makes a sign-in link for the customer and shows its QR. */
export function portalQrButton(customerId, className = "") {
  const button = actionButton(t("portalQrButton"), async () => {
    showQr(await api(`/customers/${customerId}/portal-link`, { method: "POST" }));
  }, `portal-qr-button ${className}`.trim());
  return button;
}
