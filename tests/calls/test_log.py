"""The call log as a spreadsheet: one row per call in the shop's days, formulas in what
people typed neutralised, for admins only."""

import csv
import io
from datetime import timedelta

from kiosk_server.core.types import utcnow
from tests.calls.conftest import cases_by_customer, key


def _rows(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_call_log_has_one_row_per_call_and_runs_no_formula(shop, client, clerk, admin, db,
                                                                settings):
    lapsed = shop.one("3.0x overdue, 31 days")
    [case] = cases_by_customer(db)[lapsed.customer_id]
    for body in ({"outcome": "no_answer", "notes": "=HYPERLINK(\"http://x\")"},
                 {"outcome": "reached", "reason": "other", "words": "+chuyển nhà",
                  "will_return": "no"}):
        called = client.post(f"/api/v1/calls/cases/{case.id}/calls", headers=clerk.headers,
                             json={**body, "client_key": key()})
        assert called.status_code == 201, called.text
    today = utcnow().astimezone(settings.zone).date()
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    header, *rows = _rows(client.get("/api/v1/calls/log.csv", headers=admin.headers,
                                     params=params))
    assert header == ["time", "customer", "phone", "staff", "outcome", "reason", "words",
                      "will_return", "follow_up_on", "notes"]
    assert [(row[3], row[4], row[5], row[6], row[7]) for row in rows] == [
        ("clerk", "no_answer", "", "", ""), ("clerk", "reached", "other", "'+chuyển nhà", "no")]
    assert rows[0][9] == "'=HYPERLINK(\"http://x\")"
    assert rows[0][1] and rows[0][0].startswith(today.isoformat())
    earlier = {"from": "2020-01-01", "to": "2020-01-31"}
    assert _rows(client.get("/api/v1/calls/log.csv", headers=admin.headers,
                            params=earlier))[1:] == []


def test_the_call_log_is_for_admins_and_its_days_must_make_sense(client, clerk, admin):
    days = {"from": "2026-01-01", "to": "2026-01-31"}
    assert client.get("/api/v1/calls/log.csv", headers=clerk.headers,
                      params=days).status_code == 403
    backwards = client.get("/api/v1/calls/log.csv", headers=admin.headers,
                           params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400
    assert backwards.json()["error"]["code"] == "ends_before_start"
    too_long = client.get("/api/v1/calls/log.csv", headers=admin.headers,
                          params={"from": "2024-01-01", "to": "2026-01-01"})
    assert too_long.json()["error"]["code"] == "range_too_long"
    assert client.get("/api/v1/calls/log.csv", headers=admin.headers,
                      params={"from": "x", "to": "2026-01-01"}).status_code == 422
