"""The outbox: writing messages in their cause's transaction, claiming, marking, listing.

A message is a row written in the same transaction as what caused it, so it exists
exactly when its cause was saved. Senders read due rows (`read_due`) and claim each one
right before sending it with one conditional UPDATE (`claim`: `pending` -> `sending`), so
no two senders, in one process or several, ever hold the same message, and a sender that
dies leaves at most the message in flight claimed.

A message left in `sending` (the process died between claiming and marking) is never
sent again on its own: the mail may have gone out, and a second copy is worse than a
question. Admins see it as `unknown` once it has been claimed for `UNKNOWN_AFTER`.
"""

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, insert, or_, select, update
from sqlmodel import Session, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Prepared, on_commit
from kiosk_server.core.types import utcnow
from kiosk_server.messaging.models import (
    Channel,
    DeliveryState,
    MessageStatus,
    OutboxImage,
    OutboxMessage,
    OutboxMessagePublic,
    Purpose,
)

# After the 1st..4th failed attempt, wait this long; the 5th failure is final.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
)
UNKNOWN_AFTER = timedelta(minutes=15)
MAX_PAGE = 200
_CID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LINE_BREAK = re.compile(r"[\r\n]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))

_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def add_waker(wake: Callable[[], None]) -> None:
    """Have `wake` called (from any thread) whenever a transaction with new mail commits."""
    with _wakers_lock:
        _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.discard(wake)


def wake_senders() -> None:
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()


def sends_mail(settings: Settings) -> bool:
    """Whether this server delivers e-mail (`KIOSK_SMTP_HOST` is set). Without a mail
    server, queued mail waits in the outbox, unsent, until one is set up."""
    return bool(settings.smtp_host)


def delivers(settings: Settings, channel: Channel) -> bool:
    """Whether this server delivers the channel's messages (else they wait, unsent)."""
    if channel is Channel.EMAIL:
        return sends_mail(settings)
    return bool(settings.webhook_url)


def enqueue_email(session: Session, *, to: str, subject: str, text: str, html: str = "",
                  images: dict[str, bytes] | None = None,
                  purpose: Purpose = Purpose.SERVICE) -> OutboxMessage:
    """Queue an e-mail in the caller's transaction; it is sent once that commits.

    `images`: PNG, JPEG or GIF bytes by content id, shown by `html` as
    `<img src="cid:{id}">`. Bad arguments are programming errors (ValueError).
    A message to a customer is queued through `customers.contact.send`, which asks
    first whether it may be sent; this is for addresses alone."""
    _check(NewMessage(Channel.EMAIL, to, subject, text, html, images))
    parts = [(cid, _image_type(cid, content)) for cid, content in (images or {}).items()]
    message = _queue(session, OutboxMessage(channel=Channel.EMAIL, purpose=purpose, to_address=to,
                                            subject=subject, body_text=text, body_html=html))
    assert message.id is not None
    for (cid, content_type), content in zip(parts, (images or {}).values(), strict=True):
        session.add(OutboxImage(message_id=message.id, cid=cid, content_type=content_type,
                                content=content))
    session.flush()
    return message


def enqueue_phone_message(session: Session, *, to: str, text: str, purpose: Purpose,
                          subject: str = "") -> OutboxMessage:
    """Queue a phone message (SMS or Zalo, by the shop's gateway) to an E.164 number."""
    _check(NewMessage(Channel.SMS, to, subject, text))
    return _queue(session, OutboxMessage(channel=Channel.SMS, purpose=purpose, to_address=to,
                                         subject=subject, body_text=text))


def _queue(session: Session, message: OutboxMessage) -> OutboxMessage:
    session.add(message)
    session.flush()
    on_commit(session, wake_senders)
    return message


def _image_type(cid: str, content: bytes) -> str:
    if not _CID.match(cid):
        raise ValueError(f"a content id is 1-64 letters, digits, '.', '_' or '-': {cid!r}")
    for magic, content_type in _IMAGE_TYPES:
        if content.startswith(magic):
            return content_type
    raise ValueError(f"image {cid!r} is not PNG, JPEG or GIF")


@dataclass(frozen=True)
class InlineImage:
    cid: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, detached from the session, ready to be sent."""

    id: int
    channel: Channel
    purpose: Purpose
    to_address: str
    subject: str
    body_text: str
    body_html: str
    images: tuple[InlineImage, ...]
    created_at: datetime
    unsubscribe_url: str = ""


def _outgoing(session: Session, rows: list[OutboxMessage]) -> list[Outgoing]:
    ids = [row.id for row in rows]
    images: dict[int, list[InlineImage]] = {}
    for image in session.scalars(select(OutboxImage)
                                 .where(col(OutboxImage.message_id).in_(ids))
                                 .order_by(col(OutboxImage.message_id), col(OutboxImage.cid))):
        images.setdefault(image.message_id, []).append(
            InlineImage(image.cid, image.content_type, image.content))
    return [Outgoing(id=row.id, channel=row.channel, purpose=row.purpose,
                     to_address=row.to_address, subject=row.subject,
                     body_text=row.body_text, body_html=row.body_html,
                     images=tuple(images.get(row.id, ())), created_at=row.created_at,
                     unsubscribe_url=row.unsubscribe_url)
            for row in rows if row.id is not None]


def read_due(session: Session, *, limit: int = 50, now: datetime | None = None,
        channels: Sequence[Channel] = tuple(Channel),
        among: ColumnElement[bool] | None = None) -> list[Outgoing]:
    """Up to `limit` due pending messages of these channels (and matching `among`, when
    given), read but not claimed: each is claimed with `claim` right before it is sent, so
    that at most the message in flight is left `sending` by a sender that dies."""
    query = (select(OutboxMessage)
             .where(col(OutboxMessage.status) == MessageStatus.PENDING,
                    col(OutboxMessage.next_attempt_at) <= (now or utcnow()),
                    col(OutboxMessage.channel).in_(list(channels)))
             .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
             .limit(limit))
    if among is not None:
        query = query.where(among)
    return _outgoing(session, list(session.scalars(query)))


# A sender's two statements per message, compiled once (they run once per message sent:
# through SQLAlchemy's per-execution machinery they cost more than the database's work).
_CLAIM = Prepared(update(OutboxMessage)
                  .where(col(OutboxMessage.id) == bindparam("message_id"),
                         col(OutboxMessage.status) == MessageStatus.PENDING,
                         col(OutboxMessage.next_attempt_at) <= bindparam("now"))
                  .values(status=MessageStatus.SENDING, claimed_at=bindparam("now"))
                  .returning(col(OutboxMessage.id)))
_SENT = Prepared(update(OutboxMessage)
                 .where(col(OutboxMessage.id) == bindparam("message_id"),
                        col(OutboxMessage.status) == MessageStatus.SENDING)
                 .values(status=MessageStatus.SENT, sent_at=bindparam("now"), last_error="",
                         attempts=OutboxMessage.attempts + 1))


def claim(session: Session, *, message_id: int, now: datetime | None = None) -> bool:
    """Take one message read by `read_due` (`pending` -> `sending`); False when it is no longer
    pending (sent by another sender, held, cancelled) or not due any more."""
    return bool(_CLAIM.rows(session, {"message_id": message_id, "now": now or utcnow()}))


@dataclass(frozen=True)
class NewMessage:
    """A message for `enqueue_many`: to an address already checked (`contact.may_send`)."""

    channel: Channel
    to: str
    subject: str
    text: str
    html: str = ""
    images: dict[str, bytes] | None = None
    unsubscribe_url: str = ""


def enqueue_many(session: Session, messages: Sequence[NewMessage], *, purpose: Purpose
                 ) -> list[int]:
    """Queue many messages in the caller's transaction in a few statements (a campaign's
    batch); their ids, in order. Checked as `enqueue_email` and `enqueue_phone_message`
    check."""
    if not messages:
        return []
    now = utcnow()
    rows = []
    for message in messages:
        _check(message)
        rows.append({"channel": message.channel, "purpose": purpose, "to_address": message.to,
                     "subject": message.subject, "body_text": message.text,
                     "body_html": message.html, "unsubscribe_url": message.unsubscribe_url,
                     "status": MessageStatus.PENDING,
                     "attempts": 0, "last_error": "", "created_at": now,
                     "next_attempt_at": now})
    ids: list[int] = list(session.scalars(
        insert(OutboxMessage).returning(col(OutboxMessage.id), sort_by_parameter_order=True),
        rows))
    images = [{"message_id": message_id, "cid": cid, "content_type": _image_type(cid, content),
               "content": content}
              for message_id, message in zip(ids, messages, strict=True)
              for cid, content in (message.images or {}).items()]
    if images:
        session.execute(insert(OutboxImage), images)
    on_commit(session, wake_senders)
    return ids


def _check(message: NewMessage) -> None:
    """What every queued message must be (bad arguments are programming errors)."""
    if _LINE_BREAK.search(message.to) or _LINE_BREAK.search(message.subject):
        raise ValueError("an address or subject may not contain line breaks")
    if message.channel is Channel.EMAIL:
        if "@" not in message.to:
            raise ValueError(f"not an e-mail address: {message.to!r}")
        if message.images and not message.html:
            raise ValueError("inline images need an HTML body")
    else:
        if not _E164.match(message.to):
            raise ValueError(f"not a phone number in E.164 form: {message.to!r}")
        if not message.text.strip():
            raise ValueError("a phone message needs a text")


def ids_in(message_ids: Select[Any]) -> ColumnElement[bool]:
    """A condition for `read_due`, `move` and `tally`: the messages whose ids `message_ids`
    (a SELECT of one column, a higher domain's) lists."""
    return col(OutboxMessage.id).in_(message_ids)


@dataclass(frozen=True)
class Tally:
    """How many of a set of messages stand where; `in_flight`: claimed since `stale`."""

    pending: int = 0
    held: int = 0
    in_flight: int = 0
    unknown: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    sent_recently: int = 0


def tally(session: Session, *, among: ColumnElement[bool], stale: datetime,
          recent: datetime) -> Tally:
    """Counts of the messages `among` selects by where they stand (a `sending` claimed
    before `stale` is unknown), and how many were sent since `recent`."""
    counts: dict[str, int] = {}
    stale_claim = (col(OutboxMessage.claimed_at) < stale).label("stale_claim")
    for status, old, number in session.execute(
            select(col(OutboxMessage.status), stale_claim, func.count())
            .where(among).group_by(col(OutboxMessage.status), stale_claim)):
        key = ("unknown" if old else "in_flight") if status is MessageStatus.SENDING \
            else status.value
        counts[key] = counts.get(key, 0) + int(number)
    recently = session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(among, col(OutboxMessage.status) == MessageStatus.SENT,
                                     col(OutboxMessage.sent_at) >= recent)) or 0
    return Tally(**counts, sent_recently=int(recently))


