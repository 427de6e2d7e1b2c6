"""The owner's view's own table (customers per status, day by day: statuses are only kept
for now) and the charts' data as the API hands it out."""

from datetime import date

from sqlmodel import Field, SQLModel

from kiosk_server.core.types import enum_column
from kiosk_server.retention.models import Status

Cell = str | int | float | None


class StatusCount(SQLModel, table=True):
    """How many customers stood at a status at the end of a day (the shop's local day),
    written by each full pass of the statuses (the last pass of a day wins)."""

    __tablename__ = "status_counts"
    day: date = Field(primary_key=True)
    status: Status = Field(primary_key=True, sa_type=enum_column(Status))
    customers: int


class ChartData(SQLModel):
    """A chart's series as a table: one row per period (or per period and person), the
    columns named (the CSV download is this table)."""

    chart: str
    first_day: date = Field(description="the span's first local day")
    last_day: date = Field(description="the span's last local day (included)")
    columns: list[str]
    rows: list[list[Cell]]
