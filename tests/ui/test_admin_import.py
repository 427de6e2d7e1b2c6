"""Importing customers from a CSV on the customers page, on a phone and on a tablet: the
preview's rows with their problems in the page's language, the good rows imported and the
bad ones skipped, and the existing customers the import matched."""

import os
from pathlib import Path

from tests.conftest import open_event_body
from tests.ui.admin_pages import admin_tab
from tests.ui.conftest import ARTIFACTS
from tests.ui.widths import PHONE, TABLET, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "imports"
HEADER = "Họ tên,Số điện thoại,Email,Đồng ý liên hệ"


def _csv(count):
    """`count` new people after five telling rows: an existing customer by phone, one by
    e-mail, a bad phone, no name, a consent that is not yes or no."""
    lines = [HEADER, "Nguyễn Văn An,0903 123 456,,có", "Chị Bích,,bich@example.com,",
             "Ngô Bảo,12345,,", ",0903999999,,", "Lê Hà,0903000555,,có lẽ"]
    lines += [f"Phạm Thị Khách {n},0904{n:06d},,có" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_customer_csv_is_previewed_then_its_good_rows_imported(chromium, served, client,
                                                                  admin):
    """Run on a phone; each screenshot taken at 375 and 820 px."""
    an = client.post("/api/v1/customers", headers=admin.headers,
                     json={"full_name": "Nguyễn Văn An", "phone": "0903123456"}).json()
    bich = client.post("/api/v1/customers", headers=admin.headers,
                       json={"full_name": "Trần Thị Bích", "email": "bich@example.com"}).json()
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go("/customers")
        page.click("details.import > summary")
        page.set_input_files(".customers-csv input[type=file]", files=[{
            "name": "khach-hang.csv", "mimeType": "text/csv", "buffer": _csv(60)}])
        page.wait_for_selector(".customers-csv .import-report.bad")
        assert page.inner_text(".customers-csv .summary") == (
            "Tệp có 65 dòng: 62 dòng hợp lệ (60 khách mới, 2 khách đã có) và 3 dòng lỗi.")
        lines = page.locator(".import-rows tbody tr")
        assert lines.count() == 50
        assert [lines.nth(n).get_attribute("data-status") for n in range(6)] == [
            "existing", "existing", "bad", "bad", "bad", "new"]
        assert "Khách đã có: Nguyễn Văn An" in lines.nth(0).inner_text()
        assert "Khách đã có: Trần Thị Bích" in lines.nth(1).inner_text()
        assert "Số điện thoại không hợp lệ." in lines.nth(2).inner_text()
        assert "Thiếu họ tên hoặc họ tên không hợp lệ." in lines.nth(3).inner_text()
        assert "Cột đồng ý nhận tin phải là có hoặc không." in lines.nth(4).inner_text()
        assert "chỉ hiện 50 dòng đầu trong 65 dòng" in page.inner_text(".customers-csv")
        assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == [
            client.get(f"/api/v1/customers/{c['id']}", headers=admin.headers).json()
            for c in (an, bich)]  # a preview saves nothing
        shots(page, SHOTS, "import-preview", full_page=True)

        button = page.locator(".customers-csv button.primary")
        assert button.inner_text() == "Nhập 62 dòng hợp lệ, bỏ qua 3 dòng lỗi"
        button.click()
        ui.wait_text(".customers-csv .import-result", "Đã nhập xong")
        result = page.inner_text(".customers-csv .import-result")
        assert "Đã nhập xong: 60 khách hàng mới, 2 khách hàng đã có." in result
        assert "3 dòng lỗi đã được bỏ qua, không lưu." in result
        matched = page.locator(".customers-csv .matched li")
        assert [matched.nth(n).get_attribute("data-customer-id") for n in range(2)] == [
            str(an["id"]), str(bich["id"])]
        assert "dòng 2, cùng số điện thoại" in matched.nth(0).inner_text()
        assert "dòng 3, cùng email" in matched.nth(1).inner_text()
        assert button.is_hidden()
        shots(page, SHOTS, "import-done", full_page=True)
        shots(page, ARTIFACTS, "admin-import")
        page.wait_for_function("document.querySelectorAll("
                               "'section.view table.customers tbody tr').length === 50")

        # The same file again: the preview says it was imported; nothing can be saved twice.
        page.set_input_files(".customers-csv input[type=file]", files=[{
            "name": "khach-hang.csv", "mimeType": "text/csv", "buffer": _csv(60)}])
        ui.wait_text(".customers-csv .import-result", "Tệp này đã được nhập trước đó")
        assert button.is_hidden()
    total = client.get("/api/v1/customers?limit=200", headers=admin.headers).json()["items"]
    assert len(total) == 62


def test_the_preview_speaks_english_when_the_page_does(chromium, served, client, admin):
    with admin_tab(chromium, served.url, viewport=TABLET) as ui:
        page = ui.page
        page.evaluate("localStorage.setItem('kiosk-admin-language', 'en')")
        page.reload()
        ui.wait_view("/")
        ui.go("/customers")
        page.click("details.import > summary")
        page.set_input_files(".customers-csv input[type=file]", files=[{
            "name": "customers.csv", "mimeType": "text/csv", "buffer": _csv(1)}])
        page.wait_for_selector(".customers-csv .import-report.bad")
        assert page.inner_text(".customers-csv .summary") == (
            "The file has 6 rows: 3 good (3 new customers, 0 existing) and 3 with a problem.")
        assert "The phone number is not valid." in page.inner_text(".import-rows")
        assert page.locator(".customers-csv button.primary").inner_text() == (
            "Import the 3 good rows, skip the 3 bad ones")
        _shot(page, "import-preview-english-820")


def test_an_events_guests_are_invited_from_a_csv_with_the_bad_rows_skipped(
        chromium, served, client, admin):
    """Run on a phone; each screenshot taken at 375 and 820 px."""
    event = client.post("/api/v1/events", headers=admin.headers,
                        json=open_event_body()).json()
    an = client.post("/api/v1/customers", headers=admin.headers,
                     json={"full_name": "Nguyễn Văn An", "phone": "0903123456"}).json()
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go(f"/events/{event['id']}")
        page.set_input_files(".invite-csv input[type=file]", files=[{
            "name": "khach-moi.csv", "mimeType": "text/csv", "buffer": _csv(3)}])
        page.wait_for_selector(".invite-csv .import-report.bad")
        page.locator(".invite-csv").scroll_into_view_if_needed()
        shots(page, SHOTS, "invite-preview", full_page=True)
        button = page.locator(".invite-csv button.primary")
        assert button.inner_text() == "Mời 5 khách từ các dòng hợp lệ, bỏ qua 3 dòng lỗi"
        button.click()
        ui.wait_text(".invite-csv .import-result", "Đã mời 5 khách (4 khách hàng mới).")
        assert page.locator(f".invite-csv .matched li[data-customer-id='{an['id']}']").count() == 1
        shots(page, SHOTS, "invite-done", full_page=True)
    invited = client.get(f"/api/v1/events/{event['id']}/invitations",
                         headers=admin.headers).json()["items"]
    assert len(invited) == 5
