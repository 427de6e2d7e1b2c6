"""Batches are rendered in a process of their own: a 500-badge PDF costs seconds of CPU,
which in the server's process would hold its interpreter lock and slow every check-in.
The child reports progress over a queue; a thread of the server writes it into the
export's row, where any server process can read it. An export withdrawn meanwhile (a
guest's data was erased, see `erasure`) is not started, or its file is deleted as soon as
it is written."""

import logging
import multiprocessing
import os
import queue
import socket
import threading
import time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import col

from kiosk_server.core.db import Database
from kiosk_server.core.types import utcnow
from kiosk_server.prints.erasure import discard
from kiosk_server.prints.models import Export, ExportStatus
from kiosk_server.prints.render import Batch, render_batch

log = logging.getLogger(__name__)

# Spawned, not forked: the server holds threads and sockets a fork would copy half-way.
_CONTEXT = multiprocessing.get_context("spawn")
PROGRESS_EVERY_S = 0.5
STALL_S = 120  # no word from the child for this long: it is stuck
_UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ExportRunner:
    """Runs this process's exports one at a time (the other core keeps checking guests in)."""

    def __init__(self, database: Database, directory: Path) -> None:
        self._database = database
        self.directory = directory
        self._one_at_a_time = threading.Lock()

    def start(self, export_id: int, batch: Batch) -> None:
        threading.Thread(target=self._run, args=(export_id, batch), daemon=True,
                         name=f"kiosk-export-{export_id}").start()

    def _run(self, export_id: int, batch: Batch) -> None:
        with self._one_at_a_time:
            try:
                self._render(export_id, batch)
            except Exception as exc:  # whatever happened, the row says so
                log.exception("export %s failed", export_id)
                if not self._finish(export_id, ExportStatus.FAILED, error=str(exc)[:500]):
                    self._discard(batch)

    def _discard(self, batch: Batch) -> None:
        """The export was withdrawn while it was queued or being made (a guest's data was
        erased): its file, if the erasure came before it was written, goes now."""
        discard(self.directory, [Path(batch.path).name])

    def _render(self, export_id: int, batch: Batch) -> None:
        if not self._set(export_id, status=ExportStatus.RUNNING):
            return  # withdrawn while it waited: nothing to make
        self.directory.mkdir(parents=True, exist_ok=True)
        messages = _CONTEXT.Queue()
        child = _CONTEXT.Process(target=render_batch, args=(batch, messages), daemon=True)
        child.start()
        reported = heard = time.monotonic()
        try:
            while True:
                try:
                    kind, value = messages.get(timeout=1)
                except queue.Empty:
                    if not child.is_alive() or time.monotonic() - heard > STALL_S:
                        raise RuntimeError("the rendering process stopped") from None
                    continue
                heard = time.monotonic()
                if kind == "progress" and heard - reported >= PROGRESS_EVERY_S:
                    self._set(export_id, done=value)
                    reported = heard
                elif kind == "failed":
                    raise RuntimeError(value)
                elif kind == "done":
                    if not self._finish(export_id, ExportStatus.DONE, done=value,
                                        file_name=Path(batch.path).name):
                        self._discard(batch)
                    return
        finally:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()

    def _set(self, export_id: int, **values) -> bool:
        """Change the export while it is queued or being made; False once it was withdrawn
        (on PostgreSQL, after waiting for an erasure withdrawing it to end)."""
        with self._database.session() as session:
            result = session.execute(update(Export).where(
                col(Export.id) == export_id, col(Export.status).in_(_UNFINISHED)
            ).values(**values))
        return cast(CursorResult[Any], result).rowcount > 0

    def _finish(self, export_id: int, status: ExportStatus, **values) -> bool:
        return self._set(export_id, status=status, finished_at=utcnow(), **values)


def fail_abandoned(database: Database) -> int:
    """Exports left queued or running by a server process of this host that is gone
    (a restart, a crash) are marked failed, so nobody waits on them forever."""
    host = socket.gethostname()
    with database.session() as session:
        rows = session.execute(select(col(Export.id), col(Export.worker)).where(
            col(Export.status).in_(_UNFINISHED))).all()
        gone = [export_id for export_id, worker in rows if _gone(worker, host)]
        if gone:
            session.execute(update(Export).where(
                col(Export.id).in_(gone), col(Export.status).in_(_UNFINISHED)).values(
                status=ExportStatus.FAILED, finished_at=utcnow(),
                error="interrupted: the server stopped; start it again"))
    return len(gone)


def _gone(worker: str, host: str) -> bool:
    name, _, pid = worker.rpartition(":")
    if name != host or not pid.isdigit():
        return False  # another machine's: not ours to judge
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
