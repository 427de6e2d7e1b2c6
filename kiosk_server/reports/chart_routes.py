"""The owner's charts: each one's figures over a span of days, as JSON or as CSV."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.types import EARLIEST, LATEST
from kiosk_server.reports import charts
from kiosk_server.reports.models import ChartData
from kiosk_server.staff.deps import AdminOnly

router = APIRouter(prefix="/api/v1", tags=["reports"])

CSV_SUFFIX = ".csv"


def _day_in_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise PydanticCustomError("time_out_of_range",
                                  "the time must be between the years 2000 and 2099")
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]


@router.get("/insights/{name}", response_model=ChartData,
            responses={200: {"content": {"text/csv": {}}}})
def insight(
    session: SessionDep, caller: AdminOnly, settings: SettingsDep,
    name: Annotated[str, Path(max_length=40, description=f"one of {', '.join(charts.CHARTS)}; "
                              f"with `{CSV_SUFFIX}`, its CSV")],
    first: Annotated[Day | None, Query(alias="from", description="the first local day "
                                       "(default: the first of the month five months ago)")
                     ] = None,
    last: Annotated[Day | None, Query(alias="to", description="the last local day, included "
                                      "(default: today)")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="csv: the table as a file")
                      ] = "json",
):
    """Admin. A chart's figures over a span of the shop's days (weeks and months in its
    time zone): its columns and rows; as CSV with `.csv` after the name or `format=csv`
    (404 `no_such_chart`, 400 `span_reversed`)."""
    as_csv = format == "csv" or name.endswith(CSV_SUFFIX)
    data = charts.chart_data(session, name=name.removesuffix(CSV_SUFFIX), first=first,
                             last=last, zone=settings.zone)
    if not as_csv:
        return data
    filename = f"kiosk-{data.chart}-{data.first_day}-{data.last_day}.csv"
    return Response(charts.chart_csv(data), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
