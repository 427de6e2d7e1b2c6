"""A customer's check-ins in their export, and their name taken out of the scan log when
their data is erased (the entries stay: they count in the events' figures)."""

from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.checkin.models import Checkin, Scan, ScanResult


def export_rows(session: Session, *, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """The customer's entries at events (their export)."""
    fields = ("id", "event_id", "entry_number", "gate", "checked_in_at")
    rows = session.execute(select(*(getattr(Checkin, name) for name in fields))
                           .where(col(Checkin.customer_id) == customer_id)
                           .order_by(col(Checkin.checked_in_at)))
    return {"checkins": [dict(zip(fields, row, strict=True)) for row in rows]}


def forget_name(session: Session, *, customer_id: int, full_name: str) -> None:
    """Take the customer's name out of the answers the scan log keeps for their scans: the
    guest is named by their member number (#id) instead."""
    stand_in = f"#{customer_id}"
    for scan_id, stored in session.execute(select(col(Scan.id), col(Scan.result))
                                           .where(col(Scan.customer_id) == customer_id)):
        result = ScanResult.model_validate_json(stored)
        if result.customer is not None:
            result.customer.name = stand_in
        if full_name:
            result.message = result.message.replace(full_name, stand_in)
        session.execute(update(Scan).where(col(Scan.id) == scan_id)
                        .values(result=result.model_dump_json())
                        .execution_options(synchronize_session=False))
