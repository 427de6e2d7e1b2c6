"""The model fitted on the shop's own visit history: counted by day, stored, refused when
it fails (the last good one stays), scores for the status code and the call list."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from kiosk_server.core.db import Access, table_of
from kiosk_server.core.text import fold
from kiosk_server.core.types import utcnow
from kiosk_server.customers import visit_days
from kiosk_server.customers.models import Customer, Visit, VisitKind
from kiosk_server.retention import bgnbd, fit
from kiosk_server.retention.fit import RetentionFit

SHOP_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, the settings' default zone


def seed(db, visits_of: list[list[datetime]]) -> list[int]:
    """Customers with these visits (one list of times each), inserted in bulk."""
    with db.session() as session:
        first = session.execute(insert(table_of(Customer)).returning(table_of(Customer).c.id),
                                [{"full_name": f"Khách {n}", "name_folded": fold(f"Khách {n}"),
                                  "notes": "", "consent_email": False, "consent_sms": False,
                                  "tags": [], "visit_count": len(times), "created_at": utcnow()}
                                 for n, times in enumerate(visits_of)]).scalars().all()
        ids = list(first)
        rows = [{"customer_id": customer_id, "kind": VisitKind.PURCHASE, "occurred_at": at,
                 "gate": ""} for customer_id, times in zip(ids, visits_of, strict=True)
                for at in times]
        if rows:
            session.execute(insert(table_of(Visit)), rows)
    return ids


def simulated(now: datetime, customers_count: int = 400, seed_value: int = 7
              ) -> list[list[datetime]]:
    """Visit times drawn from the BG/NBD story itself (in days), over the last year."""
    rng = np.random.default_rng(seed_value)
    histories = []
    for _ in range(customers_count):
        known = rng.uniform(0, 365)
        rate, dropout = rng.gamma(0.9, 1 / 25.0), rng.beta(0.7, 3.0)
        times, moment = [0.0], 0.0
        while rng.random() >= dropout or len(times) == 1:
            moment += rng.exponential(1 / rate)
            if moment > known:
                break
            times.append(moment)
        histories.append([now - timedelta(days=known - t) for t in times])
    return histories


def expected_summary(histories: list[list[datetime]], now: datetime) -> np.ndarray:
    """(x, t_x, T) in days as the shop's calendar counts them, computed here in Python."""
    today = fit.local_day(now, SHOP_OFFSET)
    rows = []
    for times in histories:
        days = sorted({fit.local_day(at, SHOP_OFFSET) for at in times})
        rows.append((len(days) - 1, days[-1] - days[0], today - days[0]))
    return np.array(rows, dtype=np.float64)


def test_visits_count_once_a_day_on_the_shops_calendar(db):
    evening = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 23:30 in the shop
    ids = seed(db, [[evening, evening + timedelta(hours=1)],  # 00:30 the next day there
                    [evening - timedelta(hours=9), evening - timedelta(minutes=1)],
                    []])
    with db.session(Access.READ) as session:
        found = visit_days.visit_day_summary(session, utc_offset_seconds=SHOP_OFFSET)
        only = visit_days.visit_day_summary(session, utc_offset_seconds=SHOP_OFFSET,
                                    customer_ids=[ids[1], ids[2]])
    day = fit.local_day(evening, SHOP_OFFSET)
    assert sorted(found) == [(ids[0], 2, day, day + 1), (ids[1], 1, day, day)]
    assert only == [(ids[1], 1, day, day)]


def test_fitting_the_shops_history_stores_the_model_and_scores_customers(client, db, admin,
                                                                          clerk):
    assert client.get("/api/v1/retention/model", headers=clerk.headers).json()["status"] \
        == "not_fitted"
    now = utcnow()
    histories = simulated(now)
    ids = seed(db, histories)
    fitted = client.post("/api/v1/retention/model/fit", headers=admin.headers)
    assert fitted.status_code == 200, fitted.text
    summary = expected_summary(histories, now)
    direct = bgnbd.fit(summary[:, 0], summary[:, 1], summary[:, 2])
    model = client.get("/api/v1/retention/model", headers=clerk.headers).json()
    assert model["status"] == "fitted" and model["last_failure"] is None
    assert model == fitted.json()
    stored = model["fit"]
    assert stored["customers"] == 400 and stored["converged"] is True
    for name in ("r", "alpha", "a", "b"):
        assert stored[name] == pytest.approx(getattr(direct.parameters, name), rel=1e-6)
    assert stored["log_likelihood"] == pytest.approx(direct.log_likelihood, rel=1e-9)
    # The story's mean visit rate, roughly (400 customers, days counted whole).
    assert stored["r"] / stored["alpha"] == pytest.approx(0.9 / 25, rel=0.25)

    with db.session(Access.READ) as session:
        scores = fit.scores(session, [ids[0], ids[5], 10**9], now=now)
    assert set(scores) == {ids[0], ids[5]}
    for position, customer_id in ((0, ids[0]), (5, ids[5])):
        x, t_x, T = summary[position]
        p_alive, visits = scores[customer_id]
        assert p_alive == pytest.approx(float(bgnbd.probability_alive(direct.parameters, x,
                                                                       t_x, T)), rel=1e-5)
        assert visits == pytest.approx(float(bgnbd.expected_visits(direct.parameters, 90, x,
                                                                   t_x, T)), rel=1e-5)
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [(e["action"], e["details"]) for e in log if e["action"] == "retention.fit"] == [
        ("retention.fit", {"customers": 400, "converged": True})]


def test_a_fit_that_fails_is_refused_and_the_last_good_model_stays(client, db, admin):
    with db.session() as session:
        session.add(RetentionFit(customers=2357, converged=True, r=0.243, alpha=4.414 * 7,
                                 a=0.793, b=2.426, log_likelihood=-9582.4,
                                 utc_offset_seconds=SHOP_OFFSET))
    now = utcnow()
    # Everybody came every day for a month, until today: nothing tells the customers apart.
    ids = seed(db, [[now - timedelta(days=day) for day in range(31)] for _ in range(20)])
    refused = client.post("/api/v1/retention/model/fit", headers=admin.headers)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "retention_fit_failed" and "mô hình trước đó" in error["message"]
    english = client.post("/api/v1/retention/model/fit",
                          headers={**admin.headers, "Accept-Language": "en"})
    assert "previous model is still in use" in english.json()["error"]["message"]
    model = client.get("/api/v1/retention/model", headers=admin.headers).json()
    assert model["status"] == "fitted" and model["fit"]["r"] == 0.243
    assert model["last_failure"]["customers"] == 20 and model["last_failure"]["reason"]
    with db.session(Access.READ) as session:
        p_alive, visits = fit.scores(session, [ids[0]])[ids[0]]
    assert 0 < p_alive <= 1 and visits > 0


def test_nobody_came_back_yet_is_refused_with_its_code(client, db, admin):
    seed(db, [[utcnow() - timedelta(days=n)] for n in range(5)])
    refused = client.post("/api/v1/retention/model/fit", headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "retention_not_enough_history"
    model = client.get("/api/v1/retention/model", headers=admin.headers).json()
    assert model["status"] == "not_fitted" and model["fit"] is None
    with db.session(Access.READ) as session:
        assert fit.scores(session, [1, 2]) == {}


def test_only_an_admin_fits_and_only_staff_read(client, clerk):
    assert client.post("/api/v1/retention/model/fit", headers=clerk.headers).status_code == 403
    assert client.post("/api/v1/retention/model/fit").status_code == 401
    assert client.get("/api/v1/retention/model").status_code == 401
