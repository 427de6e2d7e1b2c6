"""The proof: how many customers came back after being contacted, against how many came back
when left alone, and what the customers said about why they left.

Cases drawn at random (group contact or hold-out; a staff flag's case is not drawn and is
counted apart) are compared. A case counts as won back when the customer's first visit
or sale after it opened falls within `win_back_days` of the opening: read from the visit
history (customers' service), not from how the case was closed, since a case closed by
staff may still come back. A case whose window is still running with no return yet is
undecided and left out of the rates.

The difference of the two rates (contacted minus held out) comes with its 95 % interval
by Newcombe's hybrid score method (method 10 of R. G. Newcombe, "Interval estimation for
the difference between independent proportions", Statistics in Medicine 17:873-890,
1998): with p1 = x1/n1 and p2 = x2/n2, and (l1, u1), (l2, u2) their Wilson score
intervals,

    lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)

where the Wilson interval of x/n at the normal quantile z is

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).

It keeps its coverage with small groups and rates near 0 or 1, where the simple Wald
interval does not. Even so, with fewer than 10 decided cases in a group, or fewer than 5
returns or 5 non-returns in one, the verdict is `too_few`: the interval is shown, but
nothing is concluded from it.
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from scipy.stats import norm
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from kiosk_server.calls import settings as call_settings
from kiosk_server.calls.models import (
    AnswerSource,
    Case,
    Group,
    LeaveAnswer,
    LeaveReason,
    WillReturn,
)
from kiosk_server.customers import service as customers

# Below these, the verdict is `too_few` whatever the interval says.
MIN_DECIDED = 10
MIN_EACH_OUTCOME = 5
DRAWN = (Group.CONTACT, Group.HOLD_OUT)


# ---------------------------------------------------------------- the interval

def wilson_interval(successes: int, trials: int, *, z: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion (no continuity correction)."""
    p = successes / trials
    centre = 2 * successes + z * z
    spread = z * math.sqrt(z * z + 4 * successes * (1 - p))
    return ((centre - spread) / (2 * (trials + z * z)),
            (centre + spread) / (2 * (trials + z * z)))


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95
                      ) -> tuple[float, float]:
    """The interval of p1 - p2 (x1/n1 - x2/n2) by Newcombe's hybrid score method."""
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z=z)
    l2, u2 = wilson_interval(x2, n2, z=z)
    difference = p1 - p2
    return (difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


# ---------------------------------------------------------------- the comparison

class Verdict(StrEnum):
    TOO_FEW = "too_few"  # too few decided cases, returns or non-returns to tell
    HELPS = "helps"  # the interval is above 0
    NO_CLEAR_DIFFERENCE = "no_clear_difference"  # the interval covers 0
    HURTS = "hurts"  # the interval is below 0


class GroupFigures(SQLModel):
    """One group's cases: how many came back within the window, and how many are still
    within it (undecided, not in the rate)."""

    cases: int
    came_back: int
    decided: int
    undecided: int
    rate: float | None = None  # came_back / decided


class MonthFigures(SQLModel):
    """The cases opened in one month (the shop's calendar): each group's rate and how many
    decided cases it is of."""

    month: str  # "2026-09"
    contacted_rate: float | None
    contacted_n: int
    held_out_rate: float | None
    held_out_n: int


class WinBackPublic(SQLModel):
    """Contacted against held out: the rates, their difference and its 95 % interval, the
    verdict, and the same by month of opening."""

    win_back_days: int
    contacted: GroupFigures
    held_out: GroupFigures
    not_drawn: int  # cases opened by a staff flag: not in the comparison
    difference: float | None
    lower: float | None
    upper: float | None
    verdict: Verdict
    months: list[MonthFigures]
    as_of: datetime


@dataclass
class _Tally:
    came_back: int = 0
    decided: int = 0
    undecided: int = 0

    def add(self, outcome: bool | None) -> None:
        if outcome is None:
            self.undecided += 1
        else:
            self.decided += 1
            self.came_back += outcome

    @property
    def rate(self) -> float | None:
        return self.came_back / self.decided if self.decided else None

    def figures(self) -> GroupFigures:
        return GroupFigures(cases=self.decided + self.undecided, came_back=self.came_back,
                            decided=self.decided, undecided=self.undecided, rate=self.rate)


def win_back_days(session: Session) -> int:
    return call_settings.current(session).win_back_days


def _outcome(opened_at: datetime, first_return: datetime | None, *, window: timedelta,
             now: datetime) -> bool | None:
    """Won back (True), not won back (False), or still within the window (None)."""
    if first_return is not None and first_return <= opened_at + window:
        return True
    return False if now >= opened_at + window else None


def verdict_of(contacted: _Tally, held_out: _Tally, interval: tuple[float, float] | None
               ) -> Verdict:
    for tally in (contacted, held_out):
        if (tally.decided < MIN_DECIDED or tally.came_back < MIN_EACH_OUTCOME
                or tally.decided - tally.came_back < MIN_EACH_OUTCOME):
            return Verdict.TOO_FEW
    assert interval is not None  # both groups have decided cases
    lower, upper = interval
    if lower > 0:
        return Verdict.HELPS
    return Verdict.HURTS if upper < 0 else Verdict.NO_CLEAR_DIFFERENCE


def comparison(session: Session, *, now: datetime, zone: tzinfo) -> WinBackPublic:
    """Contacted against held-out cases, as of `now` (months on the shop's calendar)."""
    days = win_back_days(session)
    window = timedelta(days=days)
    cases = session.execute(
        select(col(Case.customer_id), col(Case.group), col(Case.opened_at))
        .where(col(Case.group).in_(DRAWN), col(Case.opened_at) <= now)
        .order_by(col(Case.id))).all()
    not_drawn = session.scalar(select(func.count()).select_from(Case).where(
        col(Case.group) == Group.NOT_DRAWN)) or 0
    returns = customers.first_visits_after(
        session, moments=[(customer_id, opened_at) for customer_id, _, opened_at in cases])
    totals = {group: _Tally() for group in DRAWN}
    months: dict[str, dict[Group, _Tally]] = {}
    for (_, group, opened_at), first_return in zip(cases, returns, strict=True):
        outcome = _outcome(opened_at, first_return, window=window, now=now)
        totals[group].add(outcome)
        month = opened_at.astimezone(zone).strftime("%Y-%m")
        months.setdefault(month, {g: _Tally() for g in DRAWN})[group].add(outcome)
    contacted, held_out = totals[Group.CONTACT], totals[Group.HOLD_OUT]
    interval = None
    if contacted.decided and held_out.decided:
        interval = newcombe_interval(contacted.came_back, contacted.decided,
                                     held_out.came_back, held_out.decided)
    difference = (contacted.rate - held_out.rate
                  if contacted.rate is not None and held_out.rate is not None else None)
    return WinBackPublic(
        win_back_days=days, contacted=contacted.figures(), held_out=held_out.figures(),
        not_drawn=not_drawn, difference=difference,
        lower=interval[0] if interval else None, upper=interval[1] if interval else None,
        verdict=verdict_of(contacted, held_out, interval), as_of=now,
        months=[MonthFigures(month=month, contacted_rate=of[Group.CONTACT].rate,
                             contacted_n=of[Group.CONTACT].decided,
                             held_out_rate=of[Group.HOLD_OUT].rate,
                             held_out_n=of[Group.HOLD_OUT].decided)
                for month, of in sorted(months.items())])


# ---------------------------------------------------------------- the reasons

class ReasonCount(SQLModel):
    reason: LeaveReason
    call: int  # said on a call
    survey: int  # answered in the exit survey
    total: int


class WillReturnCount(SQLModel):
    answer: WillReturn | None  # None: not said
    count: int


class ReasonsPublic(SQLModel):
    """Why customers say they left, from calls and the exit survey, in a period; and
    whether they said they would come back."""

    since: datetime | None
    until: datetime | None
    reasons: list[ReasonCount]
    will_return: list[WillReturnCount]


def reasons(session: Session, *, since: datetime | None, until: datetime | None
            ) -> ReasonsPublic:
    """Answers given from `since` (included) to `until` (excluded), each end open if None;
    every reason and answer listed, with 0 where none was given."""
    statement = select(col(LeaveAnswer.reason), col(LeaveAnswer.source),
                       col(LeaveAnswer.will_return), func.count()).group_by(
        col(LeaveAnswer.reason), col(LeaveAnswer.source), col(LeaveAnswer.will_return))
    if since is not None:
        statement = statement.where(col(LeaveAnswer.answered_at) >= since)
    if until is not None:
        statement = statement.where(col(LeaveAnswer.answered_at) < until)
    by_reason: Counter[tuple[LeaveReason, AnswerSource]] = Counter()
    by_answer: Counter[WillReturn | None] = Counter()
    for reason, source, will_return, count in session.execute(statement):
        by_reason[reason, source] += count
        by_answer[will_return] += count
    return ReasonsPublic(
        since=since, until=until,
        reasons=[ReasonCount(reason=reason, call=by_reason[reason, AnswerSource.CALL],
                             survey=by_reason[reason, AnswerSource.SURVEY],
                             total=by_reason[reason, AnswerSource.CALL]
                             + by_reason[reason, AnswerSource.SURVEY])
                 for reason in LeaveReason],
        will_return=[WillReturnCount(answer=answer, count=by_answer[answer])
                     for answer in (*WillReturn, None)])


def local_day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment a day of the shop's calendar begins."""
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)
