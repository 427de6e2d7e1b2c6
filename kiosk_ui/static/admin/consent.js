// A customer's consent to be contacted, per channel: the form's checkboxes (never ticked
// for a new customer: silence is not consent), preferred channel and the language of their
// messages, used by the admin's customer form and the till's sign-up; and the history of
// changes as sentences.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { checkbox, checked, el, field, select, when } from "./ui.js";

const CHANNELS = ["email", "sms"];

/** The consent checkboxes, the preferred channel and the messages' language, filled from
 * `customer` (if any). */
export function consentFields(customer = {}) {
  return [
    el("fieldset", { class: "consent", dataset: { part: "consent" } },
      el("legend", { text: t("consentLegend") }),
      el("p", { class: "hint", text: t("consentHint") }),
      ...CHANNELS.map((channel) => checkbox(`consent_${channel}`, t(`consentTo_${channel}`),
        customer[`consent_${channel}`]))),
    field("preferred_channel", t("preferredChannel"), select([["", t("channelNone")],
      ...CHANNELS.map((channel) => [channel, t(`channel_${channel}`)])],
    customer.preferred_channel || "")),
    field("language", t("field_language"), select(["vi", "en"].map((language) => [language,
      t(`segLanguage_${language}`)]), customer.language || "vi")),
  ];
}

/** What the form says, as the API takes it. */
export const consentBody = (form) => ({
  consent_email: checked(form, "consent_email"), consent_sms: checked(form, "consent_sms"),
  preferred_channel: form.elements.preferred_channel.value || null,
  language: form.elements.language.value,
});

/** One change as a sentence: who, where, what. */
export function consentSentence(change) {
  const what = t(change.granted ? "consentGranted" : "consentWithdrawn",
    { channel: t(`channel_${change.channel}`), purpose: t(`purpose_${change.purpose}`) });
  return t(`consentBy_${change.source}`, { what, staff: change.staff_name || t("someone") });
}

/** The history panel of a customer's page. */
export function consentPanel(customer) {
  const list = el("ol", { class: "consent-history" });
  const now = el("p", { class: "consent-now", text: t("consentNow", {
    email: t(customer.consent_email ? "consentYes" : "consentNo"),
    sms: t(customer.consent_sms ? "consentYes" : "consentNo"),
    preferred: customer.preferred_channel ? t(`channel_${customer.preferred_channel}`)
      : t("channelNone") }) });
  const panel = el("section", { class: "panel consent-panel" },
    el("h2", { text: t("consentTitle") }), now, list);
  const load = async () => {
    const history = await api(`/customers/${customer.id}/consent`);
    list.replaceChildren(...history.map((change) => el("li", {},
      el("span", { class: "time", text: when(change.occurred_at) }),
      el("span", { text: consentSentence(change) }))));
    if (!history.length) list.append(el("li", { class: "empty", text: t("consentNoHistory") }));
  };
  return { panel, load };
}
