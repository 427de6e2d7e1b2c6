"""The unit of work: write transactions that never lose an update, hooks after commit."""

import threading

import pytest
from sqlalchemy import Column, Float, Integer, String, func, select, text

from kiosk_server.core.db import Access, Database, copy_in, on_commit, staging


@pytest.fixture
def counter_url(database_url):
    database = Database(database_url)
    with database.session() as session:
        session.execute(text("DROP TABLE IF EXISTS test_counter"))
        session.execute(text("CREATE TABLE test_counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        session.execute(text("INSERT INTO test_counter VALUES (1, 0)"))
    yield database_url
    with database.session() as session:
        session.execute(text("DROP TABLE test_counter"))
    database.dispose()


def test_read_then_write_from_two_engines_loses_no_update(counter_url):
    # Two Database objects have separate in-process locks, like two server processes:
    # only the database's own write lock (BEGIN IMMEDIATE / row lock) keeps this exact.
    databases = [Database(counter_url), Database(counter_url)]

    def bump(database):
        for _ in range(25):
            with database.session(Access.WRITE) as session:
                query = "SELECT n FROM test_counter WHERE id = 1"
                if database.engine.dialect.name == "postgresql":
                    query += " FOR UPDATE"
                n = session.execute(text(query)).scalar_one()
                session.execute(text("UPDATE test_counter SET n = :n WHERE id = 1"), {"n": n + 1})

    threads = [threading.Thread(target=bump, args=(databases[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with databases[0].session(Access.READ) as session:
        assert session.execute(text("SELECT n FROM test_counter")).scalar_one() == 100
    for database in databases:
        database.dispose()


def test_hooks_run_after_commit_and_are_dropped_on_rollback(counter_url):
    database = Database(counter_url)
    seen = []
    with database.session() as session:
        session.execute(text("UPDATE test_counter SET n = 7"))
        on_commit(session, lambda: seen.append(_read(database)))
        assert seen == []
    assert seen == [7]
    with pytest.raises(RuntimeError), database.session() as session:
        session.execute(text("UPDATE test_counter SET n = 8"))
        on_commit(session, lambda: seen.append("must not run"))
        raise RuntimeError("boom")
    assert seen == [7] and _read(database) == 7
    database.dispose()


def _read(database):
    with database.session(Access.READ) as session:
        return session.execute(text("SELECT n FROM test_counter")).scalar_one()


def test_sqlite_runs_in_wal_with_foreign_keys(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite settings")
    database = Database(database_url, busy_timeout_ms=4321)
    with database.session(Access.READ) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 4321
    database.dispose()


def test_copy_in_brings_rows_to_a_statement_and_they_go_at_the_commit(database_url):
    """PostgreSQL's bulk way in: the rows as given (nulls, diacritics, a tab and a line
    break in a text), read in the same transaction, gone after it; a transaction rolled
    back (its table's creation with it) leaves the next one able to use it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("COPY is PostgreSQL's")
    table = staging("test_given", Column("n", Integer), Column("label", String),
                    Column("share", Float))
    rows = [(1, "Nguyễn Thị Hương", 0.25), (2, None, None), (3, "tab\there\nnext", 1e-9)]
    database = Database(database_url)
    with pytest.raises(RuntimeError), database.session() as session:
        copy_in(session, table, rows[:1])
        raise RuntimeError("rolled back")
    for _ in range(2):  # the second time, on a connection that has the table already
        with database.session() as session:
            copy_in(session, table, rows)
            assert session.execute(select(table).order_by(table.c.n)).all() == rows
        with database.session() as session:
            assert session.execute(select(func.count()).select_from(table)).scalar() == 0
    database.dispose()
