"""Where an event's invitations stand: each guest counted once, by their latest message's
delivery (read from the outbox), or not sent yet, reachable or not."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Customer
from kiosk_server.events.models import (
    InvitationSendRun,
    SendProgress,
    SentState,
    UnreachableGuest,
)
from kiosk_server.events.sending import active_guests, latest_deliveries, to_public
from kiosk_server.events.service import get_event
from kiosk_server.messaging.models import DeliveryState, Purpose

LISTED_UNREACHABLE = 50


def progress(session: Session, *, event_id: int) -> SendProgress:
    """Each active guest counted once: by their latest message's delivery, or not sent yet
    (reachable or not)."""
    get_event(session, event_id=event_id)
    guests = active_guests(session, event_id)
    latest = latest_deliveries(session, invitation_ids=[i for i, _ in guests])
    counts = dict.fromkeys(DeliveryState, 0)
    unsent: list[tuple[int, int]] = []
    for invitation_id, customer_id in guests:
        if invitation_id in latest:
            counts[latest[invitation_id][1]] += 1
        else:
            unsent.append((invitation_id, customer_id))
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
    return {invitation_id: SentState(send.created_at, state) for invitation_id, (send, state)
            in latest_deliveries(session, invitation_ids=invitation_ids).items()}
