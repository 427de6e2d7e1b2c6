"""The status from a customer's own rhythm, at each threshold (pure: no database)."""

import dataclasses

import numpy as np
import pytest

from kiosk_server.retention.models import Reason, RetentionSettings, Status
from kiosk_server.retention.rhythm import Thresholds, rhythms, sentence, standing

DEFAULTS = Thresholds.of(RetentionSettings())
TODAY = 20_000


def regular(since: int, interval: int = 10, visits: int = 5, spend_recent_vnd: int = 0,
            spend_before_vnd: int = 0):
    days = sorted(TODAY - since - interval * n for n in range(visits))
    return standing(days, today=TODAY, thresholds=DEFAULTS, spend_recent_vnd=spend_recent_vnd,
                    spend_before_vnd=spend_before_vnd)


@pytest.mark.parametrize(("since", "status"), [
    (14, Status.ACTIVE), (15, Status.WATCH), (16, Status.WATCH),
    (19, Status.WATCH), (20, Status.AT_RISK), (21, Status.AT_RISK),
    (29, Status.AT_RISK), (30, Status.LAPSED), (31, Status.LAPSED)])
def test_overdue_against_their_own_interval(since, status):
    found = regular(since)
    assert (found.status, found.usual_interval_days, found.days_since) == (status, 10.0, since)
    assert found.reason is (Reason.ON_RHYTHM if status is Status.ACTIVE else Reason.OVERDUE)


@pytest.mark.parametrize(("recent", "status"), [
    (810_000, Status.ACTIVE), (800_000, Status.WATCH), (790_000, Status.WATCH),
    (510_000, Status.WATCH), (500_000, Status.AT_RISK), (490_000, Status.AT_RISK)])
def test_spend_down_against_the_90_days_before(recent, status):
    found = regular(2, spend_recent_vnd=recent, spend_before_vnd=1_000_000)
    assert found.status is status
    assert found.reason is (Reason.ON_RHYTHM if status is Status.ACTIVE else Reason.SPEND_DOWN)
    assert found.spend_drop_pct == round((1_000_000 - recent) / 10_000)


def test_the_more_serious_rule_wins_and_overdue_is_said_first_between_equals():
    both_watch = regular(15, spend_recent_vnd=700_000, spend_before_vnd=1_000_000)
    assert (both_watch.status, both_watch.reason) == (Status.WATCH, Reason.OVERDUE)
    spend_worse = regular(15, spend_recent_vnd=400_000, spend_before_vnd=1_000_000)
    assert (spend_worse.status, spend_worse.reason) == (Status.AT_RISK, Reason.SPEND_DOWN)


def test_too_few_intervals_is_new_unless_away_for_the_configured_days():
    assert standing([], today=TODAY, thresholds=DEFAULTS).status is Status.NEW
    three_visits = [TODAY - 30, TODAY - 20, TODAY - 10]  # two intervals: no rhythm yet
    found = standing(three_visits, today=TODAY, thresholds=DEFAULTS)
    assert (found.status, found.reason, found.visit_count) == (Status.NEW, Reason.FEW_VISITS, 3)
    assert found.usual_interval_days is None
    for since, status in ((179, Status.NEW), (180, Status.LAPSED), (181, Status.LAPSED)):
        away = standing([TODAY - since - 5, TODAY - since], today=TODAY, thresholds=DEFAULTS)
        assert away.status is status, since
    assert standing([TODAY - 180], today=TODAY, thresholds=DEFAULTS).reason \
        is Reason.LONG_ABSENCE
    shorter = dataclasses.replace(DEFAULTS, lapsed_after_days=30)
    assert standing([TODAY - 30], today=TODAY, thresholds=shorter).status is Status.LAPSED


def test_the_usual_interval_is_the_median_of_their_own_intervals():
    days = [TODAY - 60, TODAY - 48, TODAY - 36, TODAY - 30, TODAY - 20]  # 12, 12, 6, 10
    found = standing(days, today=TODAY, thresholds=DEFAULTS)
    assert found.usual_interval_days == 11.0 and found.days_since == 20
    assert found.status is Status.WATCH  # 20 >= 1.5 x 11 = 16.5, < 22


def test_each_reason_said_in_vietnamese_and_english():
    overdue = regular(41, interval=12)
    assert sentence(overdue, "vi") == "thường ghé mỗi ~12 ngày, lần cuối cách đây 41 ngày"
    assert sentence(overdue, "en") == "usually visits every ~12 days, last visit 41 days ago"
    spend = regular(2, spend_recent_vnd=450_000, spend_before_vnd=1_000_000)
    assert sentence(spend, "vi") == "chi tiêu 90 ngày qua giảm 55 %"
    assert sentence(spend, "en") == "spending in the last 90 days down 55 %"
    away = standing([TODAY - 200], today=TODAY, thresholds=DEFAULTS)
    assert (sentence(away, "vi"), sentence(away, "en")) == ("không ghé 200 ngày",
                                                            "no visit for 200 days")
    few = standing([TODAY - 3, TODAY - 1], today=TODAY, thresholds=DEFAULTS)
    assert (sentence(few, "vi"), sentence(few, "en")) == ("mới ghé 2 lần", "2 visits so far")
    half = standing([TODAY - 31, TODAY - 21, TODAY - 10, TODAY - 1], today=TODAY,
                    thresholds=DEFAULTS)  # 10, 11, 9: median 10
    assert "~10 ngày" in sentence(half, "vi")
    odd = standing([TODAY - 42, TODAY - 31, TODAY - 21, TODAY - 10, TODAY - 1],
                   today=TODAY, thresholds=DEFAULTS)  # 11, 10, 11, 9: median 10.5
    assert sentence(odd, "en").startswith("usually visits every ~10.5 days")


def test_a_batch_of_customers_is_summed_up_at_once_as_each_alone():
    # In any order, a day with several visits counted once; a customer without any visit.
    histories = [[9, 3, 3, 5], [], [20_000, 19_990, 19_980, 19_975, 19_990], [7]]
    found = rhythms(np.array([len(days) for days in histories], dtype=np.int64),
                    np.array([day for days in histories for day in days], dtype=np.int64))
    assert found.count.tolist() == [3, 0, 4, 1]
    assert (found.first[[0, 2, 3]].tolist(), found.last[[0, 2, 3]].tolist()) == (
        [3, 19_975, 7], [9, 20_000, 7])
    assert found.usual[[0, 2]].tolist() == [3.0, 10.0]  # gaps 2, 4 and 5, 10, 10
    assert np.isnan(found.usual[[1, 3]]).all()
