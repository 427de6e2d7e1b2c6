"""The till at /checkout in a real browser: the camera reads a customer's card, the panel
shows who they are, a sale moves them up a tier while a second till sees it live; search by
phone and by a name without diacritics, a handheld scanner's code; a new customer's card;
a coupon refused with its reason; a reward redeemed; both tablet orientations."""

import io
import time

import pytest
from PIL import Image

from tests.badges.helpers import zxingcpp
from tests.conftest import seed_seminar
from tests.ui.admin_pages import PASSWORD
from tests.ui.conftest import ARGS, CHROMIUM
from tests.ui.test_kiosk_camera import zxing_installed  # noqa: F401  (a fixture)
from tests.ui.widths import OVERFLOW

LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
NAME = "Trần Thị Ánh Nguyệt"
WIDTH, HEIGHT = 640, 480
# Buttons and fields shown smaller than a fingertip (44 CSS px, a little less with borders).
SMALL_CONTROLS = """() => [...document.querySelectorAll('button, input:not([type=checkbox])')]
  .filter((node) => node.offsetParent && node.getBoundingClientRect().height < 40)
  .map((node) => node.outerHTML.slice(0, 80))"""

# The page's behaviour does not depend on the database; its server's does, and is tested
# on both elsewhere. SQLite alone keeps these browser tests quick.


class Till:
    """A browser tab on /checkout, signed in, recording the page's own errors (script
    exceptions, console errors other than refused requests, which the page shows)."""

    def __init__(self, browser, base, viewport=LANDSCAPE, camera=False, signed_in=None):
        self.context = browser.new_context(viewport=viewport, locale="vi-VN",
                                           storage_state=signed_in)
        self.context.add_init_script(  # the page's own switch, kept by the device
            f"localStorage.setItem('kiosk-till-camera', '{'on' if camera else 'off'}')")
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text)
                     if message.type == "error"
                     and not message.text.startswith("Failed to load resource") else None)
        self.page.goto(f"{base}/checkout")
        if signed_in is None:
            self.sign_in()
        self.page.wait_for_selector("[data-view=idle]")

    def sign_in(self):
        self.page.fill("form.signin [name=username]", "admin")
        self.page.fill("form.signin [name=password]", PASSWORD)
        self.page.click("form.signin button[type=submit]")

    def served(self, customer_id, timeout=10_000):
        """Waits until the customer's panel is shown and follows their visits live."""
        self.page.wait_for_function(
            "id => window.checkoutState.customerId === id && window.checkoutState.live === id",
            arg=customer_id, timeout=timeout)

    def text(self, selector):
        return self.page.inner_text(selector).replace("\u00a0", " ")

    def wait_text(self, selector, text, timeout=10_000):
        self.page.wait_for_function(
            "([selector, text]) => (document.querySelector(selector)?.innerText || '')"
            ".replaceAll('\\u00a0', ' ').includes(text)", arg=[selector, text], timeout=timeout)

    def close(self):
        self.context.close()
        assert self.errors == []


def _customer_with_history(client, headers):
    """A customer with a card, an event check-in and a purchase of 4,000,000 VND: 1,000,000
    short of Silver (Bạc, 5,000,000 over 12 months). Their id and card code."""
    seminar = seed_seminar(client, headers, guests=0)
    customer = client.post("/api/v1/customers", headers=headers,
                           json={"full_name": NAME, "phone": "0912 888 777"}).json()
    invited = client.post(f"/api/v1/events/{seminar.event_id}/invitations", headers=headers,
                          json={"customer_ids": [customer["id"]]})
    code = invited.json()[0]["code"]
    checked_in = client.post("/api/v1/checkins", headers=headers, json={
        "code": code, "event_id": seminar.event_id, "gate": "Cổng A"})
    assert checked_in.json()["status"] == "ok", checked_in.text
    sale = client.post(f"/api/v1/customers/{customer['id']}/purchases", headers=headers,
                       json={"amount_vnd": 4_000_000, "items": "Áo dài", "request_id": "past-1"})
    assert sale.status_code == 201, sale.text
    card = client.post(f"/api/v1/customers/{customer['id']}/card", headers=headers)
    assert card.status_code == 201, card.text
    return customer["id"], card.json()["code"]


