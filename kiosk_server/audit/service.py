"""Recording changes, and reading them back."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Text, cast, or_, select, update
from sqlmodel import Session, col

from kiosk_server.audit.models import AuditEntry, AuditEntryPublic, AuditKind
from kiosk_server.core.db import prepared_insert
from kiosk_server.core.errors import invalid
from kiosk_server.core.types import EARLIEST, LATEST, utcnow

MAX_PAGE = 200

_ADD_ENTRY = prepared_insert(AuditEntry, ["at", "staff_id", "staff_username", "action",
                                          "target_type", "target_id", "details"])

# What people call the rows of one table, by id ("customers": {7: "Nguyễn Thị Hằng"}); each
# domain owns the labels of its own tables, given to the log at start-up (the log is below
# every domain and never reads their tables). "staff_users" also names who did a change.
Labeler = Callable[[Session, list[int]], dict[int, str]]
Labelers = dict[str, Labeler]


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


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read: by whom, of what kind, from when until when (UTC)."""

    staff_id: int | None = None
    kind: AuditKind | None = None
    since: datetime | None = None
    until: datetime | None = None


def days(first: date | None, last: date | None, zone: ZoneInfo) -> tuple[datetime | None,
                                                                         datetime | None]:
    """The first and last days as the shop's calendar has them ([since, until) in UTC)."""
    if first is not None and last is not None and first > last:
        raise invalid("date_range", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
                      "The first day must not be after the last.", field="from")
    # Days outside 2000-2099 (no entry is) are clamped: year 1 or 9999 in a zone overflows.
    since = datetime.combine(max(first, EARLIEST.date()), time(), zone) if first else None
    until = (datetime.combine(min(last, LATEST.date()) + timedelta(days=1), time(), zone)
             if last else None)
    return since, until


def list_entries(session: Session, *, before: int | None = None, limit: int = 50,
                 where: AuditFilter = AuditFilter()) -> tuple[list[AuditEntry], int | None]:
    """A page of the log, newest first, of the entries `where` lets through."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit + 1)
    if before is not None:
        query = query.where(col(AuditEntry.id) < before)
    if where.staff_id is not None:
        query = query.where(col(AuditEntry.staff_id) == where.staff_id)
    if where.kind is not None:
        query = query.where(col(AuditEntry.action).startswith(f"{where.kind.value}.",
                                                              autoescape=True))
    if where.since is not None:
        query = query.where(col(AuditEntry.at) >= where.since)
    if where.until is not None:
        query = query.where(col(AuditEntry.at) < where.until)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def _labels(session: Session, labelers: Labelers, wanted: Iterable[tuple[str, int | None]]
            ) -> dict[tuple[str, int], str]:
    by_type: dict[str, set[int]] = {}
    for target_type, target_id in wanted:
        if target_id is not None and target_type in labelers:
            by_type.setdefault(target_type, set()).add(target_id)
    return {(target_type, target_id): label
            for target_type, ids in by_type.items()
            for target_id, label in labelers[target_type](session, sorted(ids)).items()}


def described(session: Session, rows: list[AuditEntry], labelers: Labelers
              ) -> list[AuditEntryPublic]:
    """The entries with what people call who did them and what they were done to."""
    labels = _labels(session, labelers, [("staff_users", row.staff_id) for row in rows]
                     + [(row.target_type, row.target_id) for row in rows])
    return [AuditEntryPublic(
        **row.model_dump(),
        staff_name=labels.get(("staff_users", row.staff_id or 0), row.staff_username),
        target_label=labels.get((row.target_type, row.target_id or 0)),
    ) for row in rows]


def _without(value: Any, words: list[str]) -> Any:
    if isinstance(value, str):
        folded = value.casefold()
        return "" if any(word.casefold() in folded for word in words) else value
    if isinstance(value, dict):
        return {key: _without(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [_without(item, words) for item in value]
    return value


def redact(session: Session, *, targets: Iterable[tuple[str, int]], words: list[str]) -> None:
    """Forget a person in the log (their data is being erased): the details of the entries
    about `targets` are emptied, and any value holding one of `words` (their name, phone,
    e-mail) in any other entry is blanked. Who did what, and when, stays."""
    targets = list(targets)
    words = [word for word in words if word]
    for target_type, target_id in targets:
        session.execute(update(AuditEntry)
                        .where(col(AuditEntry.target_type) == target_type,
                               col(AuditEntry.target_id) == target_id)
                        .values(details={})
                        .execution_options(synchronize_session=False))
    if not words:
        return
    # JSON is stored as text with non-ASCII characters escaped: look for both spellings.
    spellings = {form for word in words for form in (word, json.dumps(word)[1:-1])}
    text = cast(AuditEntry.details, Text)
    for entry_id, details in session.execute(
            select(col(AuditEntry.id), col(AuditEntry.details))
            .where(or_(*(text.contains(form, autoescape=True) for form in spellings)))):
        session.execute(update(AuditEntry).where(col(AuditEntry.id) == entry_id)
                        .values(details=_without(details, words))
                        .execution_options(synchronize_session=False))
