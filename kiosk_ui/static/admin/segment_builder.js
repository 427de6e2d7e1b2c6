// The segment builder of a campaign: rules (tier, retention status, chance still a customer,
// came to / invited to an event but absent, registered in a period, spent at least an amount,
// tags, everyone) in groups joined with "and" or "or", nested up to three levels; under them
// a live count of who gets the message and who is left out and why, asked of the server
// (POST /campaigns/audience) once typing pauses. The value is the JSON the API takes.
import { ApiError, api } from "./api.js";
import { t } from "./i18n.js";
import { debounce, el, money, number, when } from "./ui.js";

const MAX_DEPTH = 3; // kiosk_server/campaigns/models.py
const MAX_RULES = 30;
const STATUSES = ["new", "active", "watch", "at_risk", "lapsed"];
const KINDS = ["all", "tier", "status", "p_alive", "attended", "invited_not_attended",
  "registered", "spent", "tags"];
const REASONS = ["no_consent", "no_address", "unsubscribed", "erased", "call_hold_out"];

let sheet = null;

/** The builder's own styles, once per page. */
function addStyles() {
  if (sheet) return;
  sheet = el("link", { rel: "stylesheet", href: "/ui/admin/segment_builder.css" });
  document.head.append(sheet);
}

/** A new rule of `kind` with what it needs filled as far as can be guessed. */
function newRule(kind, events) {
  switch (kind) {
    case "tier": return { kind, tiers: [] };
    case "status": return { kind, statuses: [] };
    case "p_alive": return { kind, min: 0, max: 1 };
    case "attended":
    case "invited_not_attended": return { kind, event_id: events[0]?.id ?? null };
    case "registered": return { kind, from_day: null, to_day: null };
    case "spent": return { kind, min_vnd: 1_000_000, from_day: null, to_day: null };
    case "tags": return { kind, tags: [] };
    default: return { kind: "all" };
  }
}

const countRules = (group) => group.rules.reduce((sum, rule) => sum + 1
  + (rule.kind === "group" ? countRules(rule) : 0), 0);

/** What a rule still lacks (a sentence), or null when it can be counted. */
function lackOf(rule) {
  if (rule.kind === "group") return rule.rules.map(lackOf).find(Boolean) || null;
  if (rule.kind === "tier" && !rule.tiers.length) return t("segLackTier");
  if (rule.kind === "status" && !rule.statuses.length) return t("segLackStatus");
  if ((rule.kind === "attended" || rule.kind === "invited_not_attended") && !rule.event_id) {
    return t("segLackEvent");
  }
  if (rule.kind === "tags" && !rule.tags.length) return t("segLackTags");
  if (rule.kind === "spent" && !Number.isSafeInteger(rule.min_vnd)) return t("segLackAmount");
  return null;
}

/** The JSON the API takes: open period ends left out. */
function cleaned(rule) {
  if (rule.kind === "group") {
    return { kind: "group", join: rule.join, rules: rule.rules.map(cleaned) };
  }
  return Object.fromEntries(Object.entries(rule).filter(([, value]) => value !== null
    && value !== ""));
}

/** Copies a value from the server (or a draft) into the builder's own shape. */
function opened(rule) {
  if (rule?.kind === "group" || Array.isArray(rule?.rules)) {
    return { kind: "group", join: rule.join === "or" ? "or" : "and",
      rules: (rule.rules.length ? rule.rules : [{ kind: "all" }]).map(opened) };
  }
  return { from_day: null, to_day: null, ...rule };
}

/** "1.240 khách sẽ nhận · 312 bị loại: 200 chưa đồng ý, 80 không có email, 32 đã hủy nhận tin" */
export function audienceSentence(answer, channel) {
  const reach = t("segReach", { n: number(answer.reachable) });
  const out = answer.matched - answer.reachable;
  if (!out) return reach;
  const reasons = REASONS.filter((reason) => answer.left_out[reason]).map((reason) => t(
    reason === "no_address" ? `segOut_no_address_${channel}` : `segOut_${reason}`,
    { n: number(answer.left_out[reason]) }));
  return `${reach} · ${t("segLeftOut", { n: number(out), reasons: reasons.join(", ") })}`;
}

function checkboxes(name, options, chosen, onToggle) {
  return el("div", { class: "seg-choices", role: "group", "aria-label": name },
    options.map(([value, label]) => el("label", { class: "seg-choice" },
      el("input", { type: "checkbox", value, checked: chosen.includes(value),
        onchange: (event) => onToggle(value, event.target.checked) }),
      el("span", { text: label }))));
}

