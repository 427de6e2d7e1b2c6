"""Sending an event's invitations: each guest their invitation, by e-mail (the QR inline, a
link to their phone page) or by a phone message (the link), in short transactions.

Each guest's message is one row of `invitation_sends`, unique per (invitation, round) and
written in the transaction that queues the message: however many requests, retries or
processes work on one send, a guest gets one message per round. A guest's first message
is always round 1; each send is a round of its own for the messages it sends again (those
that failed, or all with `again`). One send runs per event at a time (a
partial unique index); a request while one runs follows it.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from badges import export, qr
from kiosk_server.audit.service import AuditLog
from kiosk_server.core.config import Settings
from kiosk_server.core.db import (
    Access,
    Database,
    id_of,
    insert_ignoring_conflicts,
    on_commit,
    table_of,
)
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.events.models import (
    Event,
    Invitation,
    InvitationSend,
    InvitationSendCreate,
    InvitationSendPublic,
    InvitationSendRun,
    InvitationStatus,
    SendTo,
)
from kiosk_server.events.service import get_event, when_text
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import Channel, DeliveryState, Purpose

BATCH = 200  # guests read and rendered at a time
WRITE_CHUNK = 50  # guests queued a transaction: the gates' check-ins wait for none long
QR_CID = "invitation-qr"


def _already_running() -> DomainError:
    return conflict("send_in_progress",
                    "Đang gửi thư mời của sự kiện này theo một yêu cầu khác; hãy đợi xong.",
                    "This event's invitations are being sent by another request; wait for it "
                    "to finish.")


def _running(session: Session, event_id: int) -> InvitationSendRun | None:
    return session.scalars(select(InvitationSendRun).where(
        col(InvitationSendRun.event_id) == event_id,
        col(InvitationSendRun.finished_at).is_(None))).first()


def _by_key(session: Session, event_id: int, key: str) -> InvitationSendRun | None:
    return session.scalars(select(InvitationSendRun).where(
        col(InvitationSendRun.event_id) == event_id,
        col(InvitationSendRun.request_key) == key)).first()


def latest_deliveries(session: Session, *, invitation_ids: Iterable[int]
                      ) -> dict[int, tuple[InvitationSend, DeliveryState]]:
    """Each of these invitations' latest message to its guest, and how far it got."""
    ids = list(invitation_ids)
    latest: dict[int, InvitationSend] = {}
    for start in range(0, len(ids), 500):
        for send in session.scalars(select(InvitationSend).where(
                col(InvitationSend.invitation_id).in_(ids[start:start + 500]),
                col(InvitationSend.message_id).is_not(None)).order_by(col(InvitationSend.round))):
            latest[send.invitation_id] = send
    states = messaging.delivery_states(session, message_ids=[
        send.message_id for send in latest.values() if send.message_id is not None])
    return {invitation_id: (send, states.get(send.message_id or 0, DeliveryState.FAILED))
            for invitation_id, send in latest.items()}


def active_guests(session: Session, event_id: int) -> list[tuple[int, int]]:
    """(invitation id, customer id) of the event's active invitations, in id order."""
    return [(invitation_id, customer_id) for invitation_id, customer_id in session.execute(
        select(col(Invitation.id), col(Invitation.customer_id))
        .where(col(Invitation.event_id) == event_id,
               col(Invitation.status) == InvitationStatus.ACTIVE).order_by(col(Invitation.id)))]


def _sent_guests(session: Session, event_id: int) -> int:
    """Active guests who were sent their invitation (a message that did not fail)."""
    latest = latest_deliveries(session, invitation_ids=[
        invitation_id for invitation_id, _ in active_guests(session, event_id)])
    return sum(state is not DeliveryState.FAILED for _, state in latest.values())


