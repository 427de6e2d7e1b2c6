"""The owner's charts' figures on a small planted history: each series as it must be, weeks
and months cut at the shop's midnight (not UTC's), cohort shares, the CSV of each (formulas
neutralised), the day's status counts kept after each full pass, admins only."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from kiosk_server.calls.models import AnswerSource, Group, LeaveAnswer, LeaveReason
from kiosk_server.reports import charts
from kiosk_server.reports.models import StatusCount
from kiosk_server.retention.models import Status
from kiosk_server.retention.worker import full_pass
from kiosk_server.wiring import retention_hooks
from tests.calls.helpers import open_case
from tests.feedback.helpers import named_staff
from tests.reports.helpers import ZONE, Shop, at


def series(client, headers, name, first, last):
    answer = client.get(f"/api/v1/insights/{name}?from={first}&to={last}", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return [dict(zip(data["columns"], row, strict=True)) for row in data["rows"]]


MONDAY = date(2026, 11, 2)  # weeks of 2 Nov, 9 Nov, 16 Nov 2026


def test_returning_customers_and_activity_per_week_in_the_shops_time(client, admin, db):
    shop = Shop(db)
    an, binh, chi = (shop.customer(name) for name in ("An", "Bình", "Chi"))
    shop.visit(an, at(MONDAY - timedelta(days=20), 10))  # before the span: An comes back
    shop.visit(an, at(MONDAY, 9), sale=100_000)
    shop.visit(binh, at(MONDAY + timedelta(days=1), 9), sale=50_000)
    shop.visit(binh, at(MONDAY + timedelta(days=2), 9), sale=70_000, voided=True)
    # Sunday 23:30 in the shop is still the first week (16:30 UTC); Monday 06:30 there
    # (Sunday 23:30 UTC) is the second.
    shop.visit(chi, at(MONDAY + timedelta(days=6), 23, 30))
    shop.visit(chi, at(MONDAY + timedelta(days=7), 6, 30), sale=30_000)
    first, last = MONDAY, MONDAY + timedelta(days=20)
    assert series(client, admin.headers, "returning", first, last) == [
        {"week": "2026-11-02", "customers": 3, "returning": 1, "returning_share": 0.3333},
        {"week": "2026-11-09", "customers": 1, "returning": 1, "returning_share": 1.0},
        {"week": "2026-11-16", "customers": 0, "returning": 0, "returning_share": None}]
    assert series(client, admin.headers, "activity", first, last) == [
        {"week": "2026-11-02", "visits": 4, "sales": 2, "sales_vnd": 150_000},
        {"week": "2026-11-09", "visits": 1, "sales": 1, "sales_vnd": 30_000},
        {"week": "2026-11-16", "visits": 0, "sales": 0, "sales_vnd": 0}]


def test_cohorts_are_the_share_of_each_months_new_customers_visiting_later(client, admin, db):
    shop = Shop(db)
    people = [shop.customer(f"Khách {n}") for n in range(5)]
    # September's new customers: four. October's: one, first come at 06:30 on 1 October
    # in the shop (still 30 September in UTC).
    september = people[:4]
    for person in september:
        shop.visit(person, at(date(2026, 9, 10), 10))
    shop.visit(people[4], at(date(2026, 10, 1), 6, 30))
    shop.visit(september[0], at(date(2026, 10, 3), 10))  # +1
    shop.visit(september[1], at(date(2026, 10, 31), 23, 50))  # +1 (16:50 UTC)
    shop.visit(september[1], at(date(2026, 11, 1), 6, 0))  # +2 (30 Oct 23:00 UTC)
    shop.visit(september[2], at(date(2026, 11, 20), 10))  # +2
    shop.visit(people[4], at(date(2026, 11, 2), 10))  # October's, +1
    rows = series(client, admin.headers, "cohorts", date(2026, 9, 1), date(2026, 11, 30))
    assert [(row["month"], row["customers"], row["m0"], row["m1"], row["m2"], row["m3"])
            for row in rows] == [("2026-09", 4, 1.0, 0.5, 0.5, None),
                                 ("2026-10", 1, 1.0, 1.0, None, None)]
    assert all(row["m11"] is None for row in rows)


def test_staff_ratings_per_month_with_their_answers(client, admin, db):
    shop = Shop(db)
    lan = named_staff(db, "lan", "Trần Thị Lan")
    minh = named_staff(db, "minh", "Phạm Văn Minh")
    customer = shop.customer("Hương")
    shop.visit(customer, at(date(2026, 10, 5), 10), staff_id=lan.staff_id, rated=5)
    shop.visit(customer, at(date(2026, 10, 31), 23), staff_id=lan.staff_id, rated=4)
    shop.visit(customer, at(date(2026, 11, 1), 6), staff_id=lan.staff_id, rated=2)
    shop.visit(customer, at(date(2026, 11, 3), 10), staff_id=minh.staff_id, rated=3)
    shop.visit(customer, at(date(2026, 11, 4), 10), staff_id=minh.staff_id)  # not rated
    rows = series(client, admin.headers, "staff_ratings", date(2026, 10, 1),
                  date(2026, 11, 30))
    assert [(row["month"], row["staff_name"], row["average"], row["answers"]) for row in rows] \
        == [("2026-10", "Trần Thị Lan", 4.5, 2), ("2026-11", "Trần Thị Lan", 2.0, 1),
            ("2026-11", "Phạm Văn Minh", 3.0, 1)]


def test_statuses_per_day_are_kept_after_each_full_pass(client, admin, db, settings):
    shop = Shop(db)
    now = at(date(2026, 11, 20), 21)
    for name in ("An", "Bình"):
        person = shop.customer(name)
        for days_ago in (40, 30, 20, 10, 1):
            shop.visit(person, now - timedelta(days=days_ago))
    shop.customer("Chưa ghé")  # no visit: new
    after = retention_hooks(settings).after_pass
    full_pass(db, zone=ZONE, now=now, after=after)
    full_pass(db, zone=ZONE, now=now + timedelta(days=15), after=after)
    full_pass(db, zone=ZONE, now=now + timedelta(days=15, hours=1), after=after)  # same day
    rows = series(client, admin.headers, "statuses", date(2026, 11, 1), date(2026, 12, 31))
    assert rows == [
        {"day": "2026-11-20", "new": 1, "active": 2, "watch": 0, "at_risk": 0, "lapsed": 0},
        {"day": "2026-12-05", "new": 1, "active": 0, "watch": 2, "at_risk": 0, "lapsed": 0}]


def test_the_demos_status_history_is_computed_as_of_past_sundays(db, settings):
    shop = Shop(db)
    now = at(date(2026, 11, 25), 12)  # a Wednesday
    person = shop.customer("An")  # added today, but came before
    for days_ago in (60, 50, 40, 30):
        shop.visit(person, now - timedelta(days=days_ago))
    shop.visit(shop.customer("Bình"), now - timedelta(days=2))  # after the last Sunday
    shop.customer("Chi", added=now - timedelta(days=12))  # added, never came: new
    assert charts.record_status_history(db, zone=ZONE, weeks=3, now=now) == 3
    with db.session() as session:
        rows = {(row.day, row.status): row.customers for row in session.exec(select(StatusCount))
                if row.customers}
    # An came every 10 days until 26 October: on Sunday 8 November 13 days before (active,
    # under 1.5x), on the 15th 20 days (at risk from 2x), on the 22nd 27 (not yet 3x).
    assert rows == {(date(2026, 11, 8), Status.ACTIVE): 1,
                    (date(2026, 11, 15), Status.AT_RISK): 1, (date(2026, 11, 15), Status.NEW): 1,
                    (date(2026, 11, 22), Status.AT_RISK): 1, (date(2026, 11, 22), Status.NEW): 1}


def test_reasons_and_win_back_per_month_of_the_cases_opening(client, admin, db):
    shop = Shop(db)
    october, november = at(date(2026, 10, 5), 9), at(date(2026, 11, 3), 9)
    plan = [(october, Group.CONTACT, True), (october, Group.CONTACT, False),
            (october, Group.HOLD_OUT, False), (november, Group.CONTACT, True),
            (november, Group.HOLD_OUT, True), (november, Group.NOT_DRAWN, True)]
    for n, (opened, group, back) in enumerate(plan):
        someone = shop.customer(f"Đỗ Thị Hoa {n}")
        open_case(db, someone, group, opened_at=opened)
        if back:
            shop.visit(someone, opened + timedelta(days=10))
        with db.session() as session:
            session.add(LeaveAnswer(customer_id=someone, reason=LeaveReason.PRICE if n < 4
                                    else LeaveReason.MOVED, source=AnswerSource.CALL if n % 2
                                    else AnswerSource.SURVEY, answered_at=opened))
    assert series(client, admin.headers, "win_back", "2026-10-01", "2026-11-30") == [
        {"month": "2026-10", "contacted_rate": 0.5, "contacted_n": 2, "held_out_rate": 0.0,
         "held_out_n": 1},
        {"month": "2026-11", "contacted_rate": 1.0, "contacted_n": 1, "held_out_rate": 1.0,
         "held_out_n": 1}]  # the staff flag's case is in neither group
    assert series(client, admin.headers, "win_back", "2026-11-01", "2026-11-30") == [
        {"month": "2026-11", "contacted_rate": 1.0, "contacted_n": 1, "held_out_rate": 1.0,
         "held_out_n": 1}]
    reasons = {row["reason"]: row for row in
               series(client, admin.headers, "reasons", "2026-10-01", "2026-11-30")}
    assert reasons["price"] == {"reason": "price", "call": 2, "survey": 2, "total": 4}
    assert reasons["moved"] == {"reason": "moved", "call": 1, "survey": 1, "total": 2}
    assert reasons["staff"]["total"] == 0
    assert [row["reason"] for row in series(client, admin.headers, "reasons", "2026-11-01",
                                            "2026-11-30") if row["total"]] == ["price", "moved"]


def test_no_data_gives_empty_series(client, admin):
    for name in charts.CHARTS:
        answer = client.get(f"/api/v1/insights/{name}", headers=admin.headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == []


def test_csv_is_the_same_table_with_formulas_neutralised(client, admin, db):
    shop = Shop(db)
    mallory = named_staff(db, "mallory", "=HYPERLINK(\"http://x\")")
    shop.visit(shop.customer("An"), at(date(2026, 11, 3), 10), staff_id=mallory.staff_id,
               rated=4)
    span = "from=2026-11-01&to=2026-11-30"
    data = client.get(f"/api/v1/insights/staff_ratings?{span}", headers=admin.headers).json()
    for path in (f"staff_ratings.csv?{span}", f"staff_ratings?{span}&format=csv"):
        answer = client.get(f"/api/v1/insights/{path}", headers=admin.headers)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert 'filename="kiosk-staff_ratings-2026-11-01-2026-11-30.csv"' in \
            answer.headers["content-disposition"]
        lines = answer.content.decode("utf-8-sig").splitlines()
        assert lines[0] == ",".join(data["columns"])
        assert lines[1] == f'2026-11,{mallory.staff_id},"\'=HYPERLINK(""http://x"")",4.0,1'


@pytest.mark.parametrize("path, status, code", [
    ("nothing", 404, "no_such_chart"),
    ("returning?from=2026-11-02&to=2026-11-01", 400, "span_reversed"),
])
def test_refusals_have_their_codes(client, admin, path, status, code):
    answer = client.get(f"/api/v1/insights/{path}", headers=admin.headers)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_days_out_of_range_are_refused_not_a_server_error(client, admin):
    answer = client.get("/api/v1/insights/returning?from=0001-01-01", headers=admin.headers)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "time_out_of_range"


def test_charts_are_for_admins(client, clerk):
    for name in charts.CHARTS:
        assert client.get(f"/api/v1/insights/{name}", headers=clerk.headers).status_code == 403
        assert client.get(f"/api/v1/insights/{name}.csv").status_code == 401
