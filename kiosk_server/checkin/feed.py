"""An event's live feed: numbered updates, one per scan and one per check-in undone.

Every update takes the event's next number (`next_seq`) inside the transaction that
records it, so numbers follow commit order (see `EventFeed`): a monitor that has seen
update N asks for what came after N and misses nothing. A scan's update carries its
scan log row's `seq`; an undo's, the same row's `undo_seq`.
"""

import json
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlmodel import col

from kiosk_server.checkin.models import EventFeed, Scan, ScanStatus
from kiosk_server.core.db import Executor, Prepared, dialect_insert
from kiosk_server.live.channels import event_channel

FEED_PAGE = 500

# The event's next update number; the feed row stays locked until the commit, so
# numbers follow commit order (see EventFeed).
_NEXT_SEQ = Prepared(lambda dialect: dialect_insert(dialect, EventFeed)
                     .values(event_id=bindparam("event_id"), last_seq=1)
                     .on_conflict_do_update(index_elements=[EventFeed.event_id],
                                            set_={"last_seq": EventFeed.last_seq + 1})
                     .returning(EventFeed.last_seq))


def next_seq(db: Executor, *, event_id: int) -> int:
    """The event's next update number, its feed row locked until the transaction ends."""
    return _NEXT_SEQ.scalar(db, {"event_id": event_id})


_LAST_SEQ = Prepared(select(col(EventFeed.last_seq)).where(
    col(EventFeed.event_id) == bindparam("event_id")))


def last_seq(db: Executor, *, event_id: int) -> int:
    """The number of the event's latest update (0: none yet)."""
    return _LAST_SEQ.scalar(db, {"event_id": event_id}) or 0


def feed_channel(event_id: int) -> str:
    return event_channel(event_id)


class OfflineFields(NamedTuple):
    """How a scan judged offline by a kiosk is marked: what the kiosk showed (None: the
    scan was judged online), when it reached the server, and whether it was a duplicate
    admission (`conflict`)."""

    status: ScanStatus | None = None
    received_at: datetime | None = None
    conflict: bool = False


ONLINE = OfflineFields()


def feed_message(*, event_id: int, seq: int, scanned_at: datetime, gate: str,
                 status: ScanStatus, device_id: int | None, staff_id: int | None,
                 manual: bool, answer: str, offline: OfflineFields = ONLINE) -> dict:
    """One update of an event's live feed: a scan and the answer it got (as logged, JSON);
    `walk_in`: the guest is a walk-in (invited at the gate or on the event's poster);
    `offline`: a kiosk judged it offline (`offline_status`: what it showed), uploaded at
    `received_at`; `conflict`: it let in a guest already checked in."""
    result = json.loads(answer)
    return {
        "type": "scan", "event_id": event_id, "seq": seq,
        "scanned_at": scanned_at.isoformat(), "gate": gate, "status": str(status),
        "device_id": device_id, "staff_id": staff_id, "manual": manual,
        "walk_in": bool(result.get("walk_in")), "result": result,
        "offline": offline.status is not None,
        "offline_status": str(offline.status) if offline.status is not None else None,
        "received_at": offline.received_at.isoformat() if offline.received_at else None,
        "conflict": offline.conflict,
    }


def undo_message(*, event_id: int, seq: int, undone_at: datetime, staff_id: int | None,
                 scan_seq: int, gate: str, answer: str) -> dict:
    """The update saying staff undid the check-in of the scan numbered `scan_seq` (whose
    answer, as logged, says who and which entry): that entry no longer counts, and unless
    it was a re-entry the guest has not arrived."""
    result = json.loads(answer)
    return {
        "type": "undo", "event_id": event_id, "seq": seq, "status": "undone",
        "undone_at": undone_at.isoformat(), "staff_id": staff_id, "scan_seq": scan_seq,
        "gate": gate, "still_arrived": (result.get("entry_number") or 1) > 1,
        "result": result,
    }


_SCANS_AFTER = Prepared(
    select(col(Scan.seq), col(Scan.scanned_at), col(Scan.gate), col(Scan.status),
           col(Scan.device_id), col(Scan.staff_id), col(Scan.manual), col(Scan.result),
           col(Scan.offline_status), col(Scan.received_at), col(Scan.conflict))
    .where(col(Scan.event_id) == bindparam("event_id"), col(Scan.seq) > bindparam("after"))
    .order_by(col(Scan.seq)).limit(bindparam("limit"))
)
_UNDOS_AFTER = Prepared(
    select(col(Scan.undo_seq), col(Scan.undone_at), col(Scan.undone_by), col(Scan.seq),
           col(Scan.gate), col(Scan.result))
    .where(col(Scan.event_id) == bindparam("event_id"), col(Scan.undo_seq) > bindparam("after"))
    .order_by(col(Scan.undo_seq)).limit(bindparam("limit"))
)


def feed_after(db: Executor, *, event_id: int, after: int, limit: int = FEED_PAGE) -> list[dict]:
    """The event's updates numbered after `after`, in order (at most `limit`)."""
    values = {"event_id": event_id, "after": after, "limit": limit}
    updates = [
        feed_message(event_id=event_id, seq=seq, scanned_at=at, gate=gate, status=status,
                     device_id=device_id, staff_id=staff_id, manual=manual, answer=answer,
                     offline=OfflineFields(shown, received_at, bool(conflict)))
        for (seq, at, gate, status, device_id, staff_id, manual, answer, shown, received_at,
             conflict) in _SCANS_AFTER.rows(db, values)
    ] + [
        undo_message(event_id=event_id, seq=seq, undone_at=at, staff_id=staff_id,
                     scan_seq=scan_seq, gate=gate, answer=answer)
        for seq, at, staff_id, scan_seq, gate, answer in _UNDOS_AFTER.rows(db, values)
    ]
    return sorted(updates, key=lambda update: update["seq"])[:limit]
