"""Opening and closing cases: from the statuses retention writes (a hook registered at
start-up), from a staff flag, and on a customer's erasure.

A case opens when a customer's status becomes at risk or lapsed (from a calmer status, or
as their first one) and they have no open case; its group is drawn then, at random, with
the settings' hold-out share. It closes as `returned` when the customer comes back: a
status row showing a visit on or after the day the case opened is checked against their
visits (a flag raised at the till during a visit must not close its own case)."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.calls import settings
from kiosk_server.calls.models import Case, CaseSource, CaseState, CloseReason, Group
from kiosk_server.core.db import commit_durably, insert_ignoring_conflicts, table_of
from kiosk_server.customers import service as customers
from kiosk_server.retention.models import Status
from kiosk_server.retention.service import Change

DRIFTING = (Status.AT_RISK, Status.LAPSED)
# The visits read to find the first one after a case opened.
RECENT_VISITS = 20


def open_cases_of(session: Session, customer_ids: Sequence[int]) -> dict[int, Case]:
    """These customers' open cases, by customer."""
    if not customer_ids:
        return {}
    return {case.customer_id: case for case in session.scalars(
        select(Case).where(col(Case.customer_id).in_(customer_ids),
                           col(Case.state) == CaseState.OPEN))}


def open_case(session: Session, *, customer_id: int, source: CaseSource, group: Group,
              standing: Change | None = None, at: datetime) -> Case:
    """The customer's open case: a new one, or the one already open (one at a time: two
    openings at once make one case)."""
    after = standing.after if standing else None
    commit_durably(session)  # a draw of the hold-out is not made again after a crash
    session.execute(insert_ignoring_conflicts(session, table_of(Case)), {
        "customer_id": customer_id, "source": source, "group": group, "opened_at": at,
        "status_at_open": after.status if after else None,
        "reason_at_open": after.reason if after else None, "state": CaseState.OPEN})
    case = open_cases_of(session, [customer_id])[customer_id]
    session.refresh(case)
    return case


def close_case(session: Session, case: Case, *, reason: CloseReason, at: datetime,
               by: int | None = None, returned_at: datetime | None = None) -> None:
    """Close an open case (one already closed stays as it was)."""
    commit_durably(session)
    session.execute(update(Case).where(col(Case.id) == case.id,
                                       col(Case.state) == CaseState.OPEN)
                    .values(state=CaseState.CLOSED, close_reason=reason, closed_at=at,
                            closed_by=by, returned_at=returned_at)
                    .execution_options(synchronize_session=False))
    session.refresh(case)


def first_visit_after(session: Session, *, customer_id: int, since: datetime
                      ) -> datetime | None:
    """When the customer first visited (or bought) after `since`, among their latest visits."""
    times = [visit.occurred_at for visit in customers.recent_visits(
        session, customer_id=customer_id, limit=RECENT_VISITS) if visit.occurred_at > since]
    return min(times, default=None)


def _visited_since_open(change: Change, case: Case, *, at: datetime, zone: ZoneInfo) -> bool:
    days_since = change.after.days_since
    if days_since is None:
        return False
    last_visit_day = at.astimezone(zone).date() - timedelta(days=days_since)
    return last_visit_day >= case.opened_at.astimezone(zone).date()


def _drawn(hold_out_pct: int, draw: random.Random) -> Group:
    return Group.HOLD_OUT if draw.random() * 100 < hold_out_pct else Group.CONTACT


@dataclass(frozen=True)
class CaseOpener:
    """The status hook: opens a case for each customer who starts drifting, closes the case
    of each who came back. `draw` is the random source of the hold-out (a seeded one in
    tests)."""

    zone: ZoneInfo
    draw: random.Random = field(default_factory=random.SystemRandom)

    def __call__(self, session: Session, changes: Sequence[Change], *, at: datetime) -> None:
        open_now = open_cases_of(session, [change.customer_id for change in changes])
        closed = self._close_returned(session, changes, open_now, at=at)
        starting = [change for change in changes
                    if change.after.status in DRIFTING and change.before not in DRIFTING
                    and (change.customer_id not in open_now or change.customer_id in closed)]
        if not starting:
            return
        hold_out_pct = settings.current(session).hold_out_pct
        for change in starting:
            open_case(session, customer_id=change.customer_id, source=CaseSource.STATUS,
                      group=_drawn(hold_out_pct, self.draw), standing=change, at=at)

    def _close_returned(self, session: Session, changes: Sequence[Change],
                        open_now: dict[int, Case], *, at: datetime) -> set[int]:
        closed = set()
        for change in changes:
            case = open_now.get(change.customer_id)
            if case is None or not _visited_since_open(change, case, at=at, zone=self.zone):
                continue
            returned = first_visit_after(session, customer_id=case.customer_id,
                                         since=case.opened_at)
            if returned is not None:
                close_case(session, case, reason=CloseReason.RETURNED, at=at,
                           returned_at=returned)
                closed.add(case.customer_id)
        return closed