def _card_feed(path, card_png: bytes) -> None:
    """A 4:2:0 Y4M video: blank frames, then the card image (as the server draws it) held up
    to the camera on a light background."""

    card = Image.open(io.BytesIO(card_png)).convert("L")
    card = card.resize((WIDTH - 20, round(card.height * (WIDTH - 20) / card.width)))
    blank = Image.new("L", (WIDTH, HEIGHT), 235)
    shown = blank.copy()
    shown.paste(card, (10, (HEIGHT - card.height) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode())
        for frame in [blank] * 8 + [shown] * 30:
            out.write(b"FRAME\n" + frame.tobytes() + chroma)


@pytest.mark.usefixtures("zxing_installed")
def test_the_camera_finds_the_customer_and_a_sale_moves_them_up_live(
        playwright, live_server, http, client, admin, clerk, tmp_path, screenshot):
    customer_id, card_code = _customer_with_history(client, admin.headers)
    feed = tmp_path / "card.y4m"
    card_png = client.get(f"/api/v1/customers/{customer_id}/card.png", headers=admin.headers)
    _card_feed(feed, card_png.content)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={feed}"])
    try:
        # A second till (a colleague's tablet) serves the same customer, found by a handheld
        # scanner typing the card's code.
        other = Till(browser, live_server)
        other.page.fill("#find-input", card_code)
        other.page.press("#find-input", "Enter")
        other.served(customer_id)

        till = Till(browser, live_server, camera=True,
                    signed_in=other.context.storage_state())  # the same staff member
        till.served(customer_id, timeout=20_000)  # the camera read the card
        page = till.page
        assert page.evaluate("window.checkoutState.camera") is True
        assert till.text(".customer-name") == NAME
        assert till.text(".badge.tier") == "Thành viên"
        assert till.text(".visit-number") == "Lần ghé thăm thứ 3"
        assert till.text(".stat-points") == "400"
        assert till.text(".stat-total") == "4.000.000 ₫"
        assert till.text(".stat-next") == "Bạc: còn 1.000.000 ₫"
        history = till.text("ol.history")
        assert "Hội thảo mùa thu" in history and "Cổng A" in history
        assert "4.000.000 ₫" in history and "Áo dài" in history
        screenshot(page, "checkout-found")
        found_at = time.monotonic()

        page.fill(".sale-form .amount", "1.250.000")
        assert till.text(".amount-preview") == "= 1.250.000 ₫"
        page.fill(".sale-form [name=items]", "Khăn lụa")
        served_by = ".sale-form [name=served_by]"
        page.wait_for_selector(f"{served_by} option[value='{clerk.staff_id}']", state="attached")
        assert page.eval_on_selector(served_by, "s => s.value") == str(admin.staff_id)
        page.select_option(served_by, str(clerk.staff_id))  # a colleague served them
        page.click(".sale-form .record-sale")
        page.wait_for_selector(".receipt")
        assert till.text(".receipt .points-earned") == "+125 điểm"
        assert till.text(".receipt .new-balance") == "Số điểm mới: 525"
        assert "Bạc" in till.text(".receipt .new-tier")
        till.wait_text(".badge.tier", "Bạc")
        page.wait_for_function("document.querySelector('.receipt img.feedback-qr')"
                               "?.naturalWidth > 0")
        screenshot(page, "checkout-receipt")
        receipts = page.evaluate("window.checkoutState.receipts")
        assert len(receipts) == 1 and receipts[0]["new_tier"] is True
        assert receipts[0]["purchase"]["staff_id"] == clerk.staff_id
        shot = Image.open(io.BytesIO(page.locator(".receipt img.feedback-qr").screenshot()))
        assert [b.text for b in zxingcpp.read_barcodes(shot.convert("L"))] == [
            receipts[0]["feedback"]["url"]]

        # The other till sees the new visit at once, and the new tier.
        other.wait_text("ol.history li:first-child", "1.250.000 ₫")
        other.wait_text(".badge.tier", "Bạc")
        assert "Khăn lụa" in other.text("ol.history li:first-child")
        assert "clerk" in other.text("ol.history li:first-child")
        assert other.text(".stat-points") == "525"
        screenshot(other.page, "checkout-second-till")

        # The card stayed in view all along: it was not looked up again (which would have
        # served the customer afresh and lost the receipt).
        page.wait_for_timeout(max(0, 3.5 - (time.monotonic() - found_at)) * 1000)
        assert page.evaluate("window.checkoutState.lookups") == 1
        assert page.locator(".receipt").is_visible()
        page.click(".receipt .new-sale")  # the next sale is served by whoever records it
        assert page.eval_on_selector(served_by, "s => s.value") == str(admin.staff_id)
        other.close()
        till.close()
    finally:
        browser.close()
    purchases = http.get(f"/api/v1/customers/{customer_id}/purchases", headers=admin.headers)
    assert [p["amount_vnd"] for p in purchases.json()] == [1_250_000, 4_000_000]


def _customer(client, headers, name, phone):
    created = client.post("/api/v1/customers", headers=headers,
                          json={"full_name": name, "phone": phone})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_find_by_phone_in_any_form_by_a_name_without_diacritics_and_by_a_scanned_code(
        chromium, live_server, client, admin, screenshot):
    thang = _customer(client, admin.headers, "Trần Đức Thắng", "0987 654 321")
    binh = _customer(client, admin.headers, "Trần Văn Bình", "0987 111 222")
    code = client.post(f"/api/v1/customers/{binh}/card", headers=admin.headers).json()["code"]
    till = Till(chromium, live_server)
    page = till.page
    for typed in ["0987.654.321", "+84 987 654 321"]:  # one match: Enter serves them
        page.fill("#find-input", typed)
        page.press("#find-input", "Enter")
        till.served(thang)
        page.click(".next-customer")
        page.wait_for_selector("[data-view=idle]")

    page.type("#find-input", "tran", delay=20)  # typed without diacritics: both Trần
    page.wait_for_function("document.querySelectorAll('#results .result').length === 2")
    screenshot(page, "checkout-search")
    page.fill("#find-input", "")
    page.type("#find-input", "tran duc thang", delay=20)
    page.wait_for_function("document.querySelectorAll('#results .result').length === 1")
    assert "Trần Đức Thắng" in till.text("#results") and "0987 654 321" in till.text("#results")
    page.click("#results .result")
    till.served(thang)

    # A handheld scanner types what the card's QR holds (its page's link) and Enter, here
    # while the cashier was typing an amount for the customer before.
    page.click(".sale-form .amount")
    page.keyboard.type("150000")
    page.keyboard.type(f"HTTP://127.0.0.1:8000/C/{code}")
    page.keyboard.press("Enter")
    till.served(binh)
    assert page.input_value(".sale-form .amount") == ""  # a new customer, a new sale
    assert till.text(".customer-name") == "Trần Văn Bình"
    assert page.input_value("#find-input") == ""

    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    page.fill("#find-input", forged)
    page.press("#find-input", "Enter")
    page.wait_for_function("document.getElementById('find-error').textContent !== ''")
    assert page.evaluate("window.checkoutState.customerId") == binh  # still served
    till.close()


def test_a_new_customer_gets_their_card_at_the_counter(chromium, live_server, http, admin,
                                                       screenshot):
    till = Till(chromium, live_server, viewport=PORTRAIT)
    page = till.page
    page.click("#new-customer")
    page.fill(".signup [name=full_name]", "Lê Thị Thu Hà")
    page.fill(".signup [name=phone]", "12")
    page.click(".signup button[type=submit]")
    page.wait_for_function("document.querySelector('.signup .form-error').textContent"
                           " + document.querySelector('[data-error-for=phone]').textContent")
    assert page.locator(".signup .field.invalid [name=phone]").count() == 1
    page.fill(".signup [name=phone]", "0903 123 456")
    page.fill(".signup [name=email]", "thuha@example.com")
    page.check(".signup [name=consent_email]")
    page.click(".signup button[type=submit]")
    page.wait_for_selector(".new-card img.card-image")
    page.wait_for_function("document.querySelector('.new-card img.card-image').naturalWidth > 0")
    customer_id = page.evaluate("window.checkoutState.customerId")
    till.served(customer_id)
    assert "Lê Thị Thu Hà" in till.text(".new-card h2")
    assert "/C/1C." in till.text(".new-card .card-url").upper()
    assert till.page.get_attribute(".new-card .mail", "data-mail") == "waiting"  # no mail server
    assert till.text(".visit-number") == "Lần ghé thăm thứ 1"
    assert not page.evaluate(OVERFLOW)
    screenshot(page, "checkout-new-customer-portrait")
    till.close()
    saved = http.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
    assert saved["phone"] == "+84903123456" and saved["consent_email"] is True


def test_a_coupon_refused_with_its_reason_and_a_reward_redeemed(chromium, live_server, client,
                                                                admin, screenshot):
    headers = admin.headers
    mai = _customer(client, headers, "Phạm Ngọc Mai", "0911 222 333")
    other = _customer(client, headers, "Đỗ Minh Quân", "0911 444 555")
    sale = client.post(f"/api/v1/customers/{mai}/purchases", headers=headers,
                       json={"amount_vnd": 2_000_000, "request_id": "past-2"})
    assert sale.json()["status"]["points"] == 200
    for name, cost in [("Ly cà phê sữa đá", 150), ("Túi vải", 5000)]:
        assert client.post("/api/v1/rewards", headers=headers,
                           json={"name": name, "points_cost": cost}).status_code == 201
    theirs = client.post(f"/api/v1/customers/{other}/coupons", headers=headers,
                         json={"benefit": "Giảm 10%", "valid_days": 30}).json()["code"]

    till = Till(chromium, live_server)
    page = till.page
    page.fill("#find-input", "0911222333")
    page.press("#find-input", "Enter")
    till.served(mai)

    # Someone else's coupon, then a forged one: refused, with the reason, next to the box.
    page.fill(".sale-form .coupon-code", theirs)
    page.click(".sale-form .check-coupon")
    till.wait_text(".coupon-verdict.error", "khách hàng khác")
    page.fill(".sale-form .coupon-code", theirs[:-2] + ("AA" if theirs[-2:] != "AA" else "BB"))
    page.click(".sale-form .check-coupon")
    till.wait_text(".coupon-verdict.error", "không hợp lệ")

    # A coupon issued here is shown as its QR, held by them, and good for the sale.
    page.click("[data-part=coupons] details.add summary")
    page.fill(".issue-coupon [name=benefit]", "Tặng 1 bánh mì")
    page.click(".issue-coupon button[type=submit]")
    page.wait_for_function("document.querySelector('img.coupon-qr')?.naturalWidth > 0")
    page.wait_for_selector("ul.coupons .use-coupon")
    page.click("ul.coupons .use-coupon")
    till.wait_text(".coupon-verdict.ok", "Tặng 1 bánh mì")
    page.fill(".sale-form .amount", "45.000")
    page.click(".sale-form .record-sale")
    till.wait_text(".receipt .coupon-used", "Tặng 1 bánh mì")
    till.wait_text(".stat-points", "204")  # 200 + 4 for 45,000 VND
    page.wait_for_function("document.querySelectorAll('ul.coupons .use-coupon').length === 0")
    held = client.get(f"/api/v1/customers/{mai}/coupons", headers=headers).json()
    assert held == []  # used with the sale: no longer held

    # Rewards: the one they cannot afford is off; the other is redeemed.
    assert page.is_disabled("li[data-reward-id] >> text=Túi vải >> xpath=.. >> button.redeem")
    page.click("li[data-reward-id]:has-text('Ly cà phê sữa đá') button.redeem")
    page.click("dialog.confirm button.danger")
    till.wait_text(".stat-points", "54")
    till.wait_text("#notice", "Ly cà phê sữa đá")
    screenshot(page, "checkout-rewards")

    # A note kept, a complaint recorded and resolved.
    page.fill(".add-note [name=text]", "Thích bánh ít đường")
    page.click(".add-note button[type=submit]")
    till.wait_text("[data-part=notes] p.notes", "Thích bánh ít đường")
    page.click("[data-part=complaints] details.add summary")
    page.fill(".record-complaint [name=text]", "Chờ thanh toán quá lâu")
    page.wait_for_selector(f".record-complaint option[value='{admin.staff_id}']",
                           state="attached")
    page.select_option(".record-complaint [name=about_staff_id]", str(admin.staff_id))
    page.click(".record-complaint button[type=submit]")
    till.wait_text("ul.complaints", "Chờ thanh toán quá lâu")
    [complaint] = client.get(f"/api/v1/customers/{mai}/complaints?open=true",
                             headers=headers).json()
    assert complaint["about_staff_id"] == admin.staff_id
    page.click("ul.complaints .open-resolve")
    page.fill("ul.complaints .resolve [name=resolution]", "Đã xin lỗi, tặng phiếu")
    page.click("ul.complaints .resolve button[type=submit]")
    page.wait_for_function("document.querySelectorAll('ul.complaints li').length === 0")
    till.close()


def test_the_till_fits_a_tablet_held_either_way(chromium, live_server, client, admin,
                                                 screenshot):
    customer_id, _ = _customer_with_history(client, admin.headers)
    assert client.post("/api/v1/rewards", headers=admin.headers,
                       json={"name": "Voucher 50.000 ₫", "points_cost": 300}).status_code == 201
    till = Till(chromium, live_server, viewport=LANDSCAPE)
    page = till.page
    page.fill("#find-input", "nguyet")
    page.press("#find-input", "Enter")
    till.served(customer_id)
    for viewport, orientation in [(LANDSCAPE, "landscape"), (PORTRAIT, "portrait")]:
        page.set_viewport_size(viewport)
        assert not page.evaluate(OVERFLOW)
        sale = page.locator("[data-part=sale]").bounding_box()
        if viewport is LANDSCAPE:  # the sale beside the customer, in view without scrolling
            summary = page.locator("[data-part=summary]").bounding_box()
            assert sale["x"] > summary["x"] + summary["width"]
            assert sale["y"] + sale["height"] < viewport["height"]
        else:  # one column: the sale right under the customer's standing
            history = page.locator("[data-part=history]").bounding_box()
            assert sale["width"] > viewport["width"] * 0.9 and sale["y"] < history["y"]
        assert page.evaluate(SMALL_CONTROLS) == []  # every control big enough for a finger
        screenshot(page, f"checkout-{orientation}")
    page.fill(".sale-form .amount", "250000")
    page.click(".sale-form .record-sale")
    page.wait_for_selector(".receipt")
    assert not page.evaluate(OVERFLOW)
    screenshot(page, "checkout-portrait-receipt")
    page.set_viewport_size(LANDSCAPE)
    assert not page.evaluate(OVERFLOW)
    screenshot(page, "checkout-landscape-receipt")

    page.click("#language button[data-lang=en]")  # the customer is served on, in English
    till.wait_text(".visit-number", "Visit number 3")
    assert till.text(".stat-total") == "4,250,000 ₫"
    assert till.text(".stat-next") == "Bạc: 750,000 ₫ to go"
    assert till.text("#find-button") == "Find"
    till.close()


def test_a_check_in_undone_leaves_the_till_s_history_at_once(chromium, live_server, client,
                                                              admin):
    event = seed_seminar(client, admin.headers, guests=1)
    guest = event.customer_ids[0]
    scanned = client.post("/api/v1/checkins", headers=admin.headers, json={
        "code": event.codes[0], "event_id": event.event_id, "gate": "Cổng A"})
    assert scanned.json()["status"] == "ok", scanned.text
    phone = client.get(f"/api/v1/customers/{guest}", headers=admin.headers).json()["phone"]
    till = Till(chromium, live_server)
    page = till.page
    page.fill("#find-input", phone)
    page.press("#find-input", "Enter")
    till.served(guest)
    assert "Cổng A" in till.text("ol.history")
    refreshes = page.evaluate("window.checkoutState.refreshes")
    undone = client.post(f"/api/v1/events/{event.event_id}/guests/{guest}/checkin/undo",
                         headers=admin.headers)  # checked in by mistake
    assert undone.status_code == 200, undone.text
    page.wait_for_function("n => window.checkoutState.refreshes > n", arg=refreshes)
    page.wait_for_function("!document.querySelector('ol.history li')")
    till.close()
