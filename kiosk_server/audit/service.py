"""Recording changes, and reading them back."""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.audit.models import AuditEntry
from kiosk_server.core.db import prepared_insert
from kiosk_server.core.types import utcnow

MAX_PAGE = 200

_ADD_ENTRY = prepared_insert(AuditEntry, ["at", "staff_id", "staff_username", "action",
                                          "target_type", "target_id", "details"])


@dataclass(frozen=True)
class AuditLog:
    """Records the changes of one request, in its own transaction: the change and its
    entry are saved together or not at all."""

    session: Session
    staff_id: int | None
    staff_username: str

    def record(self, action: str, target: Any, *, details: BaseModel | dict | None = None
               ) -> None:
        """`action` ("event.update") done to `target` (a table row with an id, or an
        (type, id) pair); `details`: what was asked (a request body: only the fields
        given)."""
        target_type, target_id = (target if isinstance(target, tuple)
                                  else (type(target).__tablename__, target.id))
        if isinstance(details, BaseModel):
            details = details.model_dump(mode="json", exclude_unset=True)
        _ADD_ENTRY.rows(self.session, {
            "at": utcnow(), "staff_id": self.staff_id, "staff_username": self.staff_username,
            "action": action, "target_type": target_type, "target_id": target_id,
            "details": details or {}})


def list_entries(session: Session, *, before: int | None = None, limit: int = 50,
                 target_type: str | None = None, target_id: int | None = None
                 ) -> tuple[list[AuditEntry], int | None]:
    """A page of the log, newest first; optionally only one target's entries."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit + 1)
    if before is not None:
        query = query.where(col(AuditEntry.id) < before)
    if target_type is not None:
        query = query.where(col(AuditEntry.target_type) == target_type)
    if target_id is not None:
        query = query.where(col(AuditEntry.target_id) == target_id)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)
