"""Rows of the call list written straight into its tables, for tests that need cases
without the hook that opens them."""

from datetime import datetime

from kiosk_server.calls.models import Case, CaseSource, Group
from kiosk_server.core.db import id_of
from kiosk_server.core.types import utcnow


def open_case(db, customer_id: int, group: Group = Group.CONTACT,
              opened_at: datetime | None = None, **fields) -> int:
    """A case as the call list opens it (the calls hook is not part of these tests)."""
    with db.session() as session:
        case = Case(customer_id=customer_id, group=group, opened_at=opened_at or utcnow(),
                    source=CaseSource.FLAG if group is Group.NOT_DRAWN else CaseSource.STATUS,
                    **fields)
        session.add(case)
        session.flush()
        return id_of(case)
