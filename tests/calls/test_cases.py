"""Cases open from the statuses retention writes (at risk and lapsed only, once, the group
drawn with the hold-out share) and close when the customer comes back."""

import random
import uuid

from sqlmodel import select

from kiosk_server import history
from kiosk_server.calls.cases import CaseOpener
from kiosk_server.calls.models import Case, CaseSource, CaseState, CloseReason, Group
from kiosk_server.core.db import Access
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.retention import rhythm
from kiosk_server.retention.models import Reason, Status
from kiosk_server.retention.service import Change
from kiosk_server.retention.worker import full_pass, recompute_customers
from kiosk_server.wiring import retention_hooks
from tests.calls.conftest import cases_by_customer, key, save_call_settings


def test_a_pass_opens_one_case_for_each_customer_at_risk_or_lapsed(db, settings, shop):
    opened = cases_by_customer(db)
    assert set(opened) == {plant.customer_id for plant in shop.drifting}
    for plant in shop.drifting:
        [case] = opened[plant.customer_id]
        assert (case.source, case.group, case.state) == (CaseSource.STATUS, Group.CONTACT,
                                                         CaseState.OPEN)
        assert (case.status_at_open, case.reason_at_open) == (plant.status, plant.reason)
    full_pass(db, zone=settings.zone, hooks=[shop.opener])
    assert cases_by_customer(db) == opened


def test_the_server_and_the_command_line_open_cases_through_the_wiring(settings):
    assert any(isinstance(hook, CaseOpener) for hook in retention_hooks(settings).statuses)


def _at_risk(customer_id: int) -> Change:
    return Change(customer_id, Status.ACTIVE,
                  rhythm.Standing(Status.AT_RISK, Reason.OVERDUE, 6, 10.0, 25, 0, 0))


def test_the_hold_out_is_drawn_at_about_its_share(db, settings, client, admin):
    save_call_settings(client, admin.headers, hold_out_pct=25)
    with db.session() as session:
        history.write(session, history.people(400), zone=settings.zone)
        ids = customers.customer_ids(session, limit=1000)
    opener = CaseOpener(settings.zone, draw=random.Random(14))
    with db.session() as session:
        opener(session, [_at_risk(customer_id) for customer_id in ids], at=utcnow())
    groups = [cases[0].group for cases in cases_by_customer(db).values()]
    assert len(groups) == 400
    # 400 draws at 25 %: 100 expected, a standard deviation of 8.7.
    assert 65 <= groups.count(Group.HOLD_OUT) <= 135
    assert groups.count(Group.CONTACT) == 400 - groups.count(Group.HOLD_OUT)


def test_two_openings_at_once_make_one_case(db, settings, shop):
    watcher = shop.one("1.5x overdue, 15 days")  # watch: no case yet
    with db.session() as session:
        shop.opener(session, [_at_risk(watcher.customer_id)], at=utcnow())
        shop.opener(session, [_at_risk(watcher.customer_id)], at=utcnow())
    assert len(cases_by_customer(db)[watcher.customer_id]) == 1


def _sale(client, headers, customer_id):
    sale = client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers,
                       json={"amount_vnd": 150_000, "request_id": uuid.uuid4().hex})
    assert sale.status_code == 201, sale.text
    return sale.json()


def test_a_customer_who_comes_back_closes_their_case_as_returned(db, settings, shop, client,
                                                                 admin):
    lapsed = shop.one("3.0x overdue, 31 days")
    started = utcnow()
    _sale(client, admin.headers, lapsed.customer_id)
    recompute_customers(db, [lapsed.customer_id], zone=settings.zone, hooks=[shop.opener])
    [case] = cases_by_customer(db)[lapsed.customer_id]
    assert (case.state, case.close_reason) == (CaseState.CLOSED, CloseReason.RETURNED)
    assert case.returned_at is not None and case.returned_at >= started.replace(microsecond=0)
    listed = client.get("/api/v1/calls/cases", headers=admin.headers).json()
    assert lapsed.customer_id not in [row["customer_id"] for row in listed["items"]]


def test_a_flag_raised_during_a_visit_does_not_close_its_own_case(db, settings, shop, client,
                                                                  admin):
    regular = shop.one("2.0x overdue, 19 days")  # watch
    _sale(client, admin.headers, regular.customer_id)
    flagged = client.post(f"/api/v1/customers/{regular.customer_id}/leaving-flags",
                          headers=admin.headers,
                          json={"words": "Chê giá tăng", "place": "till", "client_key": key()})
    assert flagged.status_code == 201, flagged.text
    recompute_customers(db, [regular.customer_id], zone=settings.zone, hooks=[shop.opener])
    [case] = cases_by_customer(db)[regular.customer_id]
    assert case.state is CaseState.OPEN


def test_a_case_closed_by_staff_is_not_reopened_while_they_stay_away(db, settings, shop,
                                                                      client, admin):
    at_risk = shop.one("2.0x overdue, 20 days")
    [case] = cases_by_customer(db)[at_risk.customer_id]
    closed = client.post(f"/api/v1/calls/cases/{case.id}/close", headers=admin.headers)
    assert closed.status_code == 200 and closed.json()["close_reason"] == "closed_by_staff"
    again = client.post(f"/api/v1/calls/cases/{case.id}/close", headers=admin.headers)
    assert again.status_code == 200
    full_pass(db, zone=settings.zone, hooks=[shop.opener])
    assert [c.state for c in cases_by_customer(db)[at_risk.customer_id]] == [CaseState.CLOSED]
    with db.session(Access.READ) as session:
        assert session.exec(select(Case).where(Case.state == CaseState.OPEN,
                                               Case.customer_id == at_risk.customer_id)
                            ).first() is None
