// Rewards: the catalogue with what each costs in points; one is redeemed for the customer
// (its button is off while they lack the points). A redemption keeps its id until the server
// answers, so tapping again after a network error does not spend the points twice.
import { ApiError, api } from "../admin/api.js";
import { t } from "../admin/i18n.js";
import { confirmAction, el, messageOf, notify, number } from "../admin/ui.js";
import { randomId } from "../random-id.js";

export function rewardsSection({ customerId, onRedeemed }) {
  const list = el("ul", { class: "rewards" });
  const empty = el("p", { class: "empty", text: t("noRewards") });
  const problem = el("p", { class: "error", role: "alert" });
  const pending = new Map(); // reward id -> the request id of a redemption not yet answered
  let points = 0;

  async function redeem(reward, button) {
    problem.textContent = "";
    const cost = number(reward.points_cost);
    if (!await confirmAction(t("redeemQ", { points: cost, name: reward.name }), t("redeem"))) {
      return;
    }
    const requestId = pending.get(reward.id) || randomId();
    pending.set(reward.id, requestId);
    button.disabled = true;
    try {
      const result = await api(`/customers/${customerId}/redemptions`, { method: "POST",
        body: { reward_id: reward.id, request_id: requestId } });
      pending.delete(reward.id);
      notify(t("redeemed", { name: result.redemption.reward_name,
        n: number(result.status.points) }));
      onRedeemed(result);
    } catch (error) {
      if (error instanceof ApiError && error.status > 0 && error.status < 500) {
        pending.delete(reward.id); // refused: nothing was recorded
      }
      problem.textContent = messageOf(error);
      button.disabled = points < reward.points_cost;
    }
  }

  const line = (reward) => {
    const button = el("button", { type: "button", class: "redeem", text: t("redeem"),
      disabled: points < reward.points_cost, dataset: { rewardId: reward.id } });
    button.addEventListener("click", () => redeem(reward, button));
    return el("li", { dataset: { rewardId: reward.id } },
      el("span", { class: "reward-name", text: reward.name }),
      el("span", { class: "cost", text: t("pointsN", { n: number(reward.points_cost) }) }),
      button);
  };

  function update(panel) {
    points = panel.loyalty.points;
    const offered = panel.rewards.filter((reward) => reward.active !== false);
    list.replaceChildren(...offered.map(line));
    empty.hidden = offered.length > 0;
  }

  const node = el("section", { class: "panel", dataset: { part: "rewards" } },
    el("h2", { text: t("rewards") }), list, empty, problem);
  return { node, update };
}
