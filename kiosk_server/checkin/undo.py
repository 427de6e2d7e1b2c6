"""Undoing a check-in made by mistake (the wrong guest checked in by hand, a code scanned
for someone else).

The entry goes, and with it the visit it added to the customer's history: the guest
counts as not arrived again (unless the undone entry was a re-entry) and may check in
afresh. The scan that made it stays in the scan log, marked undone, by whom and when;
the undo is an update of the event's feed like a scan is, numbered in the same series,
so a monitor that reconnects replays it. Staff only: a kiosk never undoes.
"""

from functools import partial

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.checkin.feed import feed_channel, next_seq, undo_message
from kiosk_server.checkin.models import Checkin, CheckinUndone, Scan
from kiosk_server.core.db import id_of, on_commit
from kiosk_server.core.errors import conflict
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import VisitKind
from kiosk_server.events import service as events
from kiosk_server.live.hub import LocalHub


def undo_checkin(session: Session, *, event_id: int, customer_id: int, by: int | None,
                 hub: LocalHub | None = None) -> CheckinUndone:
    """Undo the guest's latest entry at the event (409 `not_checked_in` if there is none)."""
    events.get_event(session, event_id=event_id)
    customers.guest(session, customer_id=customer_id)
    # The feed row first, as a scan takes it: undos and scans of the event queue there.
    seq = next_seq(session, event_id=event_id)
    entry = session.scalars(
        select(Checkin).where(col(Checkin.event_id) == event_id,
                              col(Checkin.customer_id) == customer_id)
        .order_by(col(Checkin.entry_number).desc()).limit(1)
    ).first()
    if entry is None:
        raise conflict("not_checked_in", "Khách này chưa check-in ở sự kiện này.",
                       "This guest has not checked in at this event.")
    scan = session.scalars(select(Scan).where(col(Scan.checkin_id) == entry.id)).one()
    now = utcnow()
    scan.undone_at, scan.undone_by, scan.undo_seq, scan.checkin_id = now, by, seq, None
    session.add(scan)
    session.flush()  # the log lets go of the entry before the entry goes
    customers.remove_visit(session, kind=VisitKind.EVENT, source_id=id_of(entry), hub=hub)
    undone = CheckinUndone(
        event_id=event_id, customer_id=customer_id, scan_id=id_of(scan), seq=seq,
        entry_number=entry.entry_number, checked_in_at=entry.checked_in_at, gate=entry.gate,
        undone_at=now, still_arrived=entry.entry_number > 1,
    )
    session.delete(entry)
    if hub is not None:
        message = undo_message(event_id=event_id, seq=seq, undone_at=now, staff_id=by,
                               scan_seq=scan.seq, gate=scan.gate, answer=scan.result)
        on_commit(session, partial(hub.publish, feed_channel(event_id), message))
    return undone