def start_send(session: Session, *, event_id: int, data: InvitationSendCreate, log: AuditLog,
               work: Callable[[int], None]) -> InvitationSendRun:
    """Send the event's invitations (recorded in the audit log; `work(run_id)` is called
    once this commits). The same `key` again, or a request like the send already running,
    gets that send, and acts no more (it carries it on if its process stopped)."""
    run, started = _send_for(session, event_id=event_id, data=data, staff_id=log.staff_id)
    if started:
        log.record("event.send_invitations", ("events", event_id), details=data)
    run_id = id_of(run)
    on_commit(session, lambda: work(run_id))
    return run


def _send_for(session: Session, *, event_id: int, data: InvitationSendCreate,
              staff_id: int | None) -> tuple[InvitationSendRun, bool]:
    get_event(session, event_id=event_id)
    if data.key and (earlier := _by_key(session, event_id, data.key)) is not None:
        return earlier, False
    again = data.to is SendTo.ALL and data.again
    if data.to is SendTo.ALL and not again and (sent := _sent_guests(session, event_id)):
        raise conflict("again_not_confirmed",
                       f"{sent} khách đã nhận thư mời; gửi lại cho họ cần được xác nhận.",
                       f"{sent} guests have already received their invitation; sending it "
                       f"to them again needs to be confirmed.", field="again")
    running = _running(session, event_id)
    if running is not None:
        if running.again != again:
            raise _already_running()
        return running, False
    last_round = session.scalar(select(func.max(col(InvitationSendRun.round)))
                                .where(col(InvitationSendRun.event_id) == event_id)) or 1
    run = InvitationSendRun(event_id=event_id, request_key=data.key or uuid.uuid4().hex,
                            send_to=data.to, again=again, round=last_round + 1,
                            staff_id=staff_id)
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        # Another request started one at the same moment: this one follows it.
        other = (_by_key(session, event_id, data.key) if data.key else None) or _running(
            session, event_id)
        if other is None or other.again != again:
            raise _already_running() from None
        return other, False
    return run, True


def to_public(run: InvitationSendRun) -> InvitationSendPublic:
    return InvitationSendPublic(
        id=id_of(run), event_id=run.event_id, to=run.send_to, again=run.again,
        queued=run.queued, unreachable=run.unreachable, created_at=run.created_at,
        finished_at=run.finished_at)


def unfinished(session: Session) -> list[int]:
    """The sends not finished (their process stopped half-way), to carry on."""
    return list(session.scalars(select(col(InvitationSendRun.id))
                                .where(col(InvitationSendRun.finished_at).is_(None))))


# --------------------------------------------------------------------------- the messages

@dataclass(frozen=True)
class InvitationMessage:
    """What one guest is sent."""

    subject: str
    text: str
    html: str
    sms: str


def invitation_link(settings: Settings, token: str) -> str:
    """The link to the guest's phone page (its last segment is the invitation's token)."""
    return token_link(settings.public_url, token, "i")


def compose(event: Event, *, name: str, link: str, settings: Settings) -> InvitationMessage:
    """The e-mail (Vietnamese, then English; the QR inline as `cid:invitation-qr`) and the
    phone message of a guest's invitation."""
    business = settings.business_name
    when_vi, when_en = (when_text(event, settings.zone, lang) for lang in ("vi", "en"))
    venue = f", {event.venue}" if event.venue else ""
    subject = f"Thư mời: {event.name} / Invitation: {event.name}"
    text = (f"Xin chào {name},\n\n{business} trân trọng mời bạn đến {event.name}: "
            f"{when_vi}{venue}.\nĐưa mã QR trong thư này ở cổng để vào. Mở thư mời trên điện "
            f"thoại: {link}\n\nHello {name},\n\n{business} invites you to {event.name}: "
            f"{when_en}{venue}.\nShow the QR code in this e-mail at the gate. Your invitation "
            f"on your phone: {link}\n")
    html = (f"<p>Xin chào {escape(name)},</p><p>{escape(business)} trân trọng mời bạn đến "
            f"<strong>{escape(event.name)}</strong>: {escape(when_vi)}{escape(venue)}.</p>"
            f"<p>Đưa mã QR này ở cổng để vào:</p>"
            f'<p><img src="cid:{QR_CID}" alt="QR" width="260" height="260"></p>'
            f'<p><a href="{escape(link)}">Mở thư mời trên điện thoại / Open it on your '
            f"phone</a></p><p>Hello {escape(name)}, {escape(business)} invites you to "
            f"<strong>{escape(event.name)}</strong>: {escape(when_en)}{escape(venue)}. "
            f"Show this QR code at the gate.</p>")
    sms = (f"{business}: thư mời {name} đến {event.name}, {when_vi}. Mở và đưa mã QR ở cổng: "
           f"{link}")
    return InvitationMessage(subject, text, html, sms)


