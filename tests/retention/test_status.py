"""Statuses on a real database: the planted drifters of a synthetic history are exactly the
ones flagged, with the right reason; thresholds from the settings; the API; a sale
recomputes its customer after the commit and a change reaches the managers live."""

import json
import time
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select
from websockets.sync.client import connect

from kiosk_server import history
from kiosk_server.core.calendar import day_date
from kiosk_server.core.db import Access, id_of
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, CustomerCreate, Visit, VisitKind
from kiosk_server.privacy import service as privacy
from kiosk_server.retention import fit, rhythm, service
from kiosk_server.retention.models import CustomerStatus, Status
from kiosk_server.retention.worker import full_pass, recompute_customers

FLAGGED = {Status.WATCH, Status.AT_RISK, Status.LAPSED}
SETTINGS = {"min_intervals": 3, "watch_overdue": 1.5, "at_risk_overdue": 2.0,
            "lapsed_overdue": 3.0, "watch_spend_drop_pct": 20, "at_risk_spend_drop_pct": 50,
            "lapsed_after_days": 180}


def _plant(db, settings, count=150):
    with db.session() as session:
        planted = history.write(session, history.people(count), zone=settings.zone)
    return planted


def _statuses(db) -> dict:
    with db.session(Access.READ) as session:
        return {row.customer_id: row for row in session.exec(select(CustomerStatus))}


def _as_computed(db, customer_ids, moment) -> dict:
    """Each customer's status as computed afresh at `moment`."""
    with db.session(Access.READ) as session:
        return {c: service.compute(session, c, moment=moment).status for c in customer_ids}


def test_exactly_the_planted_drifters_are_flagged_with_their_reason(db, settings):
    planted = _plant(db, settings)
    report = full_pass(db, zone=settings.zone, batch=40)  # several batches
    assert (report.customers, report.changes) == (150, 0)  # first statuses are no change
    statuses = _statuses(db)
    assert len(statuses) == 150
    for plant in planted:
        row = statuses[plant.customer_id]
        assert (row.status, row.reason) == (plant.status, plant.reason), plant.label
    flagged = {customer_id for customer_id, row in statuses.items() if row.status in FLAGGED}
    assert flagged == {plant.customer_id for plant in planted if plant.status in FLAGGED}
    again = full_pass(db, zone=settings.zone)
    assert again.changes == 0


def test_thresholds_come_from_the_settings_and_changes_are_recorded(db, settings, client,
                                                                    admin, clerk):
    planted = _plant(db, settings, count=40)
    full_pass(db, zone=settings.zone)
    assert client.get("/api/v1/retention-settings", headers=clerk.headers).json()[
        "watch_overdue"] == 1.5
    refused = client.put("/api/v1/retention-settings", headers=clerk.headers, json=SETTINGS)
    assert refused.status_code == 403
    saved = client.put("/api/v1/retention-settings", headers=admin.headers,
                       json={**SETTINGS, "watch_overdue": 1.4})
    assert saved.status_code == 200, saved.text
    assert saved.json()["updated_by"] == admin.staff_id
    started = utcnow() - timedelta(seconds=1)
    report = full_pass(db, zone=settings.zone)
    [just_under] = [p for p in planted if p.label == "1.5x overdue, 14 days"]
    assert report.changes == 1
    changes = client.get("/api/v1/status-changes", headers=clerk.headers,
                         params={"since": started.isoformat()}).json()
    assert [(c["customer_id"], c["from_status"], c["to_status"], c["reason"])
            for c in changes] == [(just_under.customer_id, "active", "watch", "overdue")]
    log = client.get("/api/v1/audit", headers=admin.headers, params={"kind": "settings"})
    [entry] = log.json()["items"]
    assert (entry["action"], entry["details"]) == ("settings.retention", {"watch_overdue": 1.4})


