// #/campaigns: the campaigns, newest first (name, state, channel, created, sent of how many).
// #/campaigns/{id}: one campaign's page: what it is, the send controls (start, pause,
// resume, cancel; each asked first), its progress followed every second while it sends
// (sent, failed, remaining, rate, time left in words), and its report once it has started.
// The editor is campaign_editor.js.
import { ApiError, api, query } from "./api.js";
import { campaignReport } from "./campaign_report.js";
import { missingText } from "./campaign_editor.js";
import { t } from "./i18n.js";
import {
  actionButton, confirmAction, el, link, messageOf, notify, number, pagedList, table, when,
} from "./ui.js";
import { randomId } from "../random-id.js";

const POLL_MS = 1000;
const PAGE = 50;
const FOLLOWED = new Set(["starting", "sending"]);

/** A key for one click: the same request sent again (a retry) acts once. */
const requestKey = () => randomId();

export const stateBadge = (state) => el("span", { class: `badge camp-state state-${state}`,
  dataset: { state }, text: t(`campState_${state}`) });

const channelText = (channel) => t(channel === "sms" ? "campChannelSms" : "channel_email");

// ---- the list -----------------------------------------------------------------------------

function campaignRow(item) {
  const cell = (label, ...content) => el("td", { dataset: { label } }, ...content);
  return el("tr", { dataset: { campaignId: item.id, state: item.state } },
    cell(t("campColumnName"), el("a", { href: `#/campaigns/${item.id}`, text: item.name })),
    cell(t("campColumnState"), stateBadge(item.state)),
    cell(t("campColumnChannel"), channelText(item.channel)),
    cell(t("campColumnCreated"), when(item.created_at)),
    cell(t("campColumnSent"), item.state === "draft" ? "—"
      : t("campSentOf", { sent: number(item.sent), of: number(item.recipients) })));
}

/** #/campaigns (admins). */
export async function campaignsView(root) {
  const { node, body } = table([t("campColumnName"), t("campColumnState"),
    t("campColumnChannel"), t("campColumnCreated"), t("campColumnSent")], "campaigns");
  const list = pagedList({
    container: body, emptyText: t("campNone"),
    fetchPage: (cursor) => api(`/campaigns${query({ before: cursor, limit: PAGE })}`),
    render: campaignRow,
  });
  root.append(
    el("header", { class: "view-head" }, el("h1", { text: t("navCampaigns") }),
      el("div", { class: "links" }, link("#/campaigns/new", t("campNew"), "button primary"))),
    el("p", { class: "hint", text: t("campListHint") }),
    el("section", { class: "panel" }, node, ...list.footer));
  await list.start();
}

// ---- progress -----------------------------------------------------------------------------

/** Seconds as people say a wait: "khoảng 5 phút", "khoảng 1 giờ 20 phút". */
export function durationText(seconds) {
  if (seconds === null || seconds === undefined) return null;
  if (seconds < 60) return t("campUnderMinute");
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t("campMinutes", { n: number(minutes) });
  return t("campHours", { h: number(Math.floor(minutes / 60)), m: number(minutes % 60) });
}

const fact = (label, value, name) => el("div", { class: "fact", dataset: { fact: name } },
  el("dt", { text: label }), el("dd", { text: value }));

/** Where the sending stands, as a bar and sentences. */
function progressLines(now) {
  const total = now.recipients;
  const done = Math.max(0, total - now.remaining);
  const lines = [t("campSentLine", { sent: number(now.sent), of: number(total) })];
  if (now.failed) lines.push(t("campFailedLine", { n: number(now.failed) }));
  if (now.unknown) lines.push(t("campUnknownLine", { n: number(now.unknown) }));
  if (FOLLOWED.has(now.state) || now.state === "paused") {
    lines.push(t("campRemainingLine", { n: number(now.remaining) }));
  }
  if (now.state === "sending" && now.rate_per_min) {
    lines.push(t("campRateLine", { n: number(Math.round(now.rate_per_min)) }));
    const left = durationText(now.eta_s);
    if (left && now.remaining) lines.push(t("campTimeLeft", { time: left }));
  }
  if (now.state === "paused") lines.push(t("campPausedLine"));
  if (now.finished_at) lines.push(t("campFinishedLine", { time: when(now.finished_at) }));
  const bar = el("progress", { max: Math.max(total, 1), value: done });
  const counts = el("dl", { class: "camp-counts" },
    fact(t("campHoldOut"), number(now.hold_out), "hold_out"),
    fact(t("campLeftOut"), number(now.left_out), "left_out"),
    fact(t("campUnsubscribed"), number(now.unsubscribed), "unsubscribed"));
  return [bar, el("div", { class: "send-lines" }, lines.map((text) => el("p", { text }))),
    counts];
}

/** The progress panel, following GET /campaigns/{id}/progress every second while it sends;
 * `onState(state)` when the state it reads is not the one the page shows. */
