"""The loyalty features in the admin area: the rewards catalogue (add, withdraw), the
customer page's loyalty panels (standing in VND, voiding a purchase or a redemption, issuing
a coupon and its QR, resolving a complaint), the mail outbox, and what a staff-role user is
not offered."""

import io

import pytest
from PIL import Image

from tests.ui.admin_pages import admin_tab

zxingcpp = pytest.importorskip("zxingcpp", reason="the coupon's QR is decoded with zxing-cpp")

NAME = "Phạm Thị Thu Hà"
REWARD_ROWS = "section.view table.rewards tbody tr:not(.extra)"
PURCHASE_ROWS = "[data-part=purchases] table.purchases tbody tr:not(.extra)"
REDEMPTION_ROWS = "[data-part=redemptions] table.redemptions tbody tr:not(.extra)"


def _customer_with_purchases(client, headers):
    """A customer with two purchases (3,500,000 and 2,000,000 VND: Silver, 550 points) and
    an open complaint; their id, the purchases' ids (newest first), the complaint's id."""
    customer = client.post("/api/v1/customers", headers=headers,
                           json={"full_name": NAME, "phone": "0903 456 789"}).json()
    sales = []
    for n, (amount, items) in enumerate([(3_500_000, "Áo dài lụa"), (2_000_000, "Khăn choàng")]):
        sale = client.post(f"/api/v1/customers/{customer['id']}/purchases", headers=headers,
                           json={"amount_vnd": amount, "items": items, "request_id": f"s-{n}"})
        assert sale.status_code == 201, sale.text
        sales.insert(0, sale.json()["purchase"]["id"])
    complaint = client.post(f"/api/v1/customers/{customer['id']}/complaints", headers=headers,
                            json={"text": "Phải chờ ở quầy 20 phút"})
    assert complaint.status_code == 201, complaint.text
    return customer["id"], sales, complaint.json()["id"]


def _fact(page, name):
    return page.inner_text(f"[data-part=loyalty] dd[data-value={name}]").replace("\u00a0", " ")


def _wait_fact(page, name, text):
    page.wait_for_function(
        "([name, text]) => (document.querySelector(`[data-part=loyalty] dd[data-value=${name}]`)"
        "?.innerText || '').replaceAll('\\u00a0', ' ') === text", arg=[name, text])


def test_an_admin_adds_a_reward_withdraws_it_and_sees_the_mail_outbox(
        chromium, served, client, admin, screenshot):
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        page.click("#nav a[data-route=rewards]")
        ui.wait_view("/rewards")
        assert page.locator("section.view .empty").is_visible()
        page.click("section.view details.add summary")
        page.fill("form.reward-form [name=name]", "Ly cà phê sữa đá")
        page.fill("form.reward-form [name=points_cost]", "1.5")
        page.click("form.reward-form button[type=submit]")
        ui.wait_text("[data-error-for=points_cost]", "số điểm nguyên")
        page.fill("form.reward-form [name=points_cost]", "1500")
        page.click("form.reward-form button[type=submit]")
        ui.wait_text(REWARD_ROWS, "Ly cà phê sữa đá")
        assert "1.500 điểm" in page.inner_text(REWARD_ROWS)
        [reward] = client.get("/api/v1/rewards", headers=admin.headers).json()
        assert (reward["name"], reward["points_cost"], reward["active"]) == (
            "Ly cà phê sữa đá", 1500, True)

        row = page.locator(f"{REWARD_ROWS}[data-reward-id='{reward['id']}']")
        row.locator("button", has_text="Ngừng đổi").click()
        ui.wait_text(REWARD_ROWS, "Đã ngừng")
        assert "inactive" in row.get_attribute("class")
        assert row.locator("button", has_text="Cho đổi lại").is_visible()
        assert client.get("/api/v1/rewards", headers=admin.headers).json() == []  # not offered
        screenshot(page, "admin-rewards")

        signed_up = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
            "full_name": "Đỗ Minh Khoa", "phone": "0977 111 222", "email": "khoa@example.vn"})
        assert signed_up.status_code == 201 and signed_up.json()["mail_queued"], signed_up.text
        page.click("#nav a[data-route=messages]")
        ui.wait_view("/messages")
        rows = "section.view table.messages tbody tr"
        ui.wait_text(rows, "khoa@example.vn")
        line = page.inner_text(rows)
        assert "Đang chờ gửi" in line and "Tạo " in line  # no mail server in tests: pending
        assert page.get_attribute(rows, "data-state") == "pending"
        page.select_option("section.view .toolbar select", "sent")
        page.wait_for_function(f"document.querySelectorAll('{rows}').length === 0")
        assert page.locator("section.view .empty").is_visible()
        page.select_option("section.view .toolbar select", "pending")
        ui.wait_text(rows, "khoa@example.vn")
        screenshot(page, "admin-messages")


