// #/messages (admins; the server answers 403 to anyone else): the outbox (e-mail and
// SMS/Zalo), newest first, a page at a time, optionally of one delivery state: by which
// channel and why, to whom, what, where its delivery stands, the attempts and the last error.
import { api, query } from "./api.js";
import { t } from "./i18n.js";
import { el, pagedList, row, select, table, when } from "./ui.js";

const PAGE_SIZE = 50;
const STATES = ["pending", "held", "sending", "sent", "failed", "unknown", "cancelled"];
const STATE_CLASS = { sent: "ok", failed: "error", unknown: "error" };

/** When it was written, and the moment that matters for its state. */
function times(message) {
  const next = {
    sent: message.sent_at && t("mailSentAt", { time: when(message.sent_at) }),
    pending: t("mailNextAttempt", { time: when(message.next_attempt_at) }),
    sending: message.claimed_at && t("mailClaimed", { time: when(message.claimed_at) }),
    unknown: message.claimed_at && t("mailClaimed", { time: when(message.claimed_at) }),
  }[message.state];
  return el("span", {}, t("mailCreated", { time: when(message.created_at) }),
    next ? el("small", { class: "hint", text: ` · ${next}` }) : null);
}

const headings = () => [t("channelColumn"), t("recipient"), t("subject"), t("status"),
  t("attempts"), t("lastError"), t("when")];

function messageRow(message) {
  const state = el("span", { class: STATE_CLASS[message.state], text: t(`mail_${message.state}`),
    title: { unknown: t("mailUnknownHint"), cancelled: t("mailCancelledHint") }[message.state]
      ?? null });
  const kind = el("span", { class: "channel", text: t(`channel_${message.channel}`) },
    el("small", { class: "hint", text: ` · ${t(`purpose_${message.purpose}`)}` }));
  // A message to a customer whose data was erased keeps no address and no subject.
  const line = row(kind, message.to_address || "—", message.subject || "—", state,
    String(message.attempts), message.last_error || "—", times(message));
  line.dataset.messageId = message.id;
  line.dataset.state = message.state;
  line.dataset.channel = message.channel;
  // On a phone each row is a card, each value under its column's name.
  [...line.children].forEach((cell, index) => { cell.dataset.label = headings()[index]; });
  return line;
}

export async function messagesView(root) {
  const filter = select([["", t("allStates")], ...STATES.map((state) => [state,
    t(`mail_${state}`)])], "");
  filter.setAttribute("aria-label", t("filterByState"));
  const { node, body } = table(headings(), "messages");
  const list = pagedList({
    container: body, emptyText: t("noMessages"),
    fetchPage: (before) => api(`/messages${query({ state: filter.value, before,
      limit: PAGE_SIZE })}`),
    render: messageRow,
  });
  filter.addEventListener("change", () => list.reload());
  root.append(el("h1", { text: t("navMessages") }), el("p", { class: "hint", text: t("mailHint") }),
    el("section", { class: "panel" }, el("div", { class: "toolbar" }, filter), node,
      ...list.footer));
  await list.start();
}