function progressPanel(campaign, context, onState) {
  const body = el("div", { class: "send-progress camp-progress", "aria-live": "polite" },
    el("p", { class: "hint", text: t("campProgressLoading") }));
  const problem = el("p", { class: "error", role: "alert" });
  let timer = null;
  let active = true;
  const poll = async () => {
    timer = null;
    let now;
    try {
      now = await api(`/campaigns/${campaign.id}/progress`);
      problem.textContent = "";
    } catch (error) {
      const absent = error instanceof ApiError && [404, 405].includes(error.status)
        && error.message === t("httpError", { status: error.status });
      problem.textContent = absent ? t("campProgressUnavailable") : messageOf(error);
      if (absent) body.replaceChildren();
      if (absent || !active) return;
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    if (!active) return;
    body.dataset.state = now.state;
    body.replaceChildren(...progressLines(now));
    if (now.state !== campaign.state) {
      onState(now.state);
      return;
    }
    if (FOLLOWED.has(now.state)) timer = setTimeout(poll, POLL_MS);
  };
  context.onLeave(() => {
    active = false;
    clearTimeout(timer);
  });
  return { node: el("section", { class: "panel camp-progress-panel" },
    el("h2", { text: t("campProgress") }), body, problem), start: poll };
}

// ---- the page -----------------------------------------------------------------------------

const segmentText = (segment) => {
  const rules = segment?.rules || [];
  return rules.length === 1 && rules[0].kind === "all" ? t("campSegmentAll")
    : t("campSegmentRules", { n: number(rules.length) });
};

function facts(campaign) {
  return el("dl", { class: "call-facts camp-facts" },
    fact(t("field_channel"), channelText(campaign.channel), "channel"),
    fact(t("campWho"), segmentText(campaign.segment), "segment"),
    fact(t("campCoupon"), campaign.coupon_benefit ? t("campCouponFor", {
      benefit: campaign.coupon_benefit, days: number(campaign.coupon_valid_days) })
      : t("campNoCoupon"), "coupon"),
    fact(t("field_hold_out_pct"), `${number(campaign.hold_out_pct)}%`, "hold_out_pct"),
    fact(t("field_return_days"), t("campDays", { n: number(campaign.return_days) }),
      "return_days"),
    fact(t("campColumnCreated"), when(campaign.created_at), "created"),
    campaign.started_at ? fact(t("campStarted"), when(campaign.started_at), "started") : null,
    campaign.finished_at ? fact(t("campFinished"), when(campaign.finished_at), "finished")
      : null);
}

function messageDetails(campaign) {
  const language = (code) => el("div", { class: "camp-message-shown", lang: code },
    el("h3", { text: t(`campTab_${code}`) }),
    el("p", { class: "subject", text: campaign[`subject_${code}`] || t("campNotWritten") }),
    el("pre", { class: "camp-text", text: campaign[`text_${code}`] || "" }));
  return el("details", { class: "panel camp-message-panel" },
    el("summary", { text: t("campMessage") }), language("vi"), language("en"));
}

/** The buttons the campaign's state allows, each asked first. */
function controls(campaign, again) {
  const act = (action, label, question, kind = "primary") => actionButton(label, async () => {
    if (!await confirmAction(question, label, kind)) return;
    await api(`/campaigns/${campaign.id}/${action}`, { method: "POST",
      body: { key: requestKey() } });
    notify(t(`campDone_${action}`));
    again();
  }, `${kind} camp-${action}`);
  const name = campaign.name;
  const start = act("start", t("campStart"), t("campStartQ", { name }));
  const pause = act("pause", t("campPause"), t("campPauseQ", { name }), "");
  const resume = act("resume", t("campResume"), t("campResumeQ", { name }));
  const cancel = act("cancel", t("campCancel"), t("campCancelQ", { name }), "danger");
  const remove = actionButton(t("campDelete"), async () => {
    if (!await confirmAction(t("campDeleteQ", { name }), t("campDelete"))) return;
    await api(`/campaigns/${campaign.id}`, { method: "DELETE" });
    notify(t("campDeleted"));
    location.hash = "#/campaigns";
  }, "danger camp-delete");
  if (campaign.state === "draft") {
    start.disabled = campaign.missing.length > 0;
    return [link(`#/campaigns/${campaign.id}/edit`, t("campEdit"), "button camp-edit"), start,
      remove];
  }
  if (campaign.state === "sending") return [pause, cancel];
  if (campaign.state === "paused") return [resume, cancel];
  if (campaign.state === "starting") return [cancel];
  return [];
}

/** #/campaigns/{id} (admins). */
export async function campaignPage(root, context, id) {
  const campaign = await api(`/campaigns/${id}`);
  const again = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const missing = campaign.state === "draft" ? missingText(campaign.missing) : null;
  const buttons = controls(campaign, again);
  root.append(...[
    el("header", { class: "view-head" },
      el("h1", {}, campaign.name, " ", stateBadge(campaign.state)),
      el("div", { class: "links" }, link("#/campaigns", t("back"), "button"))),
    el("p", { class: "hint camp-state-text", text: t(`campStateHint_${campaign.state}`) }),
    missing ? el("p", { class: "camp-missing", role: "note", text: missing }) : null,
    buttons.length ? el("p", { class: "card-actions camp-controls" }, buttons) : null,
    facts(campaign), messageDetails(campaign)].filter(Boolean));
  if (campaign.state === "draft") return;
  // The sending moved on (done, paused elsewhere): the page again, with its controls.
  const moved = async () => {
    const fresh = await api(`/campaigns/${id}`).catch(() => campaign);
    if (fresh.state !== campaign.state) again();
  };
  const progress = progressPanel(campaign, context, moved);
  root.append(progress.node, campaignReport(campaign));
  await progress.start();
}
