// #/rewards: the rewards catalogue (what points buy at the till), withdrawn ones too. Admins
// add, rename, reprice, withdraw and restore; staff see it read-only (the server refuses
// them the changes anyway).
import { ApiError, api } from "./api.js";
import { t } from "./i18n.js";
import {
  actionButton, el, field, makeForm, notify, number, row, table, textInput, underRow, valueOf,
} from "./ui.js";

const costInput = (value) => textInput(value, { type: "number", min: 1, step: 1,
  inputmode: "numeric" });
const nameInput = (value) => textInput(value, { maxlength: 200 });

/** The cost typed, a whole number of points; refused next to its field otherwise. */
function costOf(form) {
  const text = valueOf(form, "points_cost");
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new ApiError(422, [{ field: "points_cost", message: t("pointsCostInvalid") }]);
  }
  return Number(text);
}

function addForm(reload) {
  const form = makeForm({
    className: "reward-form",
    fields: [el("div", { class: "pair" }, field("name", t("rewardName"), nameInput("")),
      field("points_cost", t("pointsCost"), costInput("")))],
    submit: t("addReward"),
    send: async (sent) => {
      const added = await api("/rewards", { method: "POST", body: {
        name: valueOf(sent, "name"), points_cost: costOf(sent) } });
      sent.reset();
      notify(t("rewardAdded", { name: added.name }));
      await reload();
    },
  });
  return el("details", { class: "panel add" }, el("summary", { text: t("addReward") }), form);
}

function editForm(reward, reload) {
  return makeForm({
    className: "inline",
    fields: [field("name", t("rewardName"), nameInput(reward.name)),
      field("points_cost", t("pointsCost"), costInput(reward.points_cost))],
    submit: t("save"),
    send: async (sent) => {
      await api(`/rewards/${reward.id}`, { method: "PATCH", body: {
        name: valueOf(sent, "name"), points_cost: costOf(sent) } });
      notify(t("saved"));
      await reload();
    },
  });
}

function rewardRow(reward, reload, admin) {
  const extra = underRow(4);
  const toggle = actionButton(t(reward.active ? "withdraw" : "restore"), async () => {
    await api(`/rewards/${reward.id}`, { method: "PATCH", body: { active: !reward.active } });
    notify(t(reward.active ? "rewardWithdrawn" : "rewardRestored", { name: reward.name }));
    await reload();
  }, reward.active ? "danger small" : "small");
  const actions = admin ? el("span", { class: "row-actions" },
    actionButton(t("edit"), extra.opener(() => editForm(reward, reload)), "small"), toggle) : "";
  const line = row(reward.name, t("pointsCount", { n: number(reward.points_cost) }),
    t(reward.active ? "onOffer" : "withdrawn"), actions);
  line.dataset.rewardId = reward.id;
  line.classList.toggle("inactive", !reward.active);
  return [line, extra.row];
}

export async function rewardsView(root, context) {
  const admin = context.me.role === "admin";
  const { node, body } = table([t("rewardName"), t("pointsCost"), t("status"), ""], "rewards");
  const empty = el("p", { class: "empty", text: t("noRewardsYet"), hidden: true });
  const reload = async () => {
    const rewards = await api("/rewards?include_inactive=true");
    body.replaceChildren(...rewards.flatMap((reward) => rewardRow(reward, reload, admin)));
    empty.hidden = rewards.length > 0;
  };
  await reload();
  root.append(el("h1", { text: t("navRewards") }),
    el("p", { class: "hint", text: t("rewardsHint") }),
    admin ? addForm(reload) : null, el("section", { class: "panel" }, node, empty));
}
