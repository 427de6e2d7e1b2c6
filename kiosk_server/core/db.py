"""Engine, sessions and after-commit hooks.

A request works in one session and commits once, after its endpoint returns;
services never commit. Side effects that must only happen for saved data
(live updates, messages) are registered with `on_commit` and run after the
commit, or are dropped with a rollback.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write
transactions start with `BEGIN IMMEDIATE`, so a read-then-write never loses
an update. Writers queue on `SqliteWriteLock` (a thread lock plus a file lock
shared by every process on the database) instead of in SQLite's busy handler,
whose sleep-and-retry loop piles up into long tail latencies: the kernel hands
the lock to the next writer the moment it is free, so several server
processes can share one SQLite file.
A serving process checkpoints the WAL from a background thread, so no
request's commit pays for a checkpoint.

Hot writes (check-ins) go through `Database.writer`, a group-commit queue
(see `writer.py`) that shares the same SQLite lock.
"""

import fcntl
import functools
import os
import sqlite3
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from enum import Enum
from typing import Any, Protocol, cast

from sqlalchemy import (
    BindParameter,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import Session, SQLModel

from kiosk_server.core.errors import DomainError
from kiosk_server.core.files import private_sqlite
from kiosk_server.core.writer import HOOKS_KEY, WriteQueue

# What service functions on a hot path accept: an ORM session, or a plain connection
# (a writer job). Both run Core statements.
Executor = Session | Connection
AfterCommit = Callable[[], None]
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


class Database:
    """The engine plus the unit of work every request and command runs in."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, serving: bool = False) -> None:
        """`serving`: a long-running server process (background WAL checkpoints)."""
        sqlite = url.startswith("sqlite")
        private_sqlite(url)
        self.engine = create_db_engine(url, busy_timeout_ms=busy_timeout_ms,
                                       background_checkpoint=serving and sqlite)
        self._writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write_lock = SqliteWriteLock(self.engine.url.database) if sqlite else None
        # One writer thread: SQLite has one writer at a time anyway, and on PostgreSQL
        # batches of one process then never wait on each other's row locks.
        self.writer = WriteQueue(self._writer, lock=self._write_lock)
        self._checkpointer = _Checkpointer(self.engine) if serving and sqlite else None

    @contextmanager
    def session(self, access: Access = Access.WRITE) -> Iterator[Session]:
        """A session that commits when the block ends, or rolls back on an exception."""
        writing = access is Access.WRITE
        lock = self._write_lock if writing and self._write_lock else nullcontext()
        with lock, Session(self._writer if writing else self.engine,
                           expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                s.info.pop(HOOKS_KEY, None)
                raise
        for hook in s.info.pop(HOOKS_KEY, []):
            hook()

    def let_waiting_writers_in(self) -> None:
        """Between two write transactions of a long job (an import): let the writers
        waiting for the SQLite write lock (a gate's check-ins) have it first.

        A lock just released is taken again at once by the thread that released it, before
        a waiting thread even wakes up: without this, a job of many short transactions would
        hold the lock almost all the time. Other processes' writers cannot be seen from
        here: they get a millisecond."""
        if self._write_lock is not None:
            self._write_lock.let_waiting_in()

    def dispose(self) -> None:
        self.writer.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
        if self._write_lock is not None:
            self._write_lock.close()


class SqliteWriteLock:
    """One writer at a time on a SQLite file, across the threads and processes that use it.

    A thread lock orders the writers of this process; an exclusive `flock` on
    `<database>.writelock` orders the processes. Both block in the kernel or in C
    without holding the GIL, and wake the next waiter as soon as they are released.
    """

    # How long `let_waiting_in` waits at most for this process's waiting writers.
    MAX_YIELD_S = 0.05

    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        self._counting = threading.Lock()
        self._waiting = 0  # threads of this process blocked in `__enter__`
        self._path = (f"{database_path}.writelock"
                      if database_path and database_path != ":memory:" else None)
        self._fd: int | None = None

    def __enter__(self) -> None:
        if not self._threads.acquire(blocking=False):
            with self._counting:
                self._waiting += 1
            try:
                self._threads.acquire()
            finally:
                with self._counting:
                    self._waiting -= 1
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def let_waiting_in(self) -> None:
        """Wait (not holding the lock) until the threads that were waiting for it have had
        it, or `MAX_YIELD_S`; and a millisecond for other processes' writers."""
        deadline = time.monotonic() + self.MAX_YIELD_S
        time.sleep(0.001)
        while self._waiting and time.monotonic() < deadline:
            time.sleep(0.0005)

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class _Checkpointer:
    """Copies the WAL back into the database file once a second, off the request path."""

    INTERVAL_S = 1.0

    def __init__(self, engine: Engine) -> None:
        self._path = engine.url.database or ":memory:"
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
        db.info.setdefault(HOOKS_KEY, []).append(hook)
    else:
        db.info[HOOKS_KEY].append(hook)


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


def commit_without_waiting(session: Session) -> None:
    """This transaction writes only what can be computed again (PostgreSQL: an
    asynchronous commit, not waiting for the disk): a crash may lose its last fraction of
    a second whole, as if it had not run. `commit_durably` in the same transaction wins."""
    if session.connection().dialect.name == "postgresql":
        session.execute(_ASYNC_COMMIT)


def commit_durably(session: Session) -> None:
    """This transaction writes what cannot be computed again (a case drawn at random, a
    message queued): its commit waits for the disk, whoever asked otherwise before."""
    if session.connection().dialect.name == "postgresql":
        session.execute(_SYNC_COMMIT)


_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
_SYNC_COMMIT = text("SET LOCAL synchronous_commit TO ON")


def staging(name: str, *columns: Column[Any]) -> Table:
    """A temporary table of these columns (PostgreSQL; no constraints) that `copy_in`
    fills: a statement then reads thousands of rows from it, and its rows are gone at the
    commit. Each connection has its own, created by `copy_in` when it has none."""
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"],
                 postgresql_on_commit="DELETE ROWS")


def copy_in(session: Session, table: Table, rows: Iterable[Sequence[Any]]) -> None:
    """`rows` (each the values of `table`'s columns, in order, as the driver takes them)
    into the `staging` table `table`, by COPY: on PostgreSQL the cheapest way in for
    thousands of rows (100,000 status rows written from it in half the time of the same
    rows as one JSON document: no document built in Python, none parsed on the server)."""
    connection = session.connection()
    connection.execute(CreateTable(table, if_not_exists=True))
    driver = connection.connection.driver_connection
    assert driver is not None  # a checked-out connection has its driver's connection
    names = ", ".join(column.name for column in table.columns)
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({names}) FROM STDIN") as copy:  # names: our own columns'
        for row in rows:
            copy.write_row(row)


def dialect_insert(dialect: str, table: Any) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


@functools.cache
def _insert_ignoring(dialect: str, table: Any, returning: tuple) -> Any:
    statement = dialect_insert(dialect, table).on_conflict_do_nothing()
    return statement.returning(*returning) if returning else statement


# How many ids one execution of a `Prepared` statement takes in an IN list.
ID_SLOTS = 20


def table_of(model: type[SQLModel]) -> Table:
    """The table of a `table=True` model (its `__table__`, which SQLModel leaves untyped)."""
    return cast(Table, inspect(model).local_table)


def id_range(column: Any, *, one: bool = False) -> Any:
    """`column` from the bound `first_id` to `last_id` (both included); `one`: equal to
    `first_id` (`last_id` unused). A statement prepared with an equality is planned once
    for every value by PostgreSQL (the rows it finds are known: one customer's), where a
    range is planned anew at each execution, which can cost more than running it."""
    first: BindParameter[int] = bindparam("first_id")
    return column == first if one else column.between(first, bindparam("last_id"))


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Row) -> int:
    """The id of a saved row: set once it is flushed (None only before), so an int."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id


def id_slots(name: str = "ids") -> list[BindParameter]:
    """The IN list of a `Prepared` statement that filters on ids, such as
    `Table.id.in_(id_slots())`: a compiled statement has a fixed number of parameters,
    so the list is `ID_SLOTS` of them, the unused ones NULL (which match nothing);
    `Prepared.rows_for_ids` fills them."""
    return [bindparam(f"{name}_{n}", None, type_=Integer) for n in range(ID_SLOTS)]


class Prepared:
    """A Core statement compiled once per database, run on the driver's cursor.

    For the statements of the busiest paths (a check-in; the till's lookup and sale),
    where SQLAlchemy's per-execution machinery (execution context, events, result
    objects) costs several times what the database spends on the statement. The
    statement is still written in Core; parameters and results go through the column
    types' own bind and result processors, so values look exactly as they do through
    `execute`: rows come back as plain tuples (`records`: named by the statement's
    columns). `statement` may be a function of the dialect's name, for
    dialect-specific statements (`INSERT ... ON CONFLICT`). A list of ids is passed
    through `id_slots` (see there).
    """

    def __init__(self, statement: Any) -> None:
        self._statement = statement
        self._plans: dict[str, tuple] = {}
        self._record: Any = None  # a namedtuple class, made from the statement's columns

    def _plan(self, dialect: Any) -> tuple:
        plan = self._plans.get(dialect.name)
        if plan is None:
            statement = (self._statement(dialect.name) if callable(self._statement)
                         else self._statement)
            compiled = statement.compile(dialect=dialect)
            defaults = {name: bind.effective_value for name, bind in compiled.binds.items()
                        if not bind.required}
            binds = [(name, processor) for name, bind in compiled.binds.items()
                     if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
                     is not None]
            order = list(compiled.positiontup) if dialect.positional else None
            columns = list(getattr(statement, "exported_columns", ()))
            results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in columns]
            plan = self._plans[dialect.name] = (compiled.string, defaults, binds, order, results)
            if columns and self._record is None:
                # Unnamed columns (expressions without a label) become _0, _1...
                self._record = namedtuple(  # type: ignore[misc]  # names known only at run time
                    "Record", [str(column.key) for column in columns], rename=True)
        return plan

    def rows(self, db: Executor, params: Mapping[str, Any] | None = None) -> list[tuple]:
        if isinstance(db, Session):
            # As the ORM's autoflush would: the session's pending changes first, so that
            # the statement sees them (and an error in them surfaces here).
            db.flush()
            connection = db.connection()
        else:
            connection = db
        sql, defaults, binds, order, results = self._plan(connection.dialect)
        values = {**defaults, **params} if params else dict(defaults)
        for name, processor in binds:
            values[name] = processor(values[name])
        arguments = [values[name] for name in order] if order is not None else values
        driver = connection.connection.driver_connection
        assert driver is not None  # a checked-out connection has its driver's connection
        cursor = driver.execute(sql, arguments)
        if cursor.description is None:
            return []
        if not any(results):  # nothing to convert: the driver's rows as they are
            return cursor.fetchall()
        return [tuple(process(value) if process else value
                      for process, value in zip(results, row, strict=True))
                for row in cursor.fetchall()]

    def many(self, db: Executor, rows: Sequence[Mapping[str, Any]] | Sequence[tuple],
             shared: Mapping[str, Any] | None = None, *,
             columns: Sequence[str] | None = None) -> None:
        """The statement once for each of `rows`, in one `executemany` on the driver (no
        results): a bulk INSERT without SQLAlchemy's work for every row. `shared`: values
        the same in every row, put through their column's bind processor once. With
        `columns`, each row is a tuple of these parameters in this order: on a positional
        driver whose statement takes them first and then only shared values (an INSERT's
        VALUES), with nothing to convert, each row goes as it is (no mapping per row)."""
        connection = db.connection() if isinstance(db, Session) else db
        if isinstance(db, Session):
            db.flush()
        sql, defaults, binds, order, _ = self._plan(connection.dialect)
        base = {**defaults, **(shared or {})}
        for name, processor in binds:
            if shared and name in shared:
                base[name] = processor(base[name])
        varying = [(name, processor) for name, processor in binds
                   if not (shared and name in shared)]
        arguments: list[Any] = []
        if columns is not None:
            width = len(columns)
            if (order is not None and not varying and list(order[:width]) == list(columns)
                    and all(name in base for name in order[width:])):
                tail = tuple(base[name] for name in order[width:])
                arguments = [(*row, *tail) for row in rows]
            else:
                rows = [dict(zip(columns, row, strict=True)) for row in rows]
        if not arguments:
            for row in rows:
                values = {**base, **row}  # type: ignore[dict-item]  # mappings by now
                for name, processor in varying:
                    values[name] = processor(values[name])
                arguments.append([values[name] for name in order] if order is not None
                                 else values)
        driver = connection.connection.driver_connection
        assert driver is not None  # a checked-out connection has its driver's connection
        cursor = driver.cursor()
        try:
            cursor.executemany(sql, arguments)
        finally:
            cursor.close()

    def first(self, db: Executor, params: Mapping[str, Any] | None = None) -> tuple | None:
        found = self.rows(db, params)
        return found[0] if found else None

    def one(self, db: Executor, params: Mapping[str, Any] | None = None) -> tuple:
        """The row of a statement known to return one (an aggregate, a row known to exist)."""
        return self.rows(db, params)[0]

    def records(self, db: Executor, params: Mapping[str, Any] | None = None) -> list[Any]:
        """`rows` as named tuples: `record.customer_id`, `record._asdict()`."""
        found = self.rows(db, params)
        return [self._record._make(row) for row in found] if found else []

    def rows_for_ids(self, db: Executor, ids: Iterable[int | None],
                     params: Mapping[str, Any] | None = None, *, name: str = "ids"
                     ) -> list[tuple]:
        """`rows` for a statement filtering on `IN id_slots(name)`, for any number of ids
        (None left out, duplicates once): one execution per `ID_SLOTS` of them."""
        wanted = list(dict.fromkeys(i for i in ids if i is not None))
        found: list[tuple] = []
        for start in range(0, len(wanted), ID_SLOTS):
            chunk = wanted[start:start + ID_SLOTS]
            found += self.rows(db, {**(params or {}),
                                    **{f"{name}_{n}": value for n, value in enumerate(chunk)}})
        return found

    def scalar(self, db: Executor, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(db, params)
        return row[0] if row is not None else None


def prepared_insert(table: Any, columns: list[str], *, ignore_conflicts: bool = False,
                    returning: tuple = ()) -> Prepared:
    """A `Prepared` INSERT of one row, its values given by name at execution; with
    `ignore_conflicts`, a row clashing with a unique constraint is skipped (and, with
    RETURNING, nothing comes back)."""

    def build(dialect: str) -> Any:
        values: dict[str, BindParameter] = {name: bindparam(name) for name in columns}
        # A column left out takes its default here (the driver sees no Python-side default).
        values.update({column.name: bindparam(column.name, default.arg, type_=column.type)
                       for column in table_of(table).columns
                       if column.name not in values
                       and isinstance(default := column.default, ScalarElementColumnDefault)})
        if ignore_conflicts:
            statement = _insert_ignoring(dialect, table, ()).values(values)
        else:
            statement = insert(table).values(values)
        # inline(): no implicit RETURNING of the primary key (PostgreSQL adds one otherwise).
        return statement.returning(*returning) if returning else statement.inline()

    return Prepared(build)
