// "This customer may be leaving": whoever serves a customer (on their admin page, or at the
// till) writes what they heard, in their own words, and the customer goes on the call list
// whatever their figures say. A retry of the same flag (a double tap, a network error) is
// recorded once: the page makes its key once per flag.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { el, field, makeForm, notify, valueOf } from "./ui.js";
import { randomId } from "../random-id.js";

/** The folded panel: `place` is "customer_page" or "till"; `callList` where the list is. */
export function leavingFlagPanel(customerId, place, callList = "#/calls") {
  let clientKey = randomId(); // this flag's, until it is recorded
  const done = el("p", { class: "on-call-list", role: "status", hidden: true },
    el("span", { text: t("onCallList") }), " ", el("a", { href: callList, text: t("navCalls") }));
  const form = makeForm({
    className: "leaving-flag",
    fields: [el("p", { class: "hint", text: t("mayBeLeavingHint") }),
      field("words", t("field_words"), el("textarea", { rows: 3, maxlength: 1000 }))],
    submit: t("flagSend"),
    send: async (sent) => {
      await api(`/customers/${customerId}/leaving-flags`, { method: "POST",
        body: { words: valueOf(sent, "words"), place, client_key: clientKey } });
      clientKey = randomId();
      sent.reset();
      done.hidden = false;
      notify(t("onCallList"));
    },
  });
  return el("details", { class: "panel leaving-flag-panel", dataset: { part: "leaving" } },
    el("summary", { text: t("mayBeLeaving") }), done, form);
}
