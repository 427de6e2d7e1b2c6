// The follow-up settings panel on #/ratings: a feedback request by message after each visit
// (on/off, how long after) and a thank-you coupon for each answer (on/off, its value, how
// long it lasts). Admins change them; staff read them (the server refuses them the change).
import { ApiError, api } from "./api.js";
import { addWords, t } from "./i18n.js";
import { checkbox, checked, el, field, makeForm, notify, select, textInput, valueOf, when }
  from "./ui.js";

addWords({
  followupTitle: ["Hỏi ý kiến sau lượt ghé", "Asking for feedback after a visit"],
  followupHint: ["Tin nhắn chỉ gửi cho khách đã đồng ý nhận tin qua kênh đó, mỗi lượt ghé "
    + "một lần, và chỉ cho lượt ghé sau khi bật.", "Messages go only to customers who agreed "
    + "to that channel, once per visit, and only for visits after it was turned on."],
  followupReadOnly: ["Chỉ quản trị viên đổi được các cài đặt này.",
    "Only an admin can change these settings."],
  followupOnSince: ["Đang bật từ {time}.", "On since {time}."],
  delayUnit: ["Đơn vị", "Unit"],
  unitMinutes: ["phút", "minutes"],
  unitHours: ["giờ", "hours"],
  unitDays: ["ngày", "days"],
  thanksKindAmount: ["Số tiền (₫)", "Amount (₫)"],
  thanksKindPercent: ["Phần trăm (%)", "Percentage (%)"],
  followupMessage: ["Tin nhắn xin góp ý", "Feedback request by message"],
  thanksCoupon: ["Phiếu cảm ơn", "Thank-you coupon"],
  thanksPreview: ["Phiếu hiện ghi: “{benefit}”.", "Coupons now say: “{benefit}”."],
  saveSettings: ["Lưu cài đặt", "Save settings"],
  wholeNumber: ["phải là một số nguyên.", "must be a whole number."],
});

const UNITS = [["minutes", 1], ["hours", 60], ["days", 1440]];

/** The delay in the largest unit that shows it whole: 120 minutes is "2 hours". */
function delayParts(minutes) {
  const [unit, size] = [...UNITS].reverse().find(([, each]) => minutes % each === 0
    && minutes >= each) || UNITS[0];
  return { amount: minutes / size, unit };
}

/** A whole number typed in a field, or a refusal said next to it. */
function wholeNumber(form, name, scale = 1) {
  const text = valueOf(form, name);
  if (!/^\d+$/.test(text)) {
    throw new ApiError(422, [{ field: name, rule: t("wholeNumber"),
      message: `${t(`field_${name}`)}: ${t("wholeNumber")}` }]);
  }
  return Number(text) * scale;
}

const numberInput = (value) => textInput(value, { type: "number", min: 0, step: 1,
  inputmode: "numeric" });

function settingsForm(current, admin, onSaved) {
  const delay = delayParts(current.followup_delay_minutes);
  const unit = select(UNITS.map(([name]) => [name, t(`unit${name[0].toUpperCase()}`
    + `${name.slice(1)}`)]), delay.unit);
  unit.setAttribute("aria-label", t("delayUnit"));
  unit.name = "delay_unit";
  const kind = select([["amount", t("thanksKindAmount")], ["percent", t("thanksKindPercent")]],
    current.thanks_kind);
  const since = current.followup_enabled && current.followup_enabled_since
    ? el("p", { class: "hint", text: t("followupOnSince", {
      time: when(current.followup_enabled_since) }) }) : null;
  const form = makeForm({
    className: "followup-settings",
    fields: [
      el("fieldset", { class: "followup-group" }, el("legend", { text: t("followupMessage") }),
        checkbox("followup_enabled", t("field_followup_enabled"), current.followup_enabled),
        since,
        el("div", { class: "pair" },
          field("followup_delay_minutes", t("field_followup_delay_minutes"),
            numberInput(delay.amount)),
          field("delay_unit", t("delayUnit"), unit))),
      el("fieldset", { class: "followup-group" }, el("legend", { text: t("thanksCoupon") }),
        checkbox("thanks_enabled", t("field_thanks_enabled"), current.thanks_enabled),
        el("div", { class: "pair" },
          field("thanks_kind", t("field_thanks_kind"), kind),
          field("thanks_value", t("field_thanks_value"), numberInput(current.thanks_value))),
        field("thanks_valid_days", t("field_thanks_valid_days"),
          numberInput(current.thanks_valid_days)),
        el("p", { class: "hint thanks-preview", text: t("thanksPreview",
          { benefit: current.thanks_benefit }) })),
    ],
    submit: t("saveSettings"),
    send: async (sent) => {
      const scale = UNITS.find(([name]) => name === sent.elements.delay_unit.value)[1];
      const saved = await api("/feedback-settings", { method: "PUT", body: {
        followup_enabled: checked(sent, "followup_enabled"),
        followup_delay_minutes: wholeNumber(sent, "followup_delay_minutes", scale),
        thanks_enabled: checked(sent, "thanks_enabled"),
        thanks_kind: sent.elements.thanks_kind.value,
        thanks_value: wholeNumber(sent, "thanks_value"),
        thanks_valid_days: wholeNumber(sent, "thanks_valid_days") } });
      notify(t("saved"));
      onSaved(saved);
    },
  });
  if (!admin) {
    for (const control of form.querySelectorAll("input, select, button")) control.disabled = true;
    form.querySelector(".actions").hidden = true;
  }
  return form;
}

/** The panel, filled from the server; it draws itself again after a save. */
export async function followupPanel(admin) {
  const panel = el("section", { class: "panel followup" });
  const draw = (current) => {
    panel.replaceChildren(...[el("h2", { text: t("followupTitle") }),
      el("p", { class: "hint", text: t("followupHint") }),
      admin ? null : el("p", { class: "hint read-only", text: t("followupReadOnly") }),
      settingsForm(current, admin, draw)].filter(Boolean));
    panel.dataset.ready = "true";
  };
  draw(await api("/feedback-settings"));
  return panel;
}
