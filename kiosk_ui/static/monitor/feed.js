// The event's feed on the monitor: the stream of scans and the alerts (codes refused,
// duplicates with the first check-in, VIPs arriving, check-ins undone, guests who rated
// their visit low, a guest let in twice by kiosks offline), each in words. A scan a kiosk
// judged offline shows its own time and says so. Updates are numbered; one already shown is
// never shown twice. A low rating is an alert of its own, not numbered: it is shown as it
// comes.
import { alertSentence } from "../admin/complaints.js";
import { t } from "../admin/i18n.js";
import { el, timeOfDay } from "../admin/ui.js";
import { gateName, gatePhrase } from "../admin/gates.js";

const STREAM_SIZE = 50;
const ALERTS_SIZE = 100;
const KEPT = 300; // updates kept to draw the lists again (in another language)
const KIND = { ok: "ok", already_checked_in: "warn", undone: "warn" };

const $ = (id) => document.getElementById(id);

/** A guest's name that opens them in the guest panel. */
export const guestLink = (customerId, name) => el("button", { type: "button",
  class: "who guest-link", text: name, dataset: { openGuest: customerId } });

/** A guest let in by a kiosk offline who was in already: both admissions, gates and times
 * (the first as the server recorded it, the second as the kiosk scanned it). */
const conflictSentence = (update) => t("alert_conflict", {
  name: update.result.customer?.name || t("aGuest"),
  firstGate: gatePhrase(update.result.gate),
  firstTime: timeOfDay(update.result.first_checked_in_at, false),
  gate: gatePhrase(update.gate), time: timeOfDay(update.scanned_at, false) });

/** What an alert says about an update, or null when the update is no alert. */
function alertDetail(update) {
  const result = update.result;
  if (update.type === "undo") {
    return t("alert_undone", { time: timeOfDay(result.checked_in_at) });
  }
  if (update.conflict) return conflictSentence(update);
  // A kiosk offline that said otherwise than the server (let in a guest the server refuses,
  // or turned away one it accepts) is an alert too.
  const said = update.offline && update.offline_status !== update.status
    ? t("alert_offline_said", { said: t(`scan_${update.offline_status}`, {},
      update.offline_status) }) : null;
  const detail = (text) => [text, said].filter(Boolean).join(" ") || null;
  if (update.status === "ok") return detail(result.customer?.vip ? t("alert_vip") : null);
  if (update.status === "already_checked_in") {
    return detail(t("alert_already_checked_in", { time: timeOfDay(result.first_checked_in_at),
      gate: gatePhrase(result.gate) }));
  }
  return detail(t(`alert_${update.status}`, {}, result.message));
}

/** The tag of a scan a kiosk judged offline: the line's time is the scan's own; when it
 * reached the server is on the tag. */
const offlineTag = (update) => el("span", { class: "tag offline-tag", text: t("offlineTag"),
  title: t("offlineReceived", { time: timeOfDay(update.received_at) }) });

function prependCapped(list, item, size) {
  list.prepend(item);
  while (list.children.length > size) list.lastChild.remove();
}

/**
 * The stream and the alerts of the monitor's `state` (lastSeq, seqs). `arrived(customerId,
 * at, gate)` and `undone(customerId)` hear of guests arriving and of check-ins undone.
 */
export function eventFeed(state, { arrived, undone }) {
  const kept = [];
  const undoneScans = new Set(); // seqs of the scans whose check-in was undone

  function line(update, detail) {
    const customer = update.result?.customer;
    const undo = update.type === "undo";
    const status = update.conflict ? "conflict" : update.status;
    const item = el("li", { class: KIND[status] || "bad",
      dataset: customer ? { seq: update.seq, openGuest: customer.id } : { seq: update.seq } },
    el("span", { class: "time", text: timeOfDay(undo ? update.undone_at : update.scanned_at) }),
    el("span", { class: "status", text: t(`scan_${status}`, {}, status) }),
    customer ? guestLink(customer.id, customer.name)
      : el("span", { class: "who", text: t("unknownCode") }),
    el("span", { class: "gate", text: gateName(update.gate) }),
    update.manual ? el("span", { class: "tag", text: t("manual") }) : null,
    update.walk_in ? el("span", { class: "tag walk-in", text: t("walkIn") }) : null,
    update.offline ? offlineTag(update) : null,
    detail ? el("span", { class: "detail", text: detail }) : null);
    item.classList.toggle("vip", Boolean(customer?.vip) && !undo);
    if (undoneScans.has(update.seq)) markUndone(item);
    return item;
  }

  const markUndone = (item) => {
    item.classList.add("undone");
    item.querySelector(".status").after(el("span", { class: "tag undone-tag",
      text: t("undoneBy") }));
  };

  /** A guest rated their visit low (the feedback page): a line of the alerts only. */
  const lowRating = (alert) => el("li", { class: "bad low-rating",
    dataset: { openGuest: alert.customer_id } },
  el("span", { class: "time", text: timeOfDay(alert.at) }),
  el("span", { class: "status", text: t("scan_low_rating") }),
  guestLink(alert.customer_id, alert.customer_name || t("unknownCode")),
  el("span", { class: "detail", text: alertSentence(alert) }),
  alert.comment ? el("q", { class: "detail", text: alert.comment }) : null);

  function show(update) {
    if (update.type === "feedback_alert") {
      prependCapped($("alert-list"), lowRating(update), ALERTS_SIZE);
      return;
    }
    prependCapped($("scan-list"), line(update), STREAM_SIZE);
    const detail = alertDetail(update);
    if (detail !== null) prependCapped($("alert-list"), line(update, detail), ALERTS_SIZE);
  }

  function receive(update) {
    if (update.type !== "feedback_alert") {
      if (update.seq <= state.lastSeq) return; // already shown
      state.lastSeq = update.seq;
      state.seqs.push(update.seq);
    }
    kept.push(update);
    if (kept.length > KEPT) kept.shift();
    const customer = update.result?.customer;
    if (update.type === "undo") {
      undoneScans.add(update.scan_seq);
      for (const item of document.querySelectorAll(`li[data-seq="${update.scan_seq}"]`)) {
        markUndone(item);
      }
      if (customer && !update.still_arrived) undone(customer.id);
    } else if (update.status === "ok" && customer) {
      arrived(customer.id, update.result.checked_in_at || update.scanned_at,
        update.result.gate ?? update.gate);
    }
    show(update);
  }

  /** Both lists drawn again from what was kept (the language changed). */
  function render() {
    $("scan-list").replaceChildren();
    $("alert-list").replaceChildren();
    kept.forEach(show);
  }

  return { receive, render };
}
