// Sending an event's invitations (the event page's "Send invitations" panel): to the guests
// not sent theirs yet, or to all (asking first whether to send again to those who have it);
// the server queues them in the background (POST /events/{id}/invitation-sends), and the
// panel follows GET .../invitation-sends/progress every second until the outbox is done.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { actionButton, confirmAction, el, messageOf, notify, number, when } from "./ui.js";

const POLL_MS = 1000;

/** A key for one click: the same request sent again (a retry) acts once. */
const requestKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
  (byte) => byte.toString(16).padStart(2, "0")).join("");

/** `key`'s words for `n` things (its `_one` form for one). */
const counted = (key, n, values = {}) => (n === 1 ? t(`${key}_one`, values, null) : null)
  ?? t(key, { ...values, n: number(n) });

const reachable = (now) => now.guests - now.unreachable;
// "Not sent yet" takes in those whose message failed: the next send tries them again.
const unsent = (now) => now.not_sent + now.failed;
const alreadySent = (now) => now.sent + now.queued + now.unknown;
const working = (now) => Boolean(now.latest && !now.latest.finished_at) || now.queued > 0;

/** Where the invitations stand, as sentences. */
function sentences(now) {
  if (now.guests === 0) return [t("sendNoGuests")];
  const lines = [];
  if (now.sent > 0 && now.sent === reachable(now)) {
    lines.push(counted("sendAllSent", now.sent));
  } else {
    lines.push(t("sendSentOf", { n: number(now.sent), of: number(reachable(now)) }));
  }
  if (now.queued) lines.push(counted("sendQueued", now.queued));
  if (now.not_sent) lines.push(counted("sendNotSent", now.not_sent));
  if (now.failed) lines.push(counted("sendFailed", now.failed));
  if (now.unknown) lines.push(counted("sendUnknown", now.unknown));
  return lines;
}

/** The guests who cannot be reached, named (the server lists the first 50). */
function unreachableList(now) {
  if (!now.unreachable) return [];
  const names = now.unreachable_guests.map((guest) => guest.name).join(", ");
  const more = now.unreachable - now.unreachable_guests.length;
  return [el("p", { class: "warning unreachable", text: counted("sendUnreachable",
    now.unreachable, { names: more > 0 ? `${names}, …` : names }) })];
}

/** The event page's panel; `start()` reads where things stand (and follows a send that is
 * still going, e.g. after the page was reloaded). `onSent()` runs when a send is done. */
export function sendingPanel(event, context, onSent) {
  const choice = el("fieldset", { class: "send-choice" }, el("legend", { text: t("sendTo") }),
    ...["unsent", "all"].map((to) => el("label", {}, el("input", { type: "radio",
      name: `send-to-${event.id}`, value: to, checked: to === "unsent" }),
    el("span", { text: t(`sendTo_${to}`) }))));
  const bar = el("progress", { max: 1, value: 0 });
  const lines = el("div", { class: "send-lines" });
  const problem = el("p", { class: "error", role: "alert" });
  const progress = el("div", { class: "send-progress", "aria-live": "polite", hidden: true },
    bar, lines);
  let timer = null;
  let last = null;
  let following = false;

  const show = (now) => {
    last = now;
    bar.max = Math.max(reachable(now), 1);
    bar.value = now.sent;
    progress.dataset.state = working(now) ? "sending" : "done";
    lines.replaceChildren(...sentences(now).map((text) => el("p", { text })),
      ...unreachableList(now));
    progress.hidden = false;
  };
  const poll = async () => {
    timer = null;
    try {
      show(await api(`/events/${event.id}/invitation-sends/progress`));
      problem.textContent = "";
    } catch (error) {
      problem.textContent = messageOf(error);
    }
    if (!following) return;
    if (last && !working(last)) {
      following = false;
      onSent();
      return;
    }
    timer = setTimeout(poll, POLL_MS);
  };
  const follow = () => {
    clearTimeout(timer);
    following = true;
    timer = setTimeout(poll, POLL_MS / 4);
  };
  context.onLeave(() => {
    following = false;
    clearTimeout(timer);
  });

  const send = actionButton(t("sendInvitations"), async () => {
    const now = await api(`/events/${event.id}/invitation-sends/progress`);
    show(now);
    const to = choice.querySelector("input:checked").value;
    const body = { to, key: requestKey() };
    if (to === "unsent") {
      if (!unsent(now)) {
        notify(t("sendNobodyLeft"));
        return;
      }
      if (!await confirmAction(counted("sendUnsentQ", unsent(now)),
        t("sendInvitations"), "primary")) return;
    } else if (alreadySent(now) > 0) {
      if (!await confirmAction(counted("sendAgainQ", alreadySent(now),
        { all: number(reachable(now)) }), t("sendAgain"), "primary")) return;
      body.again = true;
    } else if (!await confirmAction(counted("sendUnsentQ", reachable(now)),
      t("sendInvitations"), "primary")) return;
    await api(`/events/${event.id}/invitation-sends`, { method: "POST", body });
    notify(t("sendStarted"));
    follow();
  }, "primary");

  const panel = el("section", { class: "panel sending" }, el("h2", { text: t("sendTitle") }),
    el("p", { class: "hint", text: t("sendHint") }), choice, el("p", {}, send), progress,
    problem);
  return {
    panel,
    async start() {
      await poll();
      if (last && working(last)) follow();
    },
  };
}

/** A guest's invitation, as the guest list says it. */
export function sentText(guest) {
  if (!guest.invitation_delivery) return t("inviteNotSent");
  return t(`inviteDelivery_${guest.invitation_delivery}`,
    { time: when(guest.invitation_sent_at) });
}