def test_a_night_later_only_what_moved_is_written_and_the_days_since_still_count(
        db, settings):
    """The days since the last visit are counted when a status is read (the row keeps the
    day), so a pass a day later writes only the rows whose status or figures moved; what a
    row says then is what a fresh computation says. Hooks still hear of every drifting
    customer, moved or not (a case opened since acts on them)."""
    planted = _plant(db, settings, count=40)
    now = utcnow()
    full_pass(db, zone=settings.zone, now=now)
    before = _statuses(db)
    heard = []
    tomorrow = now + timedelta(days=1)
    full_pass(db, zone=settings.zone, now=tomorrow,
              hooks=[lambda session, changes, *, at: heard.extend(changes)])
    after = _statuses(db)
    untouched = {c for c in after if after[c].computed_at == before[c].computed_at}
    moved = {c for c in after if after[c].computed_at == tomorrow}
    assert untouched and moved and untouched | moved == set(after)
    assert all(after[c].last_visit_day == before[c].last_visit_day for c in untouched)
    with db.session(Access.READ) as session:
        moment = service.Moment.of(session, settings.zone, tomorrow)
        for plant in planted:
            fresh = service.compute(session, plant.customer_id, moment=moment)
            assert rhythm.Standing.of_stored(after[plant.customer_id], moment.today) == fresh
    drifting = {c for c in after if after[c].status in FLAGGED}
    assert drifting - moved  # some drifting customers' rows stood still...
    assert sorted(change.customer_id for change in heard) == sorted(moved | drifting)  # heard


def test_the_models_scores_are_rewritten_once_they_moved_by_what_a_page_shows():
    stored = (7, "active", "on_rhythm", 5, 10.0, 20_400, 0, 0, 0, 0.9, 4.0)
    assert not service._moved(stored, stored)
    assert not service._moved(stored, (*stored[:9], 0.904, 4.04))
    assert service._moved(stored, (*stored[:9], 0.894, 4.0))  # a page said 90 %, now 89 %
    assert service._moved(stored, (*stored[:9], 0.9, 4.06))
    assert service._moved(stored, (*stored[:9], None, None))  # the model gone
    assert service._moved((*stored[:9], None, None), stored)
    assert service._moved(stored, (*stored[:5], 20_401, *stored[6:]))  # a visit: exact
    assert service._moved(None, stored)


def test_bad_thresholds_are_refused_with_codes(client, admin):
    cases = [({"watch_overdue": 2.5}, "thresholds_out_of_order", None),
             ({"watch_spend_drop_pct": 60}, "thresholds_out_of_order", None),
             ({"lapsed_after_days": 0}, "greater_than_equal", "lapsed_after_days"),
             ({"min_intervals": "3"}, "int_type", "min_intervals"),
             ({"lapsed_overdue": "often"}, "float_parsing", "lapsed_overdue")]
    for change, code, field in cases:
        answer = client.put("/api/v1/retention-settings", headers=admin.headers,
                            json={**SETTINGS, **change})
        assert answer.status_code == 422, (change, answer.text)
        [problem] = answer.json()["detail"]
        assert problem["type"] == code, (change, problem)
        assert problem["loc"] == (["body", field] if field else ["body"])


def test_a_customers_status_and_the_list_by_status(db, settings, client, clerk):
    planted = _plant(db, settings, count=30)
    [at_risk] = [p for p in planted if p.label == "2.0x overdue, 20 days"]
    early = client.get(f"/api/v1/customers/{at_risk.customer_id}/status",
                       headers=clerk.headers)  # before any pass: computed on the spot
    assert early.status_code == 200, early.text
    assert (early.json()["status"], early.json()["reason"]) == ("at_risk", "overdue")
    full_pass(db, zone=settings.zone)
    body = client.get(f"/api/v1/customers/{at_risk.customer_id}/status",
                      headers=clerk.headers).json()
    assert (body["usual_interval_days"], body["days_since"], body["visit_count"]) == (10.0, 20, 5)
    assert client.get("/api/v1/customers/999999/status", headers=clerk.headers).json()[
        "error"]["code"] == "customer_not_found"
    assert client.get(f"/api/v1/customers/{at_risk.customer_id}/status").status_code == 401
    listed = client.get("/api/v1/customer-statuses", headers=clerk.headers,
                        params={"status": "at_risk", "limit": 2}).json()
    expected = sorted(p.customer_id for p in planted if p.status is Status.AT_RISK)
    assert [item["customer_id"] for item in listed["items"]] == expected[:2]
    rest = client.get("/api/v1/customer-statuses", headers=clerk.headers,
                      params={"status": "at_risk", "after": listed["next_cursor"]}).json()
    assert [item["customer_id"] for item in listed["items"] + rest["items"]] == expected
    assert rest["next_cursor"] is None and all(item["full_name"] for item in rest["items"])
    bad = client.get("/api/v1/customer-statuses", headers=clerk.headers,
                     params={"status": "gone"})
    assert bad.status_code == 422


def _ws(live_server: str) -> str:
    return live_server.replace("http://", "ws://") + "/api/v1/alerts/live"