def qr_png(token: str) -> bytes:
    return export.png_bytes(qr.qr_image(token, 8))


# --------------------------------------------------------------------------- one batch

@dataclass(frozen=True)
class _Planned:
    invitation_id: int
    customer_id: int
    round: int
    channel: Channel
    content: contact.Content


def _rounds_sent(session: Session, invitation_ids: list[int]) -> dict[int, set[int]]:
    sent: dict[int, set[int]] = {}
    for invitation_id, round_ in session.execute(
            select(col(InvitationSend.invitation_id), col(InvitationSend.round))
            .where(col(InvitationSend.invitation_id).in_(invitation_ids))):
        sent.setdefault(invitation_id, set()).add(round_)
    return sent


def _target_round(run: InvitationSendRun, rounds: set[int] | None,
                  latest: DeliveryState | None) -> int | None:
    """The round this guest's message would be, or None: they were sent it already. A
    guest's first is round 1 (whichever send gets there first); a message that failed is
    sent again by the next send, and every message by a send `again`, in its round."""
    if not rounds:
        return 1
    if run.round in rounds:
        return None
    return run.round if run.again or latest is DeliveryState.FAILED else None


def _plan(database: Database, run_id: int, settings: Settings, signer: TokenSigner
          ) -> tuple[InvitationSendRun, list[_Planned], int, int] | None:
    """The next batch: what to send to whom, how many cannot be reached, the last
    invitation id looked at. Read and rendered with no transaction writing."""
    with database.session(Access.READ) as session:
        run = session.get(InvitationSendRun, run_id)
        if run is None or run.finished_at is not None:
            return None
        event = get_event(session, event_id=run.event_id)
        batch = list(session.scalars(select(Invitation).where(
            col(Invitation.event_id) == run.event_id,
            col(Invitation.status) == InvitationStatus.ACTIVE,
            col(Invitation.id) > run.next_invitation_id).order_by(col(Invitation.id))
            .limit(BATCH)))
        people = customers.get_customers(session, customer_ids=[i.customer_id for i in batch])
        sent = _rounds_sent(session, [id_of(i) for i in batch])
        latest = latest_deliveries(session, invitation_ids=[id_of(i) for i in batch])
    planned: list[_Planned] = []
    unreachable = 0
    for invitation in batch:
        before = latest.get(id_of(invitation))
        round_ = _target_round(run, sent.get(id_of(invitation)), before and before[1])
        if round_ is None:
            continue
        customer = people[invitation.customer_id]
        permission = contact.best_channel(customer, purpose=Purpose.SERVICE)
        if not permission.allowed:
            unreachable += 1
            continue
        token = signer.sign(TokenKind.INVITATION, invitation.serial)
        message = compose(event, name=customer.full_name, link=invitation_link(settings, token),
                          settings=settings)
        content = (contact.Content(message.subject, message.text, message.html,
                                   {QR_CID: qr_png(token)})
                   if permission.channel is Channel.EMAIL else contact.Content("", message.sms))
        planned.append(_Planned(id_of(invitation), invitation.customer_id, round_,
                                permission.channel, content))
    last = id_of(batch[-1]) if batch else -1
    return run, planned, unreachable, last


