"""The proof: contacted against held-out cases planted with a known number of returns, read
from the visit history; the reasons customers gave. (The interval itself: tests/core/
test_stats.py.)"""

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk_server.calls import winback
from kiosk_server.calls.models import (
    AnswerSource,
    CallSettings,
    CaseState,
    CloseReason,
    Group,
    LeaveAnswer,
    LeaveReason,
    WillReturn,
)
from kiosk_server.core import stats
from kiosk_server.core.db import id_of
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer, Visit, VisitKind
from tests.calls.helpers import open_case

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _people(db, count: int) -> list[int]:
    with db.session() as session:
        people = [Customer(full_name=f"Phạm Minh Khôi {n}", name_folded=f"pham minh khoi {n}")
                  for n in range(count)]
        session.add_all(people)
        session.flush()
        return [id_of(person) for person in people]


def _visit(db, customer_id: int, at) -> None:
    with db.session() as session:
        session.add(Visit(customer_id=customer_id, kind=VisitKind.PURCHASE, occurred_at=at))


def _plant(db, group: Group, *, back: int, gone: int, opened_days_ago: int = 90,
           late: int = 0, **case) -> None:
    """Cases of `group` opened that long ago: `back` came back 20 days after, `late`
    came back after the 60-day window, `gone` never came back. Each had visits before."""
    opened = utcnow() - timedelta(days=opened_days_ago)
    for n, person in enumerate(_people(db, back + gone + late)):
        _visit(db, person, opened - timedelta(days=30))  # before: not a return
        open_case(db, person, group, opened_at=opened, **case)
        if n < back:
            _visit(db, person, opened + timedelta(days=20))
        elif n < back + late:
            _visit(db, person, opened + timedelta(days=61))


def _compare(db):
    with db.session() as session:
        return winback.comparison(session, now=utcnow(), zone=ZONE)


def test_planted_cases_give_the_known_rates_and_interval(db):
    _plant(db, Group.CONTACT, back=17, gone=28, late=5)  # 17/50
    _plant(db, Group.HOLD_OUT, back=6, gone=14)  # 6/20
    _plant(db, Group.NOT_DRAWN, back=9, gone=0)  # flags: counted apart
    _plant(db, Group.CONTACT, back=0, gone=4, opened_days_ago=10)  # window still open
    found = _compare(db)
    assert found.contacted.model_dump() == {"cases": 54, "came_back": 17, "decided": 50,
                                            "undecided": 4, "rate": 0.34}
    assert found.held_out.model_dump() == {"cases": 20, "came_back": 6, "decided": 20,
                                           "undecided": 0, "rate": 0.3}
    assert found.not_drawn == 9 and found.win_back_days == 60
    assert found.difference == pytest.approx(0.04)
    assert (found.lower, found.upper) == stats.newcombe_interval(17, 50, 6, 20)
    assert found.lower < 0 < found.upper
    assert found.verdict is stats.Verdict.NO_CLEAR_DIFFERENCE
    assert [(m.contacted_n, m.held_out_n) for m in found.months] == [(50, 20), (0, 0)]


def test_a_clear_effect_either_way(db):
    _plant(db, Group.CONTACT, back=30, gone=10)
    _plant(db, Group.HOLD_OUT, back=5, gone=15)
    assert _compare(db).verdict is stats.Verdict.HELPS


def test_hurts_when_the_held_out_come_back_more(db):
    _plant(db, Group.CONTACT, back=6, gone=34)
    _plant(db, Group.HOLD_OUT, back=15, gone=5)
    assert _compare(db).verdict is stats.Verdict.HURTS


@pytest.mark.parametrize(("contact", "hold_out"), [
    ((30, 10), (5, 4)),  # 9 decided held-out cases
    ((30, 10), (4, 16)),  # 4 came back among the held out
    ((38, 4), (5, 15)),  # 4 did not come back among the contacted
])
def test_too_few_to_tell(db, contact, hold_out):
    _plant(db, Group.CONTACT, back=contact[0], gone=contact[1])
    _plant(db, Group.HOLD_OUT, back=hold_out[0], gone=hold_out[1])
    found = _compare(db)
    assert found.verdict is stats.Verdict.TOO_FEW
    assert found.lower is not None  # the interval is still given