def test_the_customer_page_shows_loyalty_voids_a_purchase_issues_a_coupon_resolves_a_complaint(
        chromium, served, client, admin, screenshot):
    customer_id, (newest, oldest), complaint_id = _customer_with_purchases(client, admin.headers)
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/customers/{customer_id}")
        assert _fact(page, "tier") == "Bạc"
        assert _fact(page, "points") == "550"
        assert _fact(page, "spend_12m") == "5.500.000 ₫"
        assert _fact(page, "total_spend") == "5.500.000 ₫"
        assert _fact(page, "next_tier") == "Vàng: còn 14.500.000 ₫"
        assert page.get_attribute("[data-part=loyalty] a.till-link", "href") == (
            f"/checkout#/customers/{customer_id}")
        assert page.locator(PURCHASE_ROWS).count() == 2
        screenshot(page, "admin-customer-loyalty")

        # void the newest purchase, saying why: its points come off
        row = page.locator(f"{PURCHASE_ROWS}[data-purchase-id='{newest}']")
        assert "2.000.000 ₫" in row.inner_text().replace("\u00a0", " ")
        row.locator("button", has_text="Hủy giao dịch").click()
        form = page.locator("form.void-form")
        form.locator("button[type=submit]").click()  # no reason: the server's message by it
        page.wait_for_selector("form.void-form .field.invalid [name=reason]")
        form.locator("[name=reason]").fill("Khách trả hàng")
        form.locator("button[type=submit]").click()
        page.wait_for_selector(f"{PURCHASE_ROWS}.inactive[data-purchase-id='{newest}']")
        _wait_fact(page, "points", "350")
        assert _fact(page, "tier") == "Thành viên"
        assert _fact(page, "spend_12m") == "3.500.000 ₫"
        row = page.locator(f"{PURCHASE_ROWS}[data-purchase-id='{newest}']")
        assert "Khách trả hàng" in row.inner_text()
        assert row.locator("del").count() == 2  # amount and points struck through
        assert row.locator("button").count() == 0
        assert page.locator(f"{PURCHASE_ROWS}[data-purchase-id='{oldest}'] button").count() == 1
        status = client.get(f"/api/v1/customers/{customer_id}/loyalty",
                            headers=admin.headers).json()
        assert status["points"] == 350

        # issue a coupon: its QR loads, and it is the coupon's code
        page.click("[data-part=coupons] details.add summary")
        page.fill("form.issue-coupon [name=benefit]", "Giảm 10% hóa đơn")
        page.fill("form.issue-coupon [name=valid_days]", "14")
        page.click("form.issue-coupon button[type=submit]")
        ui.wait_text("[data-part=coupons] table.coupons", "Giảm 10% hóa đơn")
        [coupon] = client.get(f"/api/v1/customers/{customer_id}/coupons",
                              headers=admin.headers).json()
        qr = page.locator(f"[data-part=coupons] tr[data-coupon-id='{coupon['id']}'] img")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=qr.element_handle())
        shot = Image.open(io.BytesIO(qr.screenshot()))
        found = zxingcpp.read_barcodes(shot.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [barcode.text for barcode in found] == [coupon["code"]]

        # resolve the complaint
        line = page.locator(f"[data-part=complaints] tr[data-complaint-id='{complaint_id}']")
        assert "Chưa giải quyết" in line.inner_text()
        line.locator("button", has_text="Giải quyết").click()
        page.fill("form.resolve-form [name=resolution]", "Đã xin lỗi, tặng phiếu giảm giá")
        page.click("form.resolve-form button[type=submit]")
        page.wait_for_selector(
            f"[data-part=complaints] tr.inactive[data-complaint-id='{complaint_id}']")
        assert "Đã giải quyết" in line.inner_text()
        [saved] = client.get(f"/api/v1/customers/{customer_id}/complaints",
                             headers=admin.headers).json()
        assert saved["resolution"] == "Đã xin lỗi, tặng phiếu giảm giá" and saved["resolved_at"]
        page.evaluate("document.querySelector('[data-part=loyalty]').scrollIntoView()")
        screenshot(page, "admin-customer-loyalty-after")

        page.click("#language button[data-lang=en]")
        ui.wait_view(f"/customers/{customer_id}")
        _wait_fact(page, "spend_12m", "3,500,000 ₫")
        assert _fact(page, "next_tier") == "Bạc: 1,500,000 ₫ to go"
        assert "Voided" in page.inner_text(f"{PURCHASE_ROWS}[data-purchase-id='{newest}']")
        page.click("#language button[data-lang=vi]")  # the choice is kept: leave it as found
        ui.wait_view(f"/customers/{customer_id}")
        _wait_fact(page, "spend_12m", "3.500.000 ₫")  # drawn again: its till link is the new one

        # "Open at the till": the till (same session) serves this customer at once
        page.click("[data-part=loyalty] a.till-link")
        page.wait_for_selector(f"[data-view=customer][data-customer-id='{customer_id}']")
        assert page.evaluate("location.hash") == ""


def _redeem(client, headers, customer_id, name, cost):
    reward = client.post("/api/v1/rewards", headers=headers,
                         json={"name": name, "points_cost": cost}).json()
    redeemed = client.post(f"/api/v1/customers/{customer_id}/redemptions", headers=headers,
                           json={"reward_id": reward["id"], "request_id": f"r-{reward['id']}"})
    assert redeemed.status_code == 201, redeemed.text
    return redeemed.json()["redemption"]["id"]


def test_an_admin_voids_a_redemption_and_its_points_come_back(chromium, served, client, admin,
                                                              screenshot):
    customer_id, _, _ = _customer_with_purchases(client, admin.headers)
    redemption_id = _redeem(client, admin.headers, customer_id, "Túi vải canvas", 200)
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/customers/{customer_id}")
        assert _fact(page, "points") == "350"
        row = page.locator(f"{REDEMPTION_ROWS}[data-redemption-id='{redemption_id}']")
        assert "Túi vải canvas" in row.inner_text() and "200" in row.inner_text()
        row.locator("button", has_text="Hủy lần đổi").click()
        form = page.locator("[data-part=redemptions] form.void-form")
        form.locator("[name=reason]").fill("Khách đổi ý, trả lại túi")
        form.locator("button[type=submit]").click()
        page.wait_for_selector(
            f"{REDEMPTION_ROWS}.inactive[data-redemption-id='{redemption_id}']")
        ui.wait_text("#notice", "điểm đã trả lại")
        _wait_fact(page, "points", "550")
        row = page.locator(f"{REDEMPTION_ROWS}[data-redemption-id='{redemption_id}']")
        assert "Khách đổi ý, trả lại túi" in row.inner_text()
        assert row.locator("del").count() == 1 and row.locator("button").count() == 0
        screenshot(page, "admin-customer-redemption-voided")
    status = client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=admin.headers)
    assert status.json()["points"] == 550


