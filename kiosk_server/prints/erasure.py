"""An erased customer's name leaves the batches of badges and invitations made before: every
export of an event they were invited to is withdrawn (it can no longer be downloaded, the
list says why) and its file deleted once the erasure commits. Registered at start-up as an
erasure hook (main.py): privacy sits beside prints and cannot import it.

An export being made at that moment finishes as withdrawn and deletes its own file (see
`runner`); one started at that moment waits for the erasure (`lock_event`), then renders
the erased guest without a name."""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, func, text, update
from sqlmodel import Session, col

from kiosk_server.core.db import on_commit
from kiosk_server.core.types import utcnow
from kiosk_server.events import service as events
from kiosk_server.prints.models import Export, ExportStatus

log = logging.getLogger(__name__)

WITHDRAWN_BECAUSE = "made before a guest's data was erased: make it again"

# PostgreSQL: an erasure takes its events' keys exclusively, a new export its event's key
# shared, until their transactions end (SQLite's writers take turns anyway).
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")
_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtext(:key))")


def lock_event(session: Session, *, event_id: int, shared: bool) -> None:
    """Order a new export of the event and an erasure of one of its guests: the export
    then either is seen (and withdrawn) by the erasure, or reads its guests after it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_SHARED if shared else _LOCK, {"key": f"exports:event:{event_id}"})


def discard(directory: Path, file_names: list[str]) -> None:
    """Delete these exports' files (and a half-written one), whichever are still there."""
    for name in file_names:
        for path in (directory / name, directory / f"{name}.part"):
            try:
                path.unlink(missing_ok=True)
            except OSError:  # the erasure is committed: say so, do not fail the request
                log.exception("could not delete %s", path)


@dataclass(frozen=True)
class WithdrawExports:
    """The erasure hook: withdraw the exports of the customer's events, delete their files
    after the commit (a rollback keeps them)."""

    directory: Path

    def __call__(self, session: Session, customer_id: int) -> None:
        event_ids = events.event_ids_of(session, customer_id=customer_id)
        for event_id in event_ids:  # in one order: two erasures never deadlock
            lock_event(session, event_id=event_id, shared=False)
        if not event_ids:
            return
        result = session.execute(
            update(Export)
            .where(col(Export.event_id).in_(event_ids),
                   col(Export.status) != ExportStatus.WITHDRAWN)
            .values(status=ExportStatus.WITHDRAWN, error=WITHDRAWN_BECAUSE,
                    finished_at=func.coalesce(col(Export.finished_at), utcnow()))
            .returning(col(Export.file_name))
            .execution_options(synchronize_session=False))
        names = [name for name in cast(CursorResult[Any], result).scalars() if name]
        if names:
            on_commit(session, lambda: discard(self.directory, names))
