"""The group-commit write queue: jobs share transactions but not each other's failures."""

import asyncio
import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from kiosk_server.core.db import Database, on_commit
from kiosk_server.core.writer import WriteQueue, batch_memo

metadata = MetaData()
notes = Table("writer_test_notes", metadata, Column("id", Integer, primary_key=True),
              Column("text", String(20), unique=True))


@pytest.fixture()
def database(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'writer.db'}", serving=True)
    metadata.create_all(database.engine)
    yield database
    database.dispose()


def _add(text: str):
    def job(connection):
        connection.execute(insert(notes).values(text=text))
        return text
    return job


def _saved(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(connection.scalars(select(notes.c.text)))


def test_a_failing_job_rolls_back_only_itself(database):
    def fails_after_writing(connection):
        connection.execute(insert(notes).values(text="half-done"))
        raise ValueError("no")

    async def main():
        return await asyncio.gather(
            database.writer.run(_add("a")),
            database.writer.run(fails_after_writing),
            database.writer.run(_add("a")),  # unique clash: an error for this job only
            database.writer.run(_add("b")),
            return_exceptions=True,
        )

    first, failed, clash, last = asyncio.run(main())
    assert (first, last) == ("a", "b")
    assert isinstance(failed, ValueError)
    assert "UNIQUE" in str(clash)
    assert _saved(database) == ["a", "b"]


def test_many_concurrent_jobs_are_batched_and_all_saved(database) -> None:
    seen_batches: list[int] = []

    def job(n):
        def run(connection):
            memo = batch_memo(connection)
            if not memo:
                seen_batches.append(n)
            memo[n] = True
            connection.execute(insert(notes).values(text=f"n{n}"))
            return n
        return run

    async def main():
        return await asyncio.gather(*(database.writer.run(job(n)) for n in range(300)))

    assert asyncio.run(main()) == list(range(300))
    assert len(_saved(database)) == 300
    assert len(seen_batches) < 300  # some jobs shared a transaction


def test_answers_and_hooks_come_after_the_commit(database):
    observed = {}

    def job(connection):
        connection.execute(insert(notes).values(text="x"))
        # Another connection cannot see the row before the commit...
        observed["before"] = _saved(database)
        on_commit(connection, lambda: observed.setdefault("hook", _saved(database)))
        return "done"

    async def main():
        result = await database.writer.run(job)
        observed["after"] = _saved(database)
        return result

    assert asyncio.run(main()) == "done"
    assert observed == {"before": [], "hook": ["x"], "after": ["x"]}


def test_hooks_of_a_failed_job_never_run(database):
    ran = threading.Event()

    def job(connection):
        on_commit(connection, ran.set)
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        asyncio.run(database.writer.run(job))
    assert not ran.is_set()


def test_close_finishes_queued_work(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'close.db'}")
    metadata.create_all(database.engine)
    queue: WriteQueue = database.writer

    async def main():
        return await asyncio.gather(*(queue.run(_add(f"c{n}")) for n in range(20)))

    asyncio.run(main())
    database.dispose()
    database = Database(f"sqlite:///{tmp_path / 'close.db'}")
    assert len(_saved(database)) == 20
    database.dispose()