def test_a_staff_role_user_sees_the_rewards_and_the_panels_without_the_admin_buttons(
        chromium, served, client, admin, clerk, screenshot):
    customer_id, _, _ = _customer_with_purchases(client, admin.headers)
    _redeem(client, admin.headers, customer_id, "Túi vải", 300)
    with admin_tab(chromium, served.url, "clerk") as ui:
        page = ui.page
        assert page.locator("#nav a[data-route=rewards]").is_visible()
        assert page.locator("#nav a[data-route=messages]").is_hidden()
        ui.go("/rewards")
        assert "Túi vải" in page.inner_text(REWARD_ROWS)
        assert page.locator("section.view details.add").count() == 0
        assert page.locator(f"{REWARD_ROWS} button").count() == 0

        ui.go(f"/customers/{customer_id}")
        assert _fact(page, "points") == "250"
        assert page.locator(PURCHASE_ROWS).count() == 2
        assert page.locator(f"{PURCHASE_ROWS} button").count() == 0  # voiding is for admins
        assert page.locator(REDEMPTION_ROWS).count() == 1
        assert page.locator(f"{REDEMPTION_ROWS} button").count() == 0
        assert page.locator("[data-part=complaints] button", has_text="Giải quyết").count() == 1
        screenshot(page, "admin-customer-loyalty-staff")

        with page.expect_response("**/api/v1/messages?limit=50") as answer:
            page.evaluate("location.hash = '#/messages'")
        assert answer.value.status == 403
        ui.wait_view("/messages")
        assert page.locator("section.view .page-error").is_visible()