const labelled = (label, control) => el("label", { class: "seg-input" },
  el("span", { text: label }), control);

function dayInputs(rule, changed) {
  const day = (key, label) => labelled(label, el("input", { type: "date", name: key,
    value: rule[key] || "", onchange: (event) => {
      rule[key] = event.target.value || null;
      changed();
    } }));
  return [day("from_day", t("segFromDay")), day("to_day", t("segToDay")),
    el("small", { class: "hint seg-open", text: t("segOpenDays") })];
}

function percentInput(rule, key, label, changed) {
  return labelled(label, el("input", { type: "number", name: key, min: 0, max: 100, step: 1,
    inputmode: "numeric", value: Math.round(rule[key] * 100), oninput: (event) => {
      const percent = Math.min(100, Math.max(0, Number(event.target.value) || 0));
      rule[key] = percent / 100;
      changed();
    } }));
}

function amountInput(rule, changed) {
  const shown = el("small", { class: "hint seg-money", text: money(rule.min_vnd || 0) });
  const input = el("input", { type: "text", name: "min_vnd", inputmode: "numeric",
    autocomplete: "off", value: Number.isSafeInteger(rule.min_vnd) ? number(rule.min_vnd) : "",
    oninput: () => {
      const digits = input.value.replace(/\D/g, "");
      rule.min_vnd = digits ? Number(digits) : null;
      shown.textContent = money(rule.min_vnd || 0);
      changed();
    } });
  return [labelled(t("segAmount"), input), shown];
}

/** The inputs of one rule of a kind other than a group. */
function ruleInputs(rule, context) {
  const { tiers, events, changed } = context;
  const toggle = (list) => (value, on) => {
    const index = rule[list].indexOf(value);
    if (on && index < 0) rule[list].push(value);
    if (!on && index >= 0) rule[list].splice(index, 1);
    changed();
  };
  switch (rule.kind) {
    case "tier":
      return [checkboxes(t("segKind_tier"), tiers.map((tier) => [tier.name, tier.name]),
        rule.tiers, toggle("tiers"))];
    case "status":
      return [checkboxes(t("segKind_status"), STATUSES.map((status) => [status,
        t(`rhythm_${status}`)]), rule.statuses, toggle("statuses"))];
    case "p_alive":
      return [percentInput(rule, "min", t("segAliveMin"), changed),
        percentInput(rule, "max", t("segAliveMax"), changed)];
    case "attended":
    case "invited_not_attended": {
      if (!events.length) return [el("p", { class: "hint", text: t("segNoEvents") })];
      const options = events.map((event) => el("option", { value: event.id,
        text: `${event.name} · ${when(event.starts_at)}`, selected: event.id === rule.event_id }));
      return [labelled(t("segEvent"), el("select", { name: "event_id", onchange: (event) => {
        rule.event_id = Number(event.target.value);
        changed();
      } }, options))];
    }
    case "registered":
      return dayInputs(rule, changed);
    case "spent":
      return [...amountInput(rule, changed), ...dayInputs(rule, changed)];
    case "tags":
      return [labelled(t("segTags"), el("input", { type: "text", name: "tags",
        value: rule.tags.join(", "), placeholder: t("segTagsHint"), oninput: (event) => {
          rule.tags = event.target.value.split(",").map((tag) => tag.trim().toLowerCase())
            .filter(Boolean);
          changed();
        } }))];
    default:
      return [el("span", { class: "hint", text: t("segEveryone") })];
  }
}

function removeButton(label, remove) {
  return el("button", { type: "button", class: "small seg-remove", text: "✕",
    title: label, "aria-label": label, onclick: remove });
}

function ruleRow(rule, parent, path, context) {
  const kind = el("select", { name: "kind", "aria-label": t("segKind"), onchange: () => {
    parent.rules[parent.rules.indexOf(rule)] = newRule(kind.value, context.events);
    context.redraw();
  } }, KINDS.map((value) => el("option", { value, text: t(`segKind_${value}`),
    selected: value === rule.kind })));
  const remove = parent.rules.length > 1 ? removeButton(t("segRemoveRule"), () => {
    parent.rules.splice(parent.rules.indexOf(rule), 1);
    context.redraw();
  }) : null;
  return el("li", { class: "seg-rule", dataset: { kind: rule.kind, path } },
    el("div", { class: "seg-rule-head" }, kind, remove),
    el("div", { class: "seg-rule-body" }, ruleInputs(rule, context)));
}

