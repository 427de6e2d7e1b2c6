"""The proof of what the calls and the exit survey achieve, and the reasons customers give
for leaving: as JSON for the page, and as CSV files."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kiosk_server.calls import winback
from kiosk_server.calls.winback import ReasonsPublic, WinBackPublic
from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.spreadsheet import csv_bytes
from kiosk_server.core.types import utcnow
from kiosk_server.staff.deps import AdminOnly

router = APIRouter(prefix="/api/v1", tags=["calls"])

# Days of this century: anything else is a mistake (and the day after 9999-12-31 is none).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
From = Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY,
                                    description="the first day (the shop's calendar), "
                                                "included")]
To = Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY,
                                  description="the last day, included")]


def _csv(content: bytes, name: str) -> Response:
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/calls/win-back", response_model=WinBackPublic)
def win_back(session: SessionDep, caller: AdminOnly, settings: SettingsDep):
    """Admin. The win-back rate of contacted customers against the held-out ones (cases
    drawn at random; a staff flag's case is counted apart), the difference with its 95 %
    interval (Newcombe's hybrid score method), a verdict (`too_few`, `helps`,
    `no_clear_difference`, `hurts`), and the same by month of opening."""
    return winback.comparison(session, now=utcnow(), zone=settings.zone)


@router.get("/calls/win-back.csv", response_class=Response)
def win_back_csv(session: SessionDep, caller: AdminOnly, settings: SettingsDep):
    """Admin. The win-back comparison by month of opening, as a CSV file."""
    found = winback.comparison(session, now=utcnow(), zone=settings.zone)
    columns = [name for name in winback.MonthFigures.model_fields]
    return _csv(csv_bytes(columns, ([getattr(month, name) for name in columns]
                                    for month in found.months)), "win-back.csv")


def _reasons(session: SessionDep, settings: SettingsDep, first: date | None,
             last: date | None) -> ReasonsPublic:
    zone = settings.zone
    return winback.reasons(
        session, since=winback.local_day_start(first, zone) if first else None,
        until=winback.local_day_start(last + timedelta(days=1), zone) if last else None)


@router.get("/calls/reasons", response_model=ReasonsPublic)
def leave_reasons(session: SessionDep, caller: AdminOnly, settings: SettingsDep,
                  first: From = None, last: To = None):
    """Admin. Why customers say they left (on calls and in the exit survey), each reason
    counted by where it was said, and whether they said they would come back; answers of
    the days `from` to `to` (either may be left out)."""
    return _reasons(session, settings, first, last)


@router.get("/calls/reasons.csv", response_class=Response)
def leave_reasons_csv(session: SessionDep, caller: AdminOnly, settings: SettingsDep,
                      first: From = None, last: To = None):
    """Admin. The reasons for leaving of the days `from` to `to`, as a CSV file."""
    found = _reasons(session, settings, first, last)
    return _csv(csv_bytes(["reason", "call", "survey", "total"],
                          ([row.reason, row.call, row.survey, row.total]
                           for row in found.reasons)), "leave-reasons.csv")