def test_a_sale_recomputes_its_customer_after_the_commit_and_managers_see_it_live(
        db, settings, http, live_server, admin, app):
    planted = _plant(db, settings, count=25)
    full_pass(db, zone=settings.zone)
    [drifting] = [p for p in planted if p.label == "3.0x overdue, 31 days"]
    worker = app.state.retention
    with connect(_ws(live_server), additional_headers=admin.headers) as alerts:
        assert json.loads(alerts.recv(timeout=5)) == {"type": "ready"}
        before = worker.recomputed
        sale = http.post(f"/api/v1/customers/{drifting.customer_id}/purchases",
                         headers=admin.headers,
                         json={"amount_vnd": 200_000, "request_id": uuid.uuid4().hex})
        assert sale.status_code == 201, sale.text
        alert = json.loads(alerts.recv(timeout=5))
    assert worker.recomputed > before
    assert alert["type"] == "status_change" and alert["customer_id"] == drifting.customer_id
    assert (alert["from_status"], alert["status"], alert["reason"]) == (
        "lapsed", "active", "on_rhythm")
    assert alert["days_since"] == 0 and alert["customer_name"]
    # No fit yet: the model's scores are there, empty; the usual spend counts the sale.
    assert (alert["p_alive"], alert["value_at_risk_vnd"]) == (None, None)
    assert alert["usual_spend_vnd"] >= round(200_000 * 90 / 365)
    status = http.get(f"/api/v1/customers/{drifting.customer_id}/status",
                      headers=admin.headers).json()
    assert status["status"] == "active"
    since = (utcnow() - timedelta(minutes=5)).isoformat()
    changes = http.get("/api/v1/status-changes", headers=admin.headers,
                       params={"since": since}).json()
    assert [(c["customer_id"], c["to_status"]) for c in changes] == [
        (drifting.customer_id, "active")]


