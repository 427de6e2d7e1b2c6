"""Ratings per staff member and per ISO week, with their number of answers; a staff member
reads their own only."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk_server.feedback.ratings import iso_week
from tests.feedback.helpers import named_staff, sale_link


def _rate(client, headers, customer_id, visit, staff, comment=""):
    token = sale_link(client, headers, customer_id)
    given = client.put(f"/api/v1/feedback/{token}", json={
        "visit_rating": visit, "staff_rating": staff, "comment": comment})
    assert given.status_code == 200, given.text


def test_averages_come_with_their_number_of_answers(client, admin, seminar, db):
    lan = named_staff(db, "lan", "Trần Thị Lan")
    minh = named_staff(db, "minh", "Phạm Văn Minh")
    customer = seminar.customer_ids[0]
    _rate(client, lan.headers, customer, 5, 5, "Rất tốt")
    _rate(client, lan.headers, customer, 4, 5)
    _rate(client, minh.headers, customer, 2, 1, "Chậm")
    report = client.get("/api/v1/ratings", headers=admin.headers).json()
    by_name = {row["staff_name"]: row for row in report["per_staff"]}
    assert by_name["Trần Thị Lan"]["staff"] == {"average": 5.0, "answers": 2}
    assert by_name["Trần Thị Lan"]["visit"] == {"average": 4.5, "answers": 2}
    assert by_name["Phạm Văn Minh"]["staff"] == {"average": 1.0, "answers": 1}
    week = iso_week(datetime.now(UTC), ZoneInfo("Asia/Ho_Chi_Minh"))
    assert {(row["staff_name"], row["week"], row["staff"]["answers"])
            for row in report["per_week"]} == {("Trần Thị Lan", week, 2),
                                               ("Phạm Văn Minh", week, 1)}
    assert [(c["comment"], c["staff_name"]) for c in report["comments"]] == [
        ("Chậm", "Phạm Văn Minh"), ("Rất tốt", "Trần Thị Lan")]
    assert report["comments"][0]["customer_name"].startswith("Nguyễn Thị Hương")


def test_a_staff_member_sees_their_own_ratings_only(client, admin, seminar, db):
    lan = named_staff(db, "lan", "Trần Thị Lan")
    minh = named_staff(db, "minh", "Phạm Văn Minh")
    customer = seminar.customer_ids[0]
    _rate(client, lan.headers, customer, 5, 5, "Rất tốt")
    _rate(client, minh.headers, customer, 2, 1, "Chậm")
    own = client.get("/api/v1/ratings", headers=lan.headers).json()
    assert [row["staff_name"] for row in own["per_staff"]] == ["Trần Thị Lan"]
    assert [c["comment"] for c in own["comments"]] == ["Rất tốt"]
    assert own["comments"][0]["customer_name"] is None
    assert client.get(f"/api/v1/ratings?staff_id={lan.staff_id}", headers=lan.headers
                      ).status_code == 200
    other = client.get(f"/api/v1/ratings?staff_id={minh.staff_id}", headers=lan.headers)
    assert other.status_code == 403
    one = client.get(f"/api/v1/ratings?staff_id={minh.staff_id}", headers=admin.headers).json()
    assert [row["staff_name"] for row in one["per_staff"]] == ["Phạm Văn Minh"]


def test_iso_weeks_are_the_venues():
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    # Sunday 23:30 UTC is Monday 06:30 in Vietnam: the next ISO week.
    assert iso_week(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), zone) == "2026-W50"
    assert iso_week(datetime(2026, 12, 6, 16, 0, tzinfo=UTC), zone) == "2026-W49"
    assert iso_week(datetime(2027, 1, 1, 0, 0, tzinfo=UTC), zone) == "2026-W53"
