"""Engine, sessions and after-commit hooks.

A request works in one session and commits once, after its endpoint returns;
services never commit. Side effects that must only happen for saved data
(live updates, messages) are registered with `on_commit` and run after the
commit, or are dropped with a rollback.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write
transactions start with `BEGIN IMMEDIATE`, so a read-then-write never loses
an update, and writers of one process queue on a lock in Python instead of in
SQLite's busy handler, whose sleeps would pile up into long tail latencies.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from kiosk_server.core.errors import DomainError

AfterCommit = Callable[[], None]
_HOOKS_KEY = "kiosk_after_commit"
_WRITE_OPTION = "kiosk_write"


class Access(Enum):
    READ = "read"
    WRITE = "write"


def create_db_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    """An engine for `url`, with SQLite tuned for concurrent check-ins."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        pool_size=20,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """The engine plus the unit of work every request and command runs in."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000) -> None:
        self.engine = create_db_engine(url, busy_timeout_ms=busy_timeout_ms)
        self._writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write_lock = threading.Lock() if is_sqlite(self.engine) else None

    @contextmanager
    def session(self, access: Access = Access.WRITE) -> Iterator[Session]:
        """A session that commits when the block ends, or rolls back on an exception."""
        writing = access is Access.WRITE
        lock = self._write_lock if writing else None
        if lock is not None:
            lock.acquire()
        try:
            with Session(self._writer if writing else self.engine, expire_on_commit=False) as s:
                try:
                    yield s
                    s.commit()
                except BaseException:
                    s.rollback()
                    s.info.pop(_HOOKS_KEY, None)
                    raise
        finally:
            if lock is not None:
                lock.release()
        for hook in s.info.pop(_HOOKS_KEY, []):
            hook()

    def dispose(self) -> None:
        self.engine.dispose()


def on_commit(session: Session, hook: AfterCommit) -> None:
    """Run `hook` once the session's transaction is committed; drop it on rollback."""
    session.info.setdefault(_HOOKS_KEY, []).append(hook)


def flush_unique(session: Session, error: DomainError) -> None:
    """Flush pending rows; a unique-constraint clash becomes `error`, the session stays usable."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise error from exc
