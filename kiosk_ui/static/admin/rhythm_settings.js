// The thresholds of customers' statuses against their own rhythm, on #/customers (folded
// away): how many intervals make a rhythm, the overdue multiples and spend drops of
// "watch" and "at risk", when a customer has lapsed. Admins change them; staff read them.
import { ApiError, api } from "./api.js";
import { t } from "./i18n.js";
import { el, field, makeForm, notify, textInput, valueOf } from "./ui.js";

const WHOLE = ["min_intervals", "watch_spend_drop_pct", "at_risk_spend_drop_pct",
  "lapsed_after_days"];
const MULTIPLES = ["watch_overdue", "at_risk_overdue", "lapsed_overdue"];

/** A number typed in a field ("1,5" as well as "1.5"), or a refusal said next to it. */
function typed(form, name, whole) {
  const text = valueOf(form, name).replace(",", ".");
  if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text)) {
    const rule = t(whole ? "wholeNumber" : "problem_int_parsing");
    throw new ApiError(422, [{ field: name, rule, message: `${t(`field_${name}`)}: ${rule}` }]);
  }
  return Number(text);
}

const input = (value, whole) => textInput(String(value), { inputmode: whole ? "numeric"
  : "decimal", autocomplete: "off" });

function settingsForm(current, admin, onSaved) {
  const group = (legend, names, whole) => el("fieldset", { class: "rhythm-group" },
    el("legend", { text: legend }),
    el("div", { class: "pair" }, ...names.map((name) => field(name, t(`field_${name}`),
      input(current[name], whole)))));
  const form = makeForm({
    className: "rhythm-settings",
    fields: [
      group(t("rhythmOverdue"), MULTIPLES, false),
      group(t("rhythmSpend"), ["watch_spend_drop_pct", "at_risk_spend_drop_pct"], true),
      el("div", { class: "pair" },
        field("lapsed_after_days", t("field_lapsed_after_days"),
          input(current.lapsed_after_days, true)),
        field("min_intervals", t("field_min_intervals"), input(current.min_intervals, true))),
    ],
    submit: t("saveSettings"),
    send: async (sent) => {
      const body = Object.fromEntries([...WHOLE.map((name) => [name, typed(sent, name, true)]),
        ...MULTIPLES.map((name) => [name, typed(sent, name, false)])]);
      const saved = await api("/retention-settings", { method: "PUT", body });
      notify(t("saved"));
      onSaved(saved);
    },
  });
  if (!admin) {
    for (const control of form.querySelectorAll("input, button")) control.disabled = true;
    form.querySelector(".actions").hidden = true;
  }
  return form;
}

/** The panel (folded), filled from the server; drawn again after a save. */
export async function rhythmSettingsPanel(admin) {
  const body = el("div");
  const panel = el("details", { class: "panel rhythm-settings-panel" },
    el("summary", { text: t("rhythmSettings") }), body);
  const draw = (current) => {
    body.replaceChildren(...[el("p", { class: "hint", text: t("rhythmSettingsHint") }),
      admin ? null : el("p", { class: "hint read-only", text: t("followupReadOnly") }),
      settingsForm(current, admin, draw)].filter(Boolean));
    panel.dataset.ready = "true";
  };
  draw(await api("/retention-settings"));
  return panel;
}
