"""The reports page in Chromium: each report downloads as CSV and as Excel with the rows of
a planted history (the bytes the browser saved are read back), a refused range is said by
its field and saves nothing, the files follow the language chosen, and a staff member who
is not an admin is told the reports are not for them."""

import io
import os
from pathlib import Path

from openpyxl import load_workbook

from tests.reports.test_exports import HANG, HYPERLINK, csv_rows, plant, xlsx_sheets
from tests.ui.admin_pages import PASSWORD, AdminPage
from tests.ui.widths import PHONE, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "reports"


def _tab(chromium, base, language="vi", viewport=None, username="admin"):
    tab = AdminPage(chromium, base, **({"viewport": viewport} if viewport else {}))
    tab.context.add_init_script(f"localStorage.setItem('kiosk-admin-language', '{language}')")
    tab.open()
    tab.sign_in(username, PASSWORD)
    tab.wait_view("/")
    tab.go("/reports")
    return tab


def _save(tab, report: str, kind: str) -> tuple[str, bytes]:
    """Press the report's button for `kind`; the name and bytes of the file saved."""
    page = tab.page
    with page.expect_download() as saving:
        page.click(f'form[data-report="{report}"] .actions button:nth-child('
                   f'{1 if kind == "csv" else 2})')
    saved = saving.value
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def test_each_report_downloads_as_csv_and_excel(chromium, served, client, db, settings, admin,
                                                 clerk):
    planted = plant(client, db, settings, admin, clerk)
    tab = _tab(chromium, served.url)
    try:
        name, data = _save(tab, "attendance", "csv")
        assert name.startswith(f"attendance-{planted.event_id}-") and name.endswith(".csv")
        rows = csv_rows(data)
        assert rows[0][0] == "Khách" and [row[0] for row in rows[1:3]] == [
            HANG, "'" + HYPERLINK]
        name, data = _save(tab, "customers", "xlsx")
        assert name.startswith("customers-") and name.endswith(".xlsx")
        customers = xlsx_sheets(data)["Khách hàng"]
        assert {row[1] for row in customers[1:]} >= {HANG, HYPERLINK}
        for field, day in planted.dates().items():
            for report in ("sales", "sales_by_staff"):
                tab.page.fill(f'form[data-report="{report}"] [name="{field}"]', day)
        name, data = _save(tab, "sales", "csv")
        assert name == f"sales-{planted.dates()['from']}-{planted.dates()['to']}.csv"
        assert [row[1:] for row in csv_rows(data)[1:]] == [
            ["0", "0", "0"], ["1", "500000", "1"], ["2", "500000", "0"]]
        name, data = _save(tab, "sales_by_staff", "xlsx")
        assert name.startswith("sales_by_staff-")
        [staff_rows] = load_workbook(io.BytesIO(data)).worksheets
        assert [[cell.value for cell in row] for row in staff_rows.iter_rows(min_row=2)] == [
            ["admin", 2, 800_000], ["clerk", 1, 200_000]]
        assert tab.page.inner_text("#notice").startswith("Đã tải sales_by_staff-")
        assert tab.errors == []
    finally:
        tab.close()


def test_a_refused_range_is_said_by_its_field_and_saves_nothing(chromium, served, admin):
    tab = _tab(chromium, served.url)
    try:
        saved = []
        tab.page.on("download", lambda download: saved.append(download))
        form = 'form[data-report="sales"]'
        tab.page.fill(f"{form} [name=from]", "2026-11-03")
        tab.page.fill(f"{form} [name=to]", "2026-11-01")
        tab.page.click(f"{form} .actions button.primary")
        tab.wait_text(f'{form} [data-error-for="to"]', "Ngày kết thúc phải từ ngày bắt đầu")
        assert saved == []
        assert tab.errors == []
    finally:
        tab.close()


def test_in_english_the_page_and_the_files_it_saves(chromium, served, client, db, settings,
                                                    admin, clerk):
    plant(client, db, settings, admin, clerk)
    tab = _tab(chromium, served.url, language="en")
    try:
        assert tab.page.inner_text("section.view h1") == "Reports"
        assert tab.page.input_value("[name=lang]") == "en"
        header, *rows = csv_rows(_save(tab, "attendance", "csv")[1])
        assert (header[0], rows[0][5]) == ("Guest", "Checked in")
        tab.page.select_option("[name=lang]", "vi")
        header, *_ = csv_rows(_save(tab, "customers", "csv")[1])
        assert header[6:8] == ["Nhịp ghé", "Lý do"]
        assert tab.errors == []
    finally:
        tab.close()


def test_a_staff_member_is_told_reports_are_for_admins(chromium, served, clerk):
    tab = _tab(chromium, served.url, username="clerk")
    try:
        assert not tab.page.is_visible('#nav a[data-route="reports"]')
        assert "Chỉ quản trị viên" in tab.view_text()
        assert tab.page.locator("form.report").count() == 0
    finally:
        tab.close()


def test_screenshots_of_the_reports_page(chromium, served, client, db, settings, admin, clerk):
    plant(client, db, settings, admin, clerk)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("vi", "en"):
        tab = _tab(chromium, served.url, language=language, viewport=PHONE)
        try:
            form = 'form[data-report="sales"]'
            tab.page.fill(f"{form} [name=from]", "2026-11-03")
            tab.page.fill(f"{form} [name=to]", "2026-11-01")
            tab.page.click(f"{form} .actions button.primary")
            tab.page.wait_for_selector(f'{form} .field.invalid')
            shots(tab.page, SHOTS, f"reports-{language}", full_page=True)
            assert tab.errors == []
        finally:
            tab.close()