def _queue(session: Session, run: InvitationSendRun, planned: list[_Planned]) -> int:
    """Claim each guest's (invitation, round) and queue their message; a claim another
    send made first, or a guest cancelled meanwhile, is skipped. Returns how many."""
    if not planned:
        return 0
    still_active = set(session.scalars(select(col(Invitation.id)).where(
        col(Invitation.id).in_([p.invitation_id for p in planned]),
        col(Invitation.status) == InvitationStatus.ACTIVE)))
    wanted = [item for item in planned if item.invitation_id in still_active]
    if not wanted:
        return 0
    now = utcnow()
    claim = insert_ignoring_conflicts(session, table_of(InvitationSend),
                                      col(InvitationSend.id), col(InvitationSend.invitation_id))
    # One statement for the batch; no row back for a claim another send made first.
    claimed = {invitation_id: send_id for send_id, invitation_id in session.execute(claim, [
        {"event_id": run.event_id, "invitation_id": item.invitation_id, "round": item.round,
         "run_id": run.id, "created_at": now} for item in wanted])}
    people = customers.get_customers(session, customer_ids=[p.customer_id for p in wanted])
    queued: list[dict] = []
    dropped: list[int] = []
    for item in wanted:
        if item.invitation_id not in claimed:
            continue
        answer = contact.send(session, people[item.customer_id], item.content,
                              purpose=Purpose.SERVICE, channel=item.channel)
        if answer.message_id is None:  # their address went meanwhile
            dropped.append(claimed[item.invitation_id])
        else:
            queued.append({"send_id": claimed[item.invitation_id],
                           "message_id": answer.message_id, "channel": item.channel})
    if dropped:
        session.execute(delete(InvitationSend).where(col(InvitationSend.id).in_(dropped)))
    if queued:
        session.execute(update(table_of(InvitationSend))
                        .where(col(InvitationSend.id) == bindparam("send_id"))
                        .values(message_id=bindparam("message_id"),
                                channel=bindparam("channel")), queued)
    return len(queued)


def send_next_batch(database: Database, run_id: int, settings: Settings,
                    signer: TokenSigner) -> bool:
    """Work one batch of the send (read and rendered first, then queued `WRITE_CHUNK`
    guests a transaction); False once the send is finished."""
    planned = _plan(database, run_id, settings, signer)
    if planned is None:
        return False
    run, items, unreachable, last = planned
    chunks = [items[start:start + WRITE_CHUNK] for start in range(0, len(items), WRITE_CHUNK)]
    for number, chunk in enumerate(chunks or [[]], start=1):
        with database.session(Access.WRITE) as session:
            current = session.get(InvitationSendRun, run_id)
            if current is None or current.finished_at is not None:
                return False
            if last < 0:
                current.finished_at = utcnow()
                session.add(current)
                return False
            queued = _queue(session, run, chunk)
            values: dict = {"queued": InvitationSendRun.queued + queued}
            if number == len(chunks or [[]]):  # the batch is done: the marker moves past it
                values |= {"next_invitation_id": last,
                           "unreachable": InvitationSendRun.unreachable + unreachable}
            # Another process working the same batch at the same moment claims nothing
            # twice; it only moves the same marker, once.
            session.execute(update(InvitationSendRun)
                            .where(col(InvitationSendRun.id) == run_id,
                                   col(InvitationSendRun.next_invitation_id) < last)
                            .values(**values))
    return True


# --------------------------------------------------------------------------- the phone page

@dataclass(frozen=True)
class PhoneInvitation:
    """What a guest's invitation page shows."""

    token: str
    guest_name: str
    event: Event


def phone_invitation(session: Session, *, code: str, signer: TokenSigner) -> PhoneInvitation:
    """The invitation a link's token names, if it is genuine and not cancelled; else 404."""
    serial = signer.serial_of(code, TokenKind.INVITATION)
    missing = not_found("thư mời", "Invitation", code="invitation_not_found")
    if serial is None:
        raise missing
    invitation = session.scalars(select(Invitation)
                                 .where(col(Invitation.serial) == serial)).first()
    if invitation is None or invitation.status is not InvitationStatus.ACTIVE:
        raise missing
    customer = customers.get_customer(session, customer_id=invitation.customer_id)
    return PhoneInvitation(signer.sign(TokenKind.INVITATION, invitation.serial),
                           customer.full_name, get_event(session, event_id=invitation.event_id))
