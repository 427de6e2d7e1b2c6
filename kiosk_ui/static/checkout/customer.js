// The customer being served: their standing and history on one side, what the till does for
// them (sale, rewards, coupons) on the other. Kept current live: each new visit of theirs
// (a sale at another till, a check-in at an event) reloads the panel's data, while what the
// cashier is typing stays as it is.
import { api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { leavingFlagPanel } from "../admin/leaving_flag.js";
import { follow, liveStatus } from "../admin/live.js";
import { el } from "../admin/ui.js";
import { couponsSection } from "./coupons.js";
import { complaintsSection, notesSection } from "./notes.js";
import { rewardsSection } from "./rewards.js";
import { saleSection } from "./sale.js";
import { historySection, summarySection } from "./summary.js";

/**
 * The view of the customer of `panel` (a CheckoutPanel): `{node, leave(), useCoupon(code)}`.
 * `banner` goes above it; `visitNumber` is this visit's; `onDone` ends their service.
 */
export function customerView(panel, { banner, visitNumber, state, onDone }) {
  const customerId = panel.customer.id;
  const live = liveStatus();
  let reading = null; // the panel being read; another read waits for it, then runs once
  let again = false;
  let left = false;

  function update(next) {
    if (left) return;
    state.panel = next;
    for (const part of parts) part.update(next);
  }

  async function refresh() {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        try {
          update(await api(`/customers/${customerId}/checkout`));
          state.refreshes += 1;
        } catch (error) {
          live.show(false, error.message);
        }
      } while (again && !left);
      reading = null;
    })();
    return reading;
  }

  const useCoupon = (code) => {
    sale.useCoupon(code);
    sale.node.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  const sale = saleSection({ customerId, state, onSold: (result) => {
    update({ ...state.panel, loyalty: result.status }); // at once; the rest follows
    refresh();
  } });
  const parts = [
    summarySection({ customerId, visitNumber, liveNode: live.node, onDone }),
    historySection(),
    sale,
    rewardsSection({ customerId, onRedeemed: (result) => {
      update({ ...state.panel, loyalty: result.status });
      refresh();
    } }),
    couponsSection({ customerId, useCoupon, onIssued: refresh }),
    notesSection({ customerId, onChange: refresh }),
    complaintsSection({ customerId, onChange: refresh }),
  ];
  const [summary, history, , rewards, coupons, notes, complaints] = parts;
  update(panel);

  // "ready" comes first and again after any gap: a visit may have been missed, read it all.
  const stop = follow(() => `/customers/${customerId}/live`, {
    onMessage: (data) => {
      if (data.type === "ready") {
        live.show(true, t("live"));
        state.live = customerId;
        refresh();
      } else if (data.type === "visit" || data.type === "visit_removed") {
        refresh();
      }
    },
    onStatus: (connected) => connected || live.show(false, t("reconnecting")),
  });

  const node = el("section", { class: "customer", dataset: { view: "customer", customerId } },
    banner,
    el("div", { class: "till-grid" },
      el("div", { class: "column till-info" }, summary.node, history.node, notes.node,
        complaints.node, leavingFlagPanel(customerId, "till", "/admin#/calls")),
      el("div", { class: "column till-actions" }, sale.node, rewards.node, coupons.node)));
  return {
    node,
    leave: () => {
      left = true;
      state.live = null;
      stop();
    },
    useCoupon,
  };
}
