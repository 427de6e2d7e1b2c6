"""The model's scores in each customer's status: the nightly run fits the model first and
the pass scores every customer with it (P(alive), visits expected in 90 days), with their
usual spend and the value at risk; a failed fit leaves the last good one in use;
`kiosk retention recompute --fit` does the same."""

import logging
import os
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.core.db import Access
from kiosk_server.core.types import utcnow
from kiosk_server.loyalty.models import Purchase
from kiosk_server.retention import fit
from kiosk_server.retention.fit import RetentionFit
from kiosk_server.retention.models import CustomerStatus
from kiosk_server.retention.worker import RetentionWorker, full_pass
from tests.retention.test_fit import seed, simulated


def _statuses(db) -> dict[int, CustomerStatus]:
    with db.session(Access.READ) as session:
        return {row.customer_id: row for row in session.scalars(select(CustomerStatus))}


def _fits(db) -> list[RetentionFit]:
    with db.session(Access.READ) as session:
        return list(session.scalars(select(RetentionFit).order_by(col(RetentionFit.id))))


def _one_night(worker: RetentionWorker) -> None:
    """The worker's next night is now, then tomorrow."""
    nights = iter([utcnow() - timedelta(seconds=1)])
    worker._next_night = lambda: next(nights, utcnow() + timedelta(days=1))  # type: ignore[method-assign]


def test_a_night_fits_the_model_then_scores_every_status_with_it(db, settings, client, clerk):
    now = utcnow()
    ids = seed(db, simulated(now, customers_count=300))
    never = seed(db, [[]])[0]  # a customer without any visit: nothing to score
    with db.session() as session:
        session.add_all([Purchase(customer_id=ids[0], amount_vnd=amount, points=0,
                                  request_id=f"r{days}", occurred_at=now - timedelta(days=days))
                         for amount, days in ((365_000, 200), (730_000, 10), (999_000, 400))])
    worker = RetentionWorker(db, settings, hub=None)
    _one_night(worker)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while len(_statuses(db)) < len(ids) + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    [fitted] = _fits(db)
    assert fitted.converged and fitted.customers == len(ids)
    statuses = _statuses(db)
    with db.session(Access.READ) as session:
        expected = fit.scores(session, ids, now=now)
    assert len(expected) == len(ids)
    for customer_id in ids:
        row = statuses[customer_id]
        p_alive, visits = expected[customer_id]
        assert row.p_alive == pytest.approx(p_alive, abs=1e-3), customer_id
        assert row.expected_visits_90d == pytest.approx(visits, abs=1e-2), customer_id
        assert 0 < row.p_alive <= 1 and row.expected_visits_90d >= 0
    assert statuses[never].p_alive is None and statuses[never].expected_visits_90d is None
    # Their spend over the last 365 days (the sale 400 days ago is out), per 90 days.
    assert statuses[ids[0]].usual_spend_vnd == round(1_095_000 * 90 / 365) == 270_000
    shown = client.get(f"/api/v1/customers/{ids[0]}/status", headers=clerk.headers).json()
    assert shown["p_alive"] == pytest.approx(statuses[ids[0]].p_alive)
    assert shown["expected_visits_90d"] == pytest.approx(statuses[ids[0]].expected_visits_90d)
    assert shown["usual_spend_vnd"] == 270_000
    assert shown["value_at_risk_vnd"] == round(270_000 * (1 - statuses[ids[0]].p_alive))
    listed = client.get("/api/v1/customer-statuses", headers=clerk.headers,
                        params={"status": statuses[ids[0]].status.value, "limit": 1}).json()
    [item] = listed["items"]  # the first customer of all
    assert item["customer_id"] == ids[0]
    assert item["value_at_risk_vnd"] == shown["value_at_risk_vnd"]
    nobody = client.get(f"/api/v1/customers/{never}/status", headers=clerk.headers).json()
    assert (nobody["p_alive"], nobody["value_at_risk_vnd"]) == (None, None)


def test_before_any_fit_statuses_have_no_scores(db, settings):
    ids = seed(db, simulated(utcnow(), customers_count=20))
    full_pass(db, zone=settings.zone)
    assert _fits(db) == []
    assert all(row.p_alive is None and row.expected_visits_90d is None
               for row in _statuses(db).values())
    assert len(_statuses(db)) == len(ids)


def test_a_failed_fit_is_logged_and_the_last_good_one_scores(db, settings, caplog):
    with db.session() as session:
        session.add(RetentionFit(customers=300, converged=True, r=0.8, alpha=20.0, a=0.7,
                                 b=3.0, log_likelihood=-1000.0, utc_offset_seconds=7 * 3600))
    now = utcnow()
    # Nobody ever came back: the model has nothing to learn from.
    ids = seed(db, [[now - timedelta(days=n)] for n in range(1, 30)])
    with caplog.at_level(logging.WARNING, logger="kiosk_server.retention"):
        full_pass(db, zone=settings.zone, refit=True)
    good, failed = _fits(db)
    assert not failed.converged and failed.message
    assert "retention fit failed" in caplog.text
    statuses = _statuses(db)
    with db.session(Access.READ) as session:
        expected = fit.scores(session, ids, now=now)
    assert [statuses[i].p_alive for i in ids] == pytest.approx([expected[i][0] for i in ids],
                                                               abs=1e-3)


def test_recompute_with_fit_on_the_command_line(db, settings):
    from typer.testing import CliRunner

    from kiosk_server.cli import app

    ids = seed(db, simulated(utcnow(), customers_count=200))
    env = {name: None for name in os.environ if name.startswith("KIOSK_")} | {
        "KIOSK_DATA_DIR": str(settings.data_dir),
        "KIOSK_DATABASE_URL": settings.database_url, "KIOSK_SECRET_KEY": settings.secret_key}
    done = CliRunner().invoke(app, ["retention", "recompute", "--fit"], env=env)
    assert done.exit_code == 0, done.output
    assert re.match(rf"{len(ids)} customers, 0 status changes, [\d.]+ s", done.output)
    assert [f.converged for f in _fits(db)] == [True]
    assert all(row.p_alive is not None for row in _statuses(db).values())
