"""The proof: how many customers came back after being contacted, against how many came back
when left alone, and what the customers said about why they left.

Cases drawn at random (group contact or hold-out; a staff flag's case is not drawn and is
counted apart) are compared. A case counts as won back when the customer's first visit
or sale after it opened falls within `win_back_days` of the opening: read from the visit
history (customers' service), not from how the case was closed, since a case closed by
staff may still come back. A case whose window is still running with no return yet is
undecided and left out of the rates.

The difference of the two rates (contacted minus held out) comes with its 95 % interval
by Newcombe's hybrid score method, and a verdict that says `too_few` below 10 decided
cases in a group, or 5 returns or 5 non-returns in one (`core/stats.py`, shared with the
campaigns' report).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

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
from kiosk_server.core.stats import Share, Verdict, compare
from kiosk_server.customers import service as customers

DRAWN = (Group.CONTACT, Group.HOLD_OUT)


# ---------------------------------------------------------------- the comparison

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
    found = compare(Share(contacted.came_back, contacted.decided),
                    Share(held_out.came_back, held_out.decided))
    return WinBackPublic(
        win_back_days=days, contacted=contacted.figures(), held_out=held_out.figures(),
        not_drawn=not_drawn, difference=found.difference, lower=found.lower,
        upper=found.upper, verdict=found.verdict, as_of=now,
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
