"""The owner's reports as files to download: CSV (sent while it is read) or Excel."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from kiosk_server.core.db import Access
from kiosk_server.core.deps import DatabaseDep, FileLanguage, SettingsDep
from kiosk_server.core.guard import refuse_cross_site_read
from kiosk_server.core.spreadsheet import csv_chunks, xlsx_bytes
from kiosk_server.core.types import Id
from kiosk_server.reports import exports
from kiosk_server.staff.deps import StaffWorkDep, admin_only

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/csv": {}, XLSX_TYPE: {}},
    "description": "CSV (UTF-8 with BOM) or Excel; no cell is a formula"}}


class FileKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


First = Annotated[date, Query(alias="from", description="from this day (the shop's calendar)")]
Last = Annotated[date, Query(alias="to", description="until this day, included")]


def _admin_asks(request: Request, work: StaffWorkDep) -> None:
    """The caller checked in a transaction of its own, over before the report is read."""
    refuse_cross_site_read(request.headers)
    with work.open(Access.READ) as unit:
        admin_only(unit.caller)


def _recorded(work: StaffWorkDep, report: exports.Report, kind: FileKind, *, name: str,
              event_id: int | None = None, days: tuple[date, date] | None = None
              ) -> exports.Report:
    """`report`, once its download is in the audit log: who took which of the shop's data,
    in what file, when (one made and refused, a bad range say, is not recorded)."""
    asked = {"from": str(days[0]), "to": str(days[1])} if days else {}
    with work.open() as unit:
        unit.log.record("export.report", ("events", event_id) if event_id else ("reports", None),
                        details={"report": name, "format": kind.value, **asked})
    return report


def _file(report: exports.Report, kind: FileKind) -> Response:
    """The report as a file to save: CSV (its first sheet, sent as it is read) or Excel
    (every sheet)."""
    headers = {"Content-Disposition": f'attachment; filename="{report.file_name}.{kind}"',
               "Cache-Control": "no-store"}
    if kind is FileKind.CSV:
        chosen = report.sheets[0]
        return StreamingResponse(csv_chunks(chosen.columns, chosen.rows),
                                 media_type="text/csv; charset=utf-8", headers=headers)
    return Response(xlsx_bytes(report.sheets), media_type=XLSX_TYPE, headers=headers)


@router.get("/attendance.{kind}", response_class=Response, responses=FILES)
def attendance(kind: FileKind, event_id: Id, request: Request, work: StaffWorkDep,
               database: DatabaseDep, settings: SettingsDep, lang: FileLanguage = "vi"):
    """Admin. The event's attendance: one row per invitation (cancelled ones too), with
    the guest, phone, e-mail, tier, invited at, status, checked in at (the shop's time),
    gate, walk-in. Each report downloaded is recorded in the audit log (`export.report`)."""
    _admin_asks(request, work)
    report = exports.attendance(database, event_id=event_id, language=lang, settings=settings)
    return _file(_recorded(work, report, kind, name="attendance", event_id=event_id), kind)


@router.get("/customers.{kind}", response_class=Response, responses=FILES)
def customers(kind: FileKind, request: Request, work: StaffWorkDep, database: DatabaseDep,
              settings: SettingsDep, lang: FileLanguage = "vi"):
    """Admin. Every customer (not erased): name, phone, e-mail, member number, tier,
    points, status and its reason as the pages say it, visits, last visit, spend over the
    last 90 days, registered at, tags, notes."""
    _admin_asks(request, work)
    report = exports.customer_list(database, language=lang, settings=settings)
    return _file(_recorded(work, report, kind, name="customers"), kind)


@router.get("/sales.{kind}", response_class=Response, responses=FILES)
def sales(kind: FileKind, first: First, last: Last, request: Request, work: StaffWorkDep,
          database: DatabaseDep, settings: SettingsDep, lang: FileLanguage = "vi"):
    """Admin. Sales per day from `from` to `to` (366 days at most): count, total, coupons
    used. The Excel file has a second sheet, per staff member (`sales_by_staff.csv` in
    CSV)."""
    _admin_asks(request, work)
    report = exports.sales(database, first=first, last=last, language=lang, settings=settings)
    return _file(_recorded(work, report, kind, name="sales", days=(first, last)), kind)


@router.get("/sales_by_staff.{kind}", response_class=Response, responses=FILES)
def sales_by_staff(kind: FileKind, first: First, last: Last, request: Request,
                   work: StaffWorkDep, database: DatabaseDep, settings: SettingsDep,
                   lang: FileLanguage = "vi"):
    """Admin. Sales from `from` to `to` per staff member who served them: count, total."""
    _admin_asks(request, work)
    by_day, by_staff = exports.sales(database, first=first, last=last, language=lang,
                                     settings=settings).sheets
    report = exports.Report(f"sales_by_staff-{first}-{last}", [by_staff])
    return _file(_recorded(work, report, kind, name="sales_by_staff",
                           days=(first, last)), kind)
