// Finding the customer: one box takes a name or a phone number (searched as typed, by the
// server, diacritics ignored) or a scanned code (a handheld scanner types it and presses
// Enter; the camera hands it over the same way). A card's code is looked up at once; a
// coupon's goes to the sale of the customer being served.
import { ApiError, api, query } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { el, messageOf, phoneText, when } from "../admin/ui.js";
import { kioskCode } from "../scanner.js";

const RESULTS = 20;
const TYPED_MS = 300; // the pause in typing after which the search runs

/**
 * The search box's behaviour. `serve(panel)` serves a found customer; `couponScanned(code)`
 * hands a coupon's code to the sale on screen (false when no customer is being served).
 */
export function finder({ input, form, results, problem, state, serve, couponScanned }) {
  let generation = 0; // answers to an older search or lookup are dropped
  let looking = false;
  let typing = null; // the search waiting for a pause in typing

  const say = (text) => { problem.textContent = text; };

  function clear() {
    generation += 1;
    clearTimeout(typing);
    input.value = "";
    results.replaceChildren();
    say("");
  }

  async function open(customerId) {
    const mine = ++generation;
    try {
      const panel = await api(`/customers/${customerId}/checkout`);
      if (mine === generation) serve(panel);
    } catch (error) {
      if (mine === generation) say(messageOf(error));
    }
  }

  const resultLine = (customer) => el("li", {}, el("button", {
    type: "button", class: "result", dataset: { customerId: customer.id },
    onclick: () => open(customer.id),
  }, el("span", { class: "name", text: customer.full_name }),
  el("span", { class: "phone", text: phoneText(customer.phone) }),
  el("span", { class: "meta", text: [t("visitsN", { n: customer.visit_count }),
    customer.last_visit_at ? when(customer.last_visit_at) : ""].filter(Boolean).join(" · ") })));

  /** Searches for `text`; with `openSingle` (Enter was pressed) a single match is served. */
  async function search(text, openSingle = false) {
    const mine = ++generation;
    if (text.length < 2) {
      results.replaceChildren();
      say("");
      return;
    }
    try {
      const page = await api(`/customers${query({ q: text, limit: RESULTS })}`);
      if (mine !== generation) return;
      say(page.items.length ? "" : t("noMatch"));
      if (openSingle && page.items.length === 1) {
        await open(page.items[0].id);
        return;
      }
      results.replaceChildren(...page.items.map(resultLine));
    } catch (error) {
      if (mine === generation) say(messageOf(error));
    }
  }

  /** The customer whose card this code is; the panel comes with them. */
  async function lookUp(code) {
    const mine = ++generation;
    looking = true;
    state.lookups += 1;
    try {
      const panel = await api("/checkout/lookup", { method: "POST", body: { code } });
      if (mine === generation) serve(panel);
    } catch (error) {
      if (mine !== generation) return;
      state.lastRefusal = error instanceof ApiError ? error.status : 0;
      say(messageOf(error));
    } finally {
      looking = false;
    }
  }

  /** A code read by the camera or typed by a handheld scanner (or anything else typed). */
  function scanned(text) {
    const found = kioskCode(text);
    if (!found) {
      say(t("notKioskCode"));
      return;
    }
    input.value = "";
    results.replaceChildren();
    if (found.kind === "V") {
      say(couponScanned(found.code) ? "" : t("scanCardFirst"));
      return;
    }
    say("");
    if (found.code === state.panel?.card_code?.toUpperCase()) return; // still in view: served
    lookUp(found.code);
  }

  input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if (!kioskCode(input.value)) search(input.value.trim());
    }, TYPED_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing); // Enter: now, and once
    const text = input.value.trim();
    if (kioskCode(text)) scanned(text);
    else search(text, true);
  });

  return { clear, scanned, busy: () => looking };
}
