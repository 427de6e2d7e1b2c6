"""Engine, sessions and after-commit hooks.

A request works in one session and commits once, after its endpoint returns;
services never commit. Side effects that must only happen for saved data
(live updates, messages) are registered with `on_commit` and run after the
commit, or are dropped with a rollback.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write
transactions start with `BEGIN IMMEDIATE`, so a read-then-write never loses
an update, and writers of one process queue on a lock in Python instead of in
SQLite's busy handler, whose sleeps would pile up into long tail latencies.
A serving process checkpoints the WAL from a background thread, so no
request's commit pays for a checkpoint.

Hot writes (check-ins) go through `Database.writer`, a group-commit queue
(see `writer.py`) that shares the same SQLite lock.
"""

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from kiosk_server.core.errors import DomainError
from kiosk_server.core.writer import HOOKS_KEY, WriteQueue

# What service functions on a hot path accept: an ORM session, or a plain connection
# (a writer job). Both run Core statements.
Executor = Session | Connection
AfterCommit = Callable[[], None]
_HOOKS_KEY = HOOKS_KEY
_WRITE_OPTION = "kiosk_write"


class Access(Enum):
    READ = "read"
    WRITE = "write"


def create_db_engine(url: str, *, busy_timeout_ms: int = 5000,
                     background_checkpoint: bool = False) -> Engine:
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
        # A page cache that holds the working set of a large event (the default is 2 MB).
        cursor.execute("PRAGMA cache_size=-65536")
        if background_checkpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
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

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, serving: bool = False) -> None:
        """`serving`: a long-running server process (background WAL checkpoints)."""
        sqlite = url.startswith("sqlite")
        self.engine = create_db_engine(url, busy_timeout_ms=busy_timeout_ms,
                                       background_checkpoint=serving and sqlite)
        self._writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write_lock = threading.Lock() if sqlite else None
        # SQLite has one writer at a time anyway; PostgreSQL gets a few parallel batches.
        self.writer = WriteQueue(self._writer, threads=1 if sqlite else 4, lock=self._write_lock)
        self._checkpointer = _Checkpointer(self.engine) if serving and sqlite else None

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
        self.writer.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()


class _Checkpointer:
    """Copies the WAL back into the database file once a second, off the request path."""

    INTERVAL_S = 1.0

    def __init__(self, engine: Engine) -> None:
        self._path = engine.url.database
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-wal-checkpoint",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA busy_timeout=1000")
            while not self._stop.wait(self.INTERVAL_S):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue  # busy or locked now: the next round catches up
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def on_commit(db: Executor, hook: AfterCommit) -> None:
    """Run `hook` once the transaction is committed; drop it on rollback.

    Works in a request's session and in a `WriteQueue` job (where hooks run on the
    writer thread)."""
    if isinstance(db, Session):
        db.info.setdefault(_HOOKS_KEY, []).append(hook)
    else:
        db.info[_HOOKS_KEY].append(hook)


def flush_unique(session: Session, error: DomainError) -> None:
    """Flush pending rows; a unique-constraint clash becomes `error`, the session stays usable."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise error from exc


def insert_ignoring_conflicts(db: Executor, table: Any, *returning: Any) -> Any:
    """`INSERT ... ON CONFLICT DO NOTHING [RETURNING ...]` for `db`'s database, built once.

    Values are passed at execution; with RETURNING, no row back means a conflict."""
    bind = db.get_bind() if isinstance(db, Session) else db
    return _insert_ignoring(bind.dialect.name, table, returning)


@functools.cache
def _insert_ignoring(dialect: str, table: Any, returning: tuple) -> Any:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    statement = statement.on_conflict_do_nothing()
    return statement.returning(*returning) if returning else statement
