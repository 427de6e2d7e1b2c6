"""The list by value at risk, assignment (admins only), calls with their outcome and the
reason given, retries acting once, the hold-out never listed nor callable."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from kiosk_server.calls import cases, value
from kiosk_server.calls.models import Case, CloseReason, Group, LeaveAnswer
from kiosk_server.core.db import Access
from kiosk_server.core.types import utcnow
from kiosk_server.loyalty.models import Purchase
from kiosk_server.retention import fit
from kiosk_server.retention.worker import full_pass
from tests.calls.conftest import SCRIPT, cases_by_customer, key
from tests.feedback.helpers import named_staff, sale_link
from tests.retention.test_fit import seed, simulated


def _spent(db, customer_id, amount, days_ago):
    """A sale from before the case opened (a sale now would be their return)."""
    with db.session() as session:
        session.add(Purchase(customer_id=customer_id, amount_vnd=amount, points=0,
                             request_id=key(), occurred_at=utcnow() - timedelta(days=days_ago)))


def _case_of(db, customer_id) -> Case:
    return cases_by_customer(db)[customer_id][-1]


def _call(client, headers, case_id, **body):
    return client.post(f"/api/v1/calls/cases/{case_id}/calls", headers=headers,
                       json={"outcome": "no_answer", "client_key": key(), **body})


def test_the_list_is_ordered_by_value_at_risk(shop, client, clerk, db, settings):
    big, middle, small = (shop.one(label).customer_id for label in (
        "3.0x overdue, 30 days", "2.0x overdue, 21 days", "3.0x overdue, 31 days"))
    _spent(db, big, 3_650_000, 40)  # 900,000 a usual 90 days
    _spent(db, middle, 1_460_000, 200)  # 360,000
    _spent(db, small, 365_000, 300)  # 90,000
    full_pass(db, zone=settings.zone, hooks=[shop.opener])  # the figures kept with statuses
    page = client.get("/api/v1/calls/cases", headers=clerk.headers).json()
    assert page["ranked_by_model"] is False  # no model fitted yet: by spend alone
    values = [row["value_at_risk_vnd"] for row in page["items"]]
    assert values == sorted(values, reverse=True)
    order = [row["customer_id"] for row in page["items"]]
    assert order.index(big) < order.index(middle) < order.index(small)
    first = page["items"][order.index(big)]
    assert (first["usual_spend_vnd"], first["p_alive"], first["value_at_risk_vnd"]) == (
        900_000, None, 900_000)
    assert first["status"] == "lapsed" and first["reason"] == "overdue"
    assert first["last_visits"] and first["full_name"]
    with db.session(Access.READ) as session:
        assert value.values_at_risk(session, [small])[small] == (90_000, None, 90_000)


def test_the_list_pages(shop, client, clerk, db):
    whole = client.get("/api/v1/calls/cases", headers=clerk.headers).json()
    assert whole["total"] == len(shop.drifting) and whole["next_cursor"] is None
    first = client.get("/api/v1/calls/cases", headers=clerk.headers,
                       params={"limit": 2}).json()
    second = client.get("/api/v1/calls/cases", headers=clerk.headers,
                        params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [row["id"] for row in first["items"] + second["items"]] == [
        row["id"] for row in whole["items"][:4]]
    # Meanwhile the first page's cases are called and closed: the next page still starts
    # after the last one shown (by position it would skip the two that moved up).
    with db.session() as session:
        for row in first["items"]:
            cases.close_case(session, session.get(Case, row["id"]),
                             reason=CloseReason.CLOSED_BY_STAFF, at=utcnow())
    again = client.get("/api/v1/calls/cases", headers=clerk.headers,
                       params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [row["id"] for row in again["items"]] == [row["id"] for row in second["items"]]
    assert again["total"] == whole["total"] - 2
    for bad in ("2", "1:x:3:4", "0:1:2", "9:1:2:3"):
        refused = client.get("/api/v1/calls/cases", headers=clerk.headers,
                             params={"cursor": bad})
        assert refused.status_code == 422, bad


def test_an_admin_assigns_calls_and_staff_see_theirs(shop, client, clerk, admin):
    case_id = client.get("/api/v1/calls/cases", headers=clerk.headers).json()["items"][0]["id"]
    refused = client.put(f"/api/v1/calls/cases/{case_id}/assignee", headers=clerk.headers,
                         json={"staff_id": clerk.staff_id})
    assert refused.status_code == 403
    given = client.put(f"/api/v1/calls/cases/{case_id}/assignee", headers=admin.headers,
                       json={"staff_id": clerk.staff_id})
    assert given.status_code == 200 and given.json()["assigned_to"] == clerk.staff_id
    mine = client.get("/api/v1/calls/cases", headers=clerk.headers,
                      params={"assigned": "me"}).json()["items"]
    assert [(row["id"], row["assignee_name"]) for row in mine] == [(case_id, "clerk")]
    assert client.get("/api/v1/calls/cases", headers=admin.headers,
                      params={"assigned": "me"}).json()["items"] == []
    nobody = client.get("/api/v1/calls/cases", headers=clerk.headers,
                        params={"assigned": "nobody"}).json()
    assert case_id not in [row["id"] for row in nobody["items"]]
    assert nobody["total"] == len(shop.drifting) - 1
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert log[0]["action"] == "retention.case_assign" and log[0]["target_label"]
    unknown = client.put(f"/api/v1/calls/cases/{case_id}/assignee", headers=admin.headers,
                         json={"staff_id": 999})
    assert unknown.status_code == 404


def test_a_call_records_its_outcome_and_the_reason_given(shop, client, clerk, db, settings):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    tomorrow = (utcnow().astimezone(settings.zone) + timedelta(days=1)).date().isoformat()
    called = _call(client, clerk.headers, case.id, outcome="reached", reason="price",
                   will_return="unsure", notes="Hẹn gọi lại", follow_up_on=tomorrow)
    assert called.status_code == 201, called.text
    body = called.json()
    assert (body["outcome"], body["reason"], body["will_return"], body["staff_name"]) == (
        "reached", "price", "unsure", "clerk")
    with db.session(Access.READ) as session:
        [answer] = session.exec(select(LeaveAnswer)).all()
        assert (answer.source, answer.call_id, answer.case_id) == ("call", body["id"], case.id)
    assert _case_of(db, case.customer_id).follow_up_on.isoformat() == tomorrow
    detail = client.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers).json()
    assert [c["id"] for c in detail["calls"]] == [body["id"]]
    assert detail["script"] == SCRIPT.splitlines()
    assert detail["case"]["follow_up_on"] == tomorrow and detail["visits"]


def test_a_calls_mistakes_are_refused_with_codes(shop, client, clerk, db, settings):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    yesterday = (utcnow().astimezone(settings.zone) - timedelta(days=1)).date().isoformat()
    for body, code in (({"follow_up_on": yesterday}, "follow_up_in_past"),
                       ({"outcome": "reached"}, "reason_needed"),
                       ({"outcome": "reached", "reason": "other"}, "words_needed"),
                       ({"reason": "price"}, "answer_without_reach")):
        refused = _call(client, clerk.headers, case.id, **body)
        assert refused.status_code == 400, body
        assert refused.json()["error"]["code"] == code
    assert _call(client, clerk.headers, case.id, outcome="maybe").status_code == 422


def test_a_retried_call_acts_once(shop, client, clerk, admin, db):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    same = key()
    first = _call(client, clerk.headers, case.id, client_key=same)
    again = _call(client, clerk.headers, case.id, client_key=same)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    detail = client.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers).json()
    assert len(detail["calls"]) == 1
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [entry["action"] for entry in log].count("retention.call") == 1


def test_two_calls_at_once_with_their_own_keys_are_both_recorded(shop, http, clerk, db):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: _call(http, clerk.headers, case.id), range(2)))
    assert [answer.status_code for answer in answers] == [201, 201]
    detail = http.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers).json()
    assert len(detail["calls"]) == 2


def test_the_hold_out_is_never_listed_nor_callable(shop, client, clerk, admin, db):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    with db.session() as session:
        held = session.get(Case, case.id)
        held.group = Group.HOLD_OUT
        session.add(held)
    for params in ({}, {"assigned": "nobody"}):
        listed = client.get("/api/v1/calls/cases", headers=admin.headers, params=params).json()
        assert case.id not in [row["id"] for row in listed["items"]]
    for answer in (_call(client, clerk.headers, case.id),
                   client.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers),
                   client.put(f"/api/v1/calls/cases/{case.id}/assignee", headers=admin.headers,
                              json={"staff_id": clerk.staff_id})):
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "case_held_out"


def test_a_closed_case_takes_no_call(shop, client, clerk, admin, db):
    case = _case_of(db, shop.one("3.0x overdue, 31 days").customer_id)
    assert client.post(f"/api/v1/calls/cases/{case.id}/close",
                       headers=clerk.headers).status_code == 403
    assert client.post(f"/api/v1/calls/cases/{case.id}/close",
                       headers=admin.headers).status_code == 200
    refused = _call(client, clerk.headers, case.id)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "case_closed"
    assert client.get("/api/v1/calls/cases/999999", headers=clerk.headers).status_code == 404


def test_the_settings_are_read_by_staff_and_changed_by_admins(client, clerk, admin):
    read = client.get("/api/v1/calls/settings", headers=clerk.headers).json()
    assert (read["hold_out_pct"], read["win_back_days"], read["exit_survey"]) == (10, 60, True)
    body = {**read, "hold_out_pct": 20}
    assert client.put("/api/v1/calls/settings", headers=clerk.headers,
                      json=body).status_code == 403
    for wrong in ({"hold_out_pct": 51}, {"win_back_days": 6}, {"script": ""}):
        assert client.put("/api/v1/calls/settings", headers=admin.headers,
                          json={**body, **wrong}).status_code == 422
    saved = client.put("/api/v1/calls/settings", headers=admin.headers, json=body)
    assert saved.status_code == 200 and saved.json()["hold_out_pct"] == 20
    log = client.get("/api/v1/audit", headers=admin.headers,
                     params={"kind": "settings"}).json()["items"]
    assert (log[0]["action"], log[0]["details"]) == ("settings.calls", {"hold_out_pct": 20})


def test_the_call_view_holds_the_history_a_call_needs(shop, client, clerk, admin, db):
    lapsed = shop.one("3.0x overdue, 31 days").customer_id
    case = _case_of(db, lapsed)
    opened = client.post(f"/api/v1/customers/{lapsed}/complaints", headers=admin.headers,
                         json={"text": "Đồ uống nguội"})
    assert opened.status_code == 201, opened.text
    row = next(item for item in client.get("/api/v1/calls/cases", headers=clerk.headers)
               .json()["items"] if item["id"] == case.id)
    assert (row["open_complaints"], row["low_ratings"]) == (1, 0)
    hoa = named_staff(db, "hoa", "Lê Thị Hoa")
    token = sale_link(client, hoa.headers, lapsed)  # they came back: the case closes
    rated = client.put(f"/api/v1/feedback/{token}", json={
        "visit_rating": 2, "staff_rating": 1, "comment": "Chờ quá lâu"})
    assert rated.status_code == 200, rated.text
    detail = client.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers).json()
    assert [c["text"] for c in detail["complaints"]][-1] == "Đồ uống nguội"
    assert [(r["visit_rating"], r["comment"], r["staff_name"]) for r in detail["low_ratings"]] \
        == [(2, "Chờ quá lâu", "Lê Thị Hoa")]
    assert detail["purchases"][0]["staff_name"] == "Lê Thị Hoa"
    assert detail["case"]["served_by"][0] == "Lê Thị Hoa"
    assert detail["case"]["low_ratings"] == 1


def test_with_a_model_the_value_is_the_usual_spend_times_the_chance_they_are_gone(
        client, db, admin, settings):
    ids = seed(db, simulated(utcnow()))
    assert client.post("/api/v1/retention/model/fit", headers=admin.headers).status_code == 200
    customer_id = ids[0]
    _spent(db, customer_id, 3_650_000, 30)
    full_pass(db, zone=settings.zone)  # scores and spend kept with each status
    with db.session(Access.READ) as session:
        usual, p_alive, at_risk = value.values_at_risk(session, [customer_id])[customer_id]
        [(alive, _)] = fit.scores(session, [customer_id]).values()
        assert value.ranked_by_model(session)
    assert usual == 900_000 and 0 < p_alive < 1
    assert p_alive == pytest.approx(alive)
    assert at_risk == round(900_000 * (1 - alive))