def test_nothing_at_all(db):
    found = _compare(db)
    assert (found.verdict, found.difference, found.lower, found.months) == (
        stats.Verdict.TOO_FEW, None, None, [])


def test_a_case_closed_by_staff_that_comes_back_later_counts(db):
    _plant(db, Group.CONTACT, back=10, gone=10, state=CaseState.CLOSED,
           close_reason=CloseReason.CLOSED_BY_STAFF)
    _plant(db, Group.HOLD_OUT, back=5, gone=15)
    found = _compare(db)
    assert (found.contacted.came_back, found.contacted.decided) == (10, 20)


def test_the_window_comes_from_the_settings(db):
    with db.session() as session:
        session.add(CallSettings(win_back_days=70))
    _plant(db, Group.CONTACT, back=10, gone=10, late=5)  # the late ones are in, at 61 days
    assert _compare(db).contacted.came_back == 15


def _answer(db, customer_id, reason, source, will_return=None, days_ago=1):
    with db.session() as session:
        session.add(LeaveAnswer(customer_id=customer_id, source=source, reason=reason,
                                will_return=will_return,
                                answered_at=utcnow() - timedelta(days=days_ago)))


def test_the_reasons_counted_by_where_they_were_said(db, client, admin, clerk):
    [anh] = _people(db, 1)
    _answer(db, anh, LeaveReason.PRICE, AnswerSource.CALL, WillReturn.YES)
    _answer(db, anh, LeaveReason.PRICE, AnswerSource.SURVEY, WillReturn.NO)
    _answer(db, anh, LeaveReason.MOVED, AnswerSource.SURVEY)
    _answer(db, anh, LeaveReason.STAFF, AnswerSource.CALL, days_ago=100)
    body = client.get("/api/v1/calls/reasons", headers=admin.headers).json()
    counted = {row["reason"]: (row["call"], row["survey"], row["total"])
               for row in body["reasons"]}
    assert counted == {"price": (1, 1, 2), "service": (0, 0, 0), "staff": (1, 0, 1),
                       "product": (0, 0, 0), "moved": (0, 1, 1), "competitor": (0, 0, 0),
                       "other": (0, 0, 0)}
    assert {row["answer"]: row["count"] for row in body["will_return"]} == {
        "yes": 1, "no": 1, "unsure": 0, None: 2}
    recent = client.get("/api/v1/calls/reasons", headers=admin.headers, params={
        "from": str((utcnow() - timedelta(days=30)).date()), "to": str(utcnow().date())})
    assert [row["total"] for row in recent.json()["reasons"] if row["reason"] == "staff"] == [0]
    sheet = client.get("/api/v1/calls/reasons.csv", headers=admin.headers)
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0] == ["reason", "call", "survey", "total"] and rows[1] == ["price", "1", "1",
                                                                            "2"]
    assert client.get("/api/v1/calls/reasons", headers=clerk.headers).status_code == 403
    assert client.get("/api/v1/calls/reasons").status_code == 401
    bad = client.get("/api/v1/calls/reasons", headers=admin.headers,
                     params={"to": "9999-12-31"})
    assert bad.status_code == 422


def test_the_win_back_routes(db, client, admin, clerk):
    _plant(db, Group.CONTACT, back=12, gone=8)
    _plant(db, Group.HOLD_OUT, back=5, gone=15)
    body = client.get("/api/v1/calls/win-back", headers=admin.headers).json()
    assert (body["contacted"]["rate"], body["held_out"]["rate"]) == (0.6, 0.25)
    assert body["verdict"] == "helps" and body["lower"] > 0
    sheet = client.get("/api/v1/calls/win-back.csv", headers=admin.headers)
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0] == ["month", "contacted_rate", "contacted_n", "held_out_rate", "held_out_n"]
    assert rows[1][1:] == ["0.6", "20", "0.25", "20"]
    assert client.get("/api/v1/calls/win-back", headers=clerk.headers).status_code == 403