def move(session: Session, *, among: ColumnElement[bool], from_: Sequence[MessageStatus],
         to: MessageStatus) -> int:
    """Messages matching `among` in one of the statuses `from_` move to `to` (a campaign
    paused: pending -> held; resumed: held -> pending; cancelled: both -> cancelled); how
    many. A message being sent is never moved."""
    assert MessageStatus.SENDING not in from_
    moved = session.execute(update(OutboxMessage)
                            .where(among, col(OutboxMessage.status).in_(list(from_)))
                            .values(status=to)
                            .execution_options(synchronize_session=False))
    if to is MessageStatus.PENDING:
        on_commit(session, wake_senders)
    return int(getattr(moved, "rowcount", 0) or 0)


def cancel_marketing_to(session: Session, *, channel: Channel, address: str) -> int:
    """Withdraw the marketing messages not sent yet to this address on this channel (its
    owner withdrew their consent); how many."""
    return move(session, among=and_(col(OutboxMessage.channel) == channel,
                                    col(OutboxMessage.purpose) == Purpose.MARKETING,
                                    func.lower(col(OutboxMessage.to_address))
                                    == address.lower()),
                from_=(MessageStatus.PENDING, MessageStatus.HELD), to=MessageStatus.CANCELLED)


def fail_unreachable(session: Session, *, message_ids: Sequence[int], error: str,
                     now: datetime | None = None,
                     delays: Sequence[timedelta] = RETRY_DELAYS) -> None:
    """The channel could not be reached: each of these messages still pending has failed
    one attempt (tried again after its delay)."""
    now = now or utcnow()
    for message_id in message_ids:
        if claim(session, message_id=message_id, now=now):
            mark_failed(session, message_id=message_id, error=error, now=now, delays=delays)


