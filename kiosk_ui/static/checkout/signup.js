// A customer met for the first time: name and phone (e-mail and consent if they like), and
// the card is theirs on the spot — its image on screen, its page's link (the card's QR opens
// it) to keep on their phone.
import { api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { consentBody, consentFields } from "../admin/consent.js";
import { el, field, makeForm, orNull, textInput, valueOf } from "../admin/ui.js";

/** What is shown above the new customer's panel: their card and how to keep it. */
export function cardBanner(result) {
  const customer = result.panel.customer;
  return el("section", { class: "panel new-card", dataset: { part: "new-card" } },
    el("h2", { text: t("cardIssuedTo", { name: customer.full_name }) }),
    el("div", { class: "new-card-body" },
      el("img", { class: "card-image", src: `/api/v1/customers/${customer.id}/card.png`,
        alt: t("cardImage"), width: 1011, height: 638 }),
      el("div", {},
        el("p", { text: t("cardSave") }),
        el("a", { class: "card-url", href: result.card_url, target: "_blank", rel: "noopener",
          text: result.card_url }),
        mailNote(result.card_mail))));
}

// What became of the card's e-mail, as it is: queued for the mail server, waiting in the
// outbox because no mail server is set up, or nothing to send.
const MAIL_NOTES = {
  queued: ["ok", "mailQueued"],
  waiting: ["warning", "mailWaiting"],
  no_address: ["hint", "mailNoAddress"],
};

function mailNote(cardMail) {
  const [look, words] = MAIL_NOTES[cardMail] || MAIL_NOTES.no_address;
  return el("p", { class: `${look} mail`, dataset: { mail: cardMail }, text: t(words) });
}

/** The sign-up form; `onDone(result)` (a CounterSignupResult) serves the new customer. */
export function signupView({ onCancel, onDone }) {
  const form = makeForm({
    className: "signup",
    fields: [
      field("full_name", t("fullName"), textInput("", { maxlength: 200, autocomplete: "off" })),
      field("phone", t("phone"), textInput("", { type: "tel", maxlength: 32,
        autocomplete: "off" })),
      field("email", t("email"), textInput("", { type: "email", maxlength: 254,
        autocomplete: "off" })),
      ...consentFields(),
    ],
    submit: t("signUp"),
    extra: [el("button", { type: "button", text: t("cancel"), onclick: onCancel })],
    send: async (sent) => {
      const result = await api("/checkout/customers", { method: "POST", body: {
        full_name: valueOf(sent, "full_name"), phone: valueOf(sent, "phone"),
        email: orNull(valueOf(sent, "email")), ...consentBody(sent),
      } });
      onDone(result);
    },
  });
  const node = el("section", { class: "panel signup-view", dataset: { view: "signup" } },
    el("h1", { text: t("newCustomer") }), form);
  queueMicrotask(() => form.elements.full_name.focus());
  return { node };
}
