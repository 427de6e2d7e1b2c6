"""The retention worker's thread: a recomputation that fails is tried again, and one that
always fails is left to the nightly pass without holding the others back."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from kiosk_server import history
from kiosk_server.core.db import Access
from kiosk_server.retention import worker as worker_module
from kiosk_server.retention.worker import RetentionWorker

REFUSE_SQLITE = ("CREATE TRIGGER {name} BEFORE INSERT ON customer_status {when} "
                 "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
REFUSE_POSTGRES = ("CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF {condition} THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$; "
                   "CREATE TRIGGER {name} BEFORE INSERT ON customer_status FOR EACH ROW "
                   "EXECUTE FUNCTION {name}()")


@contextmanager
def _refused(db, name: str, customer_id: int | None = None) -> Iterator[None]:
    """Within the block, the database refuses new status rows (all, or this customer's),
    as a full disk would. (The trigger goes afterwards whatever happens: PostgreSQL's
    database outlives the test.)"""
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            when = f"WHEN NEW.customer_id = {customer_id}" if customer_id else ""
            connection.execute(text(REFUSE_SQLITE.format(name=name, when=when)))
        else:
            condition = f"NEW.customer_id = {customer_id}" if customer_id else "true"
            connection.exec_driver_sql(REFUSE_POSTGRES.format(name=name, condition=condition))
    try:
        yield
    finally:
        _allow(db, name)


def _allow(db, name: str) -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text(f"DROP TRIGGER {name}"))
        else:
            connection.exec_driver_sql(f"DROP TRIGGER {name} ON customer_status; "
                                       f"DROP FUNCTION {name}()")


def _status_ids(db) -> set[int]:
    with db.session(Access.READ) as session:
        return set(session.scalars(text("SELECT customer_id FROM customer_status")))


def _wait(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition()


def test_a_failed_recomputation_is_tried_again_and_a_hopeless_one_left_to_the_night(
        db, settings, monkeypatch, caplog):
    monkeypatch.setattr(worker_module, "RETRY_S", 0.1)
    caplog.set_level(logging.WARNING, logger=worker_module.__name__)
    with db.session() as session:
        planted = history.write(session, history.people(3), zone=settings.zone)
    first, second, third = (p.customer_id for p in planted[:3])
    worker = RetentionWorker(db, settings, hub=None)
    worker.start()
    try:
        # The database refuses everything a moment: the customer is tried again after it.
        with _refused(db, "disk_full"):
            worker.customer_changed(first)
            _wait(lambda: any("recomputation of 1 customers failed" in r.getMessage()
                              for r in caplog.records))
            assert _status_ids(db) == set()
        _wait(lambda: first in _status_ids(db))
        # (counted by the worker's thread just after the commit the row came with)
        _wait(lambda: worker.recomputed == 1)

        # One customer's row is always refused: the other of the round is recomputed at
        # once, alone; the refused one is tried `TRIES` times, then left to the night.
        with _refused(db, "bad_row", third):
            worker.customer_changed(second)
            worker.customer_changed(third)
            _wait(lambda: any(f"customer {third} not recomputed after "
                              f"{worker_module.TRIES} tries" in r.getMessage()
                              for r in caplog.records))
            assert _status_ids(db) == {first, second}
        assert worker.recomputed == 2
        tries = [r for r in caplog.records if "failed" in r.getMessage()]
        assert len(tries) == 1 + worker_module.TRIES  # the first moment, then the three
    finally:
        worker.stop()
    assert not worker._pending  # nothing left going round