def test_a_check_in_recomputes_its_guest_off_the_request(db, settings, client, admin,
                                                         seminar, app):
    worker = app.state.retention
    before = worker.recomputed
    checked = client.post("/api/v1/checkins", headers=admin.headers,
                          json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert checked.status_code == 200, checked.text
    deadline = time.monotonic() + 5
    while worker.recomputed == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.recomputed == before + 1
    with db.session(Access.READ) as session:
        found = service.status_of(session, customer_id=seminar.customer_ids[0],
                                  zone=settings.zone)
    assert (found.status, found.visit_count, found.days_since) == (Status.NEW, 1, 0)


def test_the_status_is_in_the_customers_export_and_goes_with_their_erasure(db, settings, app,
                                                                            client, admin):
    planted = _plant(db, settings, count=20)
    [drifting] = [p for p in planted if p.label == "2.0x overdue, 21 days"]
    full_pass(db, zone=settings.zone)
    saved = client.put("/api/v1/retention-settings", headers=admin.headers,
                       json={**SETTINGS, "at_risk_overdue": 2.5})
    assert saved.status_code == 200, saved.text
    assert full_pass(db, zone=settings.zone).changes >= 1  # at risk -> watch
    with db.session(Access.READ) as session:
        parts = privacy.collect(session, customer_id=drifting.customer_id)
    assert [row["status"] for row in parts["status"]] == [Status.WATCH]
    with db.session(Access.READ) as session:
        since = service.status_of(session, customer_id=drifting.customer_id,
                                  zone=settings.zone).days_since
    assert parts["status"][0]["last_visit_day"] == day_date(fit.local_today(settings.zone)
                                                            - since)  # a date, not a number
    assert [(c["from_status"], c["to_status"]) for c in parts["status_changes"]] == [
        (Status.AT_RISK, Status.WATCH)]
    with db.session() as session:
        privacy.erase(session, customer_id=drifting.customer_id, by_customer=False,
                      staff_id=admin.staff_id, hooks=app.state.erasure_hooks)
    full_pass(db, zone=settings.zone)
    # A visit of theirs committed just before the erasure is not followed any more either.
    assert recompute_customers(db, [drifting.customer_id, 999_999], zone=settings.zone) == 0
    with db.session(Access.READ) as session:
        parts = privacy.collect(session, customer_id=drifting.customer_id)
    assert parts["status"] == [] and parts["status_changes"] == []
    # Nor anyone never there (no key to customers refuses such a row: nothing writes one).
    assert not {drifting.customer_id, 999_999} & set(_statuses(db))


def test_the_full_pass_leaves_a_row_recomputed_after_it_read_its_batch(db, settings):
    planted = _plant(db, settings, count=20)
    full_pass(db, zone=settings.zone)
    [drifting] = [p for p in planted if p.label == "3.0x overdue, 31 days"]
    later = utcnow() + timedelta(days=40)  # every row's days since grows: all rewritten
    with db.session(Access.READ) as session:
        moment = service.Moment.of(session, settings.zone, later)
        ids = customers.customer_ids(session, limit=1000)
        read = service.read_batch(session, ids, moment=moment)
    # Meanwhile a visit, and its customer's recomputation after it (the worker's).
    with db.session() as session:
        session.add(Visit(customer_id=drifting.customer_id, kind=VisitKind.EVENT,
                          occurred_at=utcnow(), gate=""))
    recompute_customers(db, [drifting.customer_id], zone=settings.zone)
    with db.session() as session:
        service.recompute(session, moment=moment, read=read)
    statuses = _statuses(db)
    assert (statuses[drifting.customer_id].status, statuses[drifting.customer_id].last_visit_day
            ) == (Status.ACTIVE, fit.local_today(settings.zone))
    others = [p.customer_id for p in planted if p.customer_id != drifting.customer_id]
    assert _as_computed(db, others, moment) == {c: statuses[c].status for c in others}
    assert any(statuses[c].computed_at == later for c in others)  # 40 days moved some


def test_the_full_pass_writes_nothing_for_a_customer_erased_after_it_read_its_batch(
        db, settings, app, admin):
    """A batch read ahead, then one customer erased (their status goes with them), another
    erased who had no status yet: the write leaves both without one, the rest written."""
    planted = _plant(db, settings, count=20)
    full_pass(db, zone=settings.zone)
    with db.session() as session:
        newcomer = id_of(customers.create_customer(session, data=CustomerCreate(
            full_name="Lê Văn Mới"), by=ConsentBy(ConsentSource.STAFF)))
    gone = [planted[3].customer_id, newcomer]
    later = utcnow() + timedelta(days=40)
    with db.session(Access.READ) as session:
        moment = service.Moment.of(session, settings.zone, later)
        read = service.read_batch(session, customers.customer_ids(session, limit=1000),
                                  moment=moment)
    assert set(gone) <= set(read.ids)
    for customer_id in gone:
        with db.session() as session:
            privacy.erase(session, customer_id=customer_id, by_customer=False,
                          staff_id=admin.staff_id, hooks=app.state.erasure_hooks)
    with db.session() as session:
        service.recompute(session, moment=moment, read=read)
    statuses = _statuses(db)
    assert not set(gone) & set(statuses)
    kept = [p.customer_id for p in planted if p.customer_id not in gone]
    assert _as_computed(db, kept, moment) == {c: statuses[c].status for c in kept}


def test_the_read_after_a_visit_brings_the_thresholds_and_says_the_commit_need_not_wait(
        db, settings, client, admin):
    """A recomputation after a visit reads the thresholds, the model and the customer in one
    statement that, on PostgreSQL, also makes its transaction's commit asynchronous: the
    statuses can be computed again, the cases and messages written elsewhere cannot (they
    commit as usual). A customer erased, or never there, still gives the moment."""
    saved = client.put("/api/v1/retention-settings", headers=admin.headers, json={
        "min_intervals": 4, "watch_overdue": 1.6, "at_risk_overdue": 2.5,
        "lapsed_overdue": 3.5, "watch_spend_drop_pct": 25, "at_risk_spend_drop_pct": 55,
        "lapsed_after_days": 200})
    assert saved.status_code == 200, saved.text
    [drifting] = [p for p in _plant(db, settings, count=5)
                  if p.label == "3.0x overdue, 31 days"]
    full_pass(db, zone=settings.zone)
    with db.session() as session:
        moment, reads = service.read_one(session, customer_id=drifting.customer_id,
                                         zone=settings.zone)
        # As the pass stored it, by the saved thresholds: 3x overdue is not lapsed at 3.5x.
        assert reads.stored[drifting.customer_id][:3] == (drifting.customer_id, "at_risk",
                                                          "overdue")
        assert (moment.thresholds.min_intervals, moment.thresholds.at_risk_overdue,
                moment.thresholds.lapsed_after_days) == (4, 2.5, 200)
        assert moment.model is None  # no fit yet
        assert reads.ids == [drifting.customer_id] and len(reads.days.days) >= 3
        assert list(reads.stored) == [drifting.customer_id]  # the pass wrote it
        if session.connection().dialect.name == "postgresql":
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
    with db.session() as session:
        nobody_moment, nobody = service.read_one(session, customer_id=999_999,
                                                 zone=settings.zone)
        assert nobody.ids == [] and nobody_moment.thresholds == moment.thresholds
    with db.session() as session:
        service.Moment.of(session, settings.zone)
        if session.connection().dialect.name == "postgresql":
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"