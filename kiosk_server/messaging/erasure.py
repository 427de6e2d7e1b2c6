"""The messages sent to a person's addresses: listed in their export, and forgotten when
their data is erased (messages not yet sent are cancelled; none keeps who it went to)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from kiosk_server.core.types import utcnow
from kiosk_server.messaging.models import MessageStatus, OutboxImage, OutboxMessage
from kiosk_server.messaging.service import UNKNOWN_AFTER, _state


def _to(addresses: Sequence[str]) -> Any:
    return func.lower(col(OutboxMessage.to_address)).in_([a.lower() for a in addresses])


def export_rows(session: Session, *, addresses: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The messages sent (or waiting to be sent) to these addresses: subject, channel, why,
    when, and where their delivery stands (a person's export)."""
    if not addresses:
        return {"messages": []}
    stale = utcnow() - UNKNOWN_AFTER
    rows = session.scalars(select(OutboxMessage).where(_to(addresses))
                           .order_by(col(OutboxMessage.id)))
    return {"messages": [
        {"id": row.id, "created_at": row.created_at, "channel": row.channel.value,
         "purpose": row.purpose.value, "to": row.to_address, "subject": row.subject,
         "state": _state(row, stale).value, "sent_at": row.sent_at}
        for row in rows]}


def forget(session: Session, *, addresses: Sequence[str]) -> None:
    """Erasure: messages to these addresses not yet sent (pending, or held by a paused
    campaign) are cancelled; every message to
    them keeps its channel, state and times but no address, subject, text or image."""
    if not addresses:
        return
    session.execute(update(OutboxMessage)
                    .where(_to(addresses), col(OutboxMessage.status).in_(
                        [MessageStatus.PENDING, MessageStatus.HELD]))
                    .values(status=MessageStatus.CANCELLED)
                    .execution_options(synchronize_session=False))
    ids = select(col(OutboxMessage.id)).where(_to(addresses))
    session.execute(delete(OutboxImage).where(col(OutboxImage.message_id).in_(ids))
                    .execution_options(synchronize_session=False))
    session.execute(update(OutboxMessage).where(_to(addresses))
                    .values(to_address="", subject="", body_text="", body_html="")
                    .execution_options(synchronize_session=False))