function joinToggle(group, context) {
  const choice = (join) => el("button", { type: "button", class: "seg-join-choice",
    dataset: { join }, text: t(`segJoin_${join}`), "aria-pressed": String(group.join === join),
    onclick: () => {
      group.join = join;
      context.redraw();
    } });
  return el("div", { class: "seg-join", role: "group", "aria-label": t("segJoin") },
    choice("and"), choice("or"));
}

function groupBox(group, parent, path, depth, context) {
  const full = countRules(context.root) >= MAX_RULES;
  const add = (rule) => {
    group.rules.push(rule);
    context.redraw();
  };
  const rules = group.rules.map((rule, index) => (rule.kind === "group"
    ? el("li", { class: "seg-nested" }, groupBox(rule, group, `${path}rules.${index}.`,
      depth + 1, context))
    : ruleRow(rule, group, `${path}rules.${index}`, context)));
  return el("div", { class: `seg-group depth-${depth}`, dataset: { path: path || "root" } },
    el("div", { class: "seg-group-head" },
      group.rules.length > 1 ? joinToggle(group, context) : el("span"),
      parent ? removeButton(t("segRemoveGroup"), () => {
        parent.rules.splice(parent.rules.indexOf(group), 1);
        context.redraw();
      }) : null),
    el("ol", { class: "seg-rules" }, rules),
    el("div", { class: "seg-add" },
      el("button", { type: "button", class: "small seg-add-rule", text: t("segAddRule"),
        disabled: full, onclick: () => add(newRule("tier", context.events)) }),
      depth < MAX_DEPTH ? el("button", { type: "button", class: "small seg-add-group",
        text: t("segAddGroup"), disabled: full,
        onclick: () => add({ kind: "group", join: "or", rules: [newRule("tier", context.events)] }),
      }) : null));
}

/**
 * The builder: an element to put in a form. `value` is a segment as the API takes it (a
 * group of rules; "everyone" when missing), `channel` "email" or "sms" (whose reasons to
 * leave someone out differ), `onChange(value)` is told each change. The element has
 * `setChannel(channel)` (the count follows) and `ready`, a promise kept once it is drawn.
 */
export function segmentBuilder({ value, channel = "email", onChange = () => {} } = {}) {
  addStyles();
  const root = opened(value || { kind: "group", join: "and", rules: [{ kind: "all" }] });
  const rulesBox = el("div", { class: "seg-tree" }, el("p", { class: "hint",
    text: t("segLoading") }));
  const count = el("p", { class: "seg-count", role: "status", "aria-live": "polite",
    dataset: { state: "loading" } });
  const node = el("div", { class: "segment-builder" }, rulesBox, count);
  let asked = 0; // the latest question: an older answer arriving late is not shown

  const showCount = (state, text) => {
    count.dataset.state = state;
    count.textContent = text;
  };
  const markInvalid = (field) => {
    for (const row of node.querySelectorAll(".seg-invalid")) row.classList.remove("seg-invalid");
    const rows = [...node.querySelectorAll(".seg-rule[data-path]")];
    const row = field && rows.find((each) => field === each.dataset.path
      || field.startsWith(`${each.dataset.path}.`));
    row?.classList.add("seg-invalid");
  };
  const refresh = debounce(async () => {
    const question = ++asked;
    const lack = lackOf(root);
    if (lack) {
      showCount("incomplete", lack);
      return;
    }
    try {
      const answer = await api("/campaigns/audience", { method: "POST",
        body: { segment: cleaned(root), channel } });
      if (question !== asked) return;
      markInvalid(null);
      showCount("ready", audienceSentence(answer, channel));
      node.dataset.matched = answer.matched;
      node.dataset.reachable = answer.reachable;
    } catch (error) {
      if (question !== asked) return;
      const problem = error instanceof ApiError ? error.problems[0] : null;
      markInvalid(problem?.field || null);
      showCount("problem", error instanceof ApiError ? error.message : t("unexpected"));
    }
  }, 300);
  const changed = () => {
    showCount("loading", t("segCounting"));
    onChange(cleaned(root));
    refresh();
  };
  const context = { root, tiers: [], events: [], changed, redraw: () => {} };
  context.redraw = () => {
    rulesBox.replaceChildren(groupBox(root, null, "", 1, context));
    changed();
  };
  node.setChannel = (next) => {
    channel = next;
    changed();
  };
  node.ready = Promise.all([api("/campaigns/tiers"), api("/events")]).then(([tiers, events]) => {
    Object.assign(context, { tiers, events });
    rulesBox.replaceChildren(groupBox(root, null, "", 1, context));
    showCount("loading", t("segCounting"));
    refresh();
  }).catch((error) => {
    showCount("problem", error instanceof ApiError ? error.message : t("unexpected"));
  });
  return node;
}
