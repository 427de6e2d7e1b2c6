"""An admin at the counter hands a customer their data as a ZIP, then erases it at their
request: asked first; afterwards the page, the list and a search show only that they
existed."""

import io
import json
import zipfile

from tests.privacy.helpers import NAME, known_customer
from tests.ui.admin_pages import admin_tab

ROWS = "section.view table.customers tbody tr"


def test_an_admin_downloads_then_erases_a_customers_data(chromium, served, client, admin,
                                                         screenshot):
    known = known_customer(client, admin.headers)
    cid = known.customer_id
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/customers/{cid}")
        assert page.inner_text("section.view h1") == NAME
        with page.expect_download() as download:
            page.click("section.privacy a.export-data")
        data = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
        assert json.loads(data.read("customer.json"))["profile"]["full_name"] == NAME
        page.click("section.privacy button.erase-data")
        dialog = page.locator("dialog.confirm")
        assert "Không thể hoàn tác" in dialog.inner_text()
        assert "các tệp thẻ tên, thư mời đã tạo có tên họ cũng bị xoá" in dialog.inner_text()
        dialog.locator("button[value=no]").click()  # asked first: going back erases nothing
        assert client.get(f"/api/v1/customers/{cid}",
                          headers=admin.headers).json()["erased_at"] is None
        page.click("section.privacy button.erase-data")
        page.click("dialog.confirm button[value=yes]")
        ui.wait_text("section.view h1", f"Khách hàng đã xoá dữ liệu · #{cid}")
        ui.wait_view(f"/customers/{cid}")
        assert page.locator("section.view .erased-note").is_visible()
        assert NAME not in ui.view_text()
        assert page.locator(f"a[href='#/customers/{cid}/edit']").count() == 0
        assert page.locator("section.privacy button.erase-data").count() == 0
        screenshot(page, "admin-customer-erased")

        ui.go("/customers")
        page.wait_for_selector(f"{ROWS}.erased")
        row = page.inner_text(ROWS)
        assert f"Khách hàng đã xoá dữ liệu · #{cid}" in row and "Đã xoá dữ liệu lúc" in row
        page.fill("section.view input.search", "anh duong")
        page.wait_for_selector("section.view .empty:not([hidden])")
        assert page.locator(ROWS).count() == 0
