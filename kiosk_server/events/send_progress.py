"""Where an event's invitations stand: each guest counted once, by their latest message's
delivery (read from the outbox), or not sent yet, reachable or not."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Customer
from kiosk_server.events.models import (
    Invitation,
    InvitationSend,
    InvitationSendRun,
    InvitationStatus,
    SendProgress,
    SentState,
    UnreachableGuest,
)
from kiosk_server.events.sending import to_public
from kiosk_server.events.service import get_event
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import DeliveryState, Purpose

LISTED_UNREACHABLE = 50


def _latest_sends(session: Session, event_id: int) -> dict[int, InvitationSend]:
    latest: dict[int, InvitationSend] = {}
    for send in session.scalars(select(InvitationSend)
                                .where(col(InvitationSend.event_id) == event_id)
                                .order_by(col(InvitationSend.round))):
        latest[send.invitation_id] = send
    return latest


def progress(session: Session, *, event_id: int) -> SendProgress:
    """Each active guest counted once: by their latest message's delivery, or not sent yet
    (reachable or not)."""
    get_event(session, event_id=event_id)
    guests = list(session.execute(select(col(Invitation.id), col(Invitation.customer_id))
                                  .where(col(Invitation.event_id) == event_id,
                                         col(Invitation.status) == InvitationStatus.ACTIVE)
                                  .order_by(col(Invitation.id))))
    latest = _latest_sends(session, event_id)
    states = messaging.delivery_states(session, message_ids=[
        send.message_id for send in latest.values() if send.message_id is not None])
    counts = dict.fromkeys(DeliveryState, 0)
    unsent: list[tuple[int, int]] = []
    for invitation_id, customer_id in guests:
        send = latest.get(invitation_id)
        if send is None or send.message_id is None:
            unsent.append((invitation_id, customer_id))
        else:
            counts[states.get(send.message_id, DeliveryState.FAILED)] += 1
    unreachable = _unreachable(session, unsent)
    run = session.scalars(select(InvitationSendRun)
                          .where(col(InvitationSendRun.event_id) == event_id)
                          .order_by(col(InvitationSendRun.id).desc())).first()
    return SendProgress(
        event_id=event_id, guests=len(guests),
        queued=counts[DeliveryState.PENDING] + counts[DeliveryState.SENDING],
        sent=counts[DeliveryState.SENT], failed=counts[DeliveryState.FAILED],
        unknown=counts[DeliveryState.UNKNOWN], unreachable=len(unreachable),
        not_sent=len(unsent) - len(unreachable),
        unreachable_guests=unreachable[:LISTED_UNREACHABLE],
        latest=to_public(run) if run is not None else None)


def _unreachable(session: Session, unsent: list[tuple[int, int]]) -> list[UnreachableGuest]:
    people: dict[int, Customer] = {}
    for start in range(0, len(unsent), 500):
        people |= customers.get_customers(
            session, customer_ids=[customer_id for _, customer_id in unsent[start:start + 500]])
    return [UnreachableGuest(invitation_id=invitation_id, customer_id=customer_id,
                             name=people[customer_id].full_name)
            for invitation_id, customer_id in unsent
            if not contact.best_channel(people[customer_id], purpose=Purpose.SERVICE).allowed]


def sent_states(session: Session, *, invitation_ids: Iterable[int]) -> dict[int, SentState]:
    """When each of these invitations was last queued to its guest, and how far it got."""
    ids = list(invitation_ids)
    if not ids:
        return {}
    latest: dict[int, InvitationSend] = {}
    for send in session.scalars(select(InvitationSend)
                                .where(col(InvitationSend.invitation_id).in_(ids),
                                       col(InvitationSend.message_id).is_not(None))
                                .order_by(col(InvitationSend.round))):
        latest[send.invitation_id] = send
    states = messaging.delivery_states(session, message_ids=[
        send.message_id for send in latest.values() if send.message_id is not None])
    return {invitation_id: SentState(send.created_at,
                                     states.get(send.message_id or 0, DeliveryState.FAILED))
            for invitation_id, send in latest.items()}