def mark_sent(session: Session, *, message_id: int, now: datetime | None = None) -> None:
    """The server accepted the message (only a claimed one changes: a late answer never
    overwrites a later outcome)."""
    _SENT.rows(session, {"message_id": message_id, "now": now or utcnow()})


def mark_failed(session: Session, *, message_id: int, error: str, now: datetime | None = None,
                delays: Sequence[timedelta] = RETRY_DELAYS) -> MessageStatus:
    """A try failed: try again after the next delay, or give up once they are used up."""
    attempts = session.scalar(select(col(OutboxMessage.attempts))
                              .where(col(OutboxMessage.id) == message_id)) or 0
    if attempts >= len(delays):
        return mark_rejected(session, message_id=message_id, error=error)
    _finish_attempt(session, message_id, status=MessageStatus.PENDING, last_error=error[:1000],
                    next_attempt_at=(now or utcnow()) + delays[attempts])
    return MessageStatus.PENDING


def mark_rejected(session: Session, *, message_id: int, error: str) -> MessageStatus:
    """The server refused the message for good (a 5xx answer): never try again."""
    _finish_attempt(session, message_id, status=MessageStatus.FAILED, last_error=error[:1000])
    return MessageStatus.FAILED


def release(session: Session, *, message_ids: Sequence[int]) -> None:
    """Hand back claimed messages that were never tried (the connection failed first)."""
    session.execute(update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(message_ids),
                           col(OutboxMessage.status) == MessageStatus.SENDING)
                    .values(status=MessageStatus.PENDING)
                    .execution_options(synchronize_session=False))


def _finish_attempt(session: Session, message_id: int, **values: object) -> None:
    # Only a claimed message changes: a late answer never overwrites a later outcome.
    session.execute(update(OutboxMessage)
                    .where(col(OutboxMessage.id) == message_id,
                           col(OutboxMessage.status) == MessageStatus.SENDING)
                    .values(attempts=OutboxMessage.attempts + 1, **values)
                    .execution_options(synchronize_session=False))


def list_messages(session: Session, *, state: DeliveryState | None = None,
                  before: int | None = None, limit: int = 50, now: datetime | None = None
                  ) -> tuple[list[OutboxMessagePublic], int | None]:
    """A page of the outbox, newest first; optionally only messages in one state."""
    limit = max(1, min(limit, MAX_PAGE))
    stale = (now or utcnow()) - UNKNOWN_AFTER
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit + 1)
    if before is not None:
        query = query.where(col(OutboxMessage.id) < before)
    if state is DeliveryState.UNKNOWN:
        query = query.where(col(OutboxMessage.status) == MessageStatus.SENDING,
                            col(OutboxMessage.claimed_at) < stale)
    elif state is DeliveryState.SENDING:
        query = query.where(and_(col(OutboxMessage.status) == MessageStatus.SENDING,
                                 or_(col(OutboxMessage.claimed_at).is_(None),
                                     col(OutboxMessage.claimed_at) >= stale)))
    elif state is not None:
        query = query.where(col(OutboxMessage.status) == MessageStatus(state.value))
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [OutboxMessagePublic.model_validate(row, update={"state": _state(row, stale)})
             for row in rows]
    return items, (rows[-1].id if more else None)


def delivery_states(session: Session, *, message_ids: Sequence[int],
                    now: datetime | None = None) -> dict[int, DeliveryState]:
    """Where each of these messages stands, by id (a long `sending` is `unknown`)."""
    stale = (now or utcnow()) - UNKNOWN_AFTER
    states: dict[int, DeliveryState] = {}
    ids = list(message_ids)
    for start in range(0, len(ids), 500):
        for message_id, status, claimed_at in session.execute(
                select(col(OutboxMessage.id), col(OutboxMessage.status),
                       col(OutboxMessage.claimed_at))
                .where(col(OutboxMessage.id).in_(ids[start:start + 500]))):
            states[message_id] = _state_of(status, claimed_at, stale)
    return states


def _state(message: OutboxMessage, stale: datetime) -> DeliveryState:
    return _state_of(message.status, message.claimed_at, stale)


def _state_of(status: MessageStatus, claimed_at: datetime | None, stale: datetime
              ) -> DeliveryState:
    if status is MessageStatus.SENDING and claimed_at is not None and claimed_at < stale:
        return DeliveryState.UNKNOWN
    return DeliveryState(status.value)
