"""A customer's own card page on a phone: the name with its diacritics and the QR, kept by
the service worker so that it opens again without a network; its QR holds the page's link.
It shows the holder's points and usable coupons (each with its QR), in Vietnamese, or in
English after a tap."""

import base64
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.badges.helpers import decode
from tests.ui import widths
from tests.ui.widths import OVERFLOW, TABLET

pytestmark = pytest.mark.usefixtures("chromium")

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")
SMALL_PHONE = dict(PHONE, viewport=widths.PHONE, locale="en-US")
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))

# The QR the page shows: loaded, and its bytes as the page got them (base64).
SHOWN_QR = """async () => {
  const image = document.querySelector("img.qr");
  if (!image.complete) await new Promise((resolve) => image.addEventListener("load", resolve));
  const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return { width: image.naturalWidth, shown: image.getBoundingClientRect().width,
           png: btoa(text) };
}"""


def _shown_qr(page):
    shown = page.evaluate(SHOWN_QR)
    image = Image.open(io.BytesIO(base64.b64decode(shown["png"])))
    return shown, image


def test_the_card_page_shows_the_card_and_opens_again_offline(
        chromium, live_server, http, admin, seminar, settings, screenshot):
    customer_id = seminar.customer_ids[0]
    card = http.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers)
    assert card.status_code == 201, card.text
    code = card.json()["code"]
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server}/c/{code}")
        assert page.inner_text("h1.name") == "Nguyễn Thị Hương 0"
        assert page.inner_text("#points") == "0 điểm" and page.is_hidden("#as-of")
        shown, image = _shown_qr(page)
        assert shown["width"] > 0 and shown["shown"] > 200  # large on a phone
        page.wait_for_function("window.cardState.kept === true")

        context.set_offline(True)
        reloaded = page.reload()
        assert reloaded.ok and reloaded.from_service_worker
        assert page.inner_text("h1.name") == "Nguyễn Thị Hương 0"
        assert page.is_visible("#offline")  # it says it is offline, and still works
        # ... and of when its figures are (what the server last said)
        assert page.inner_text("#as-of").startswith("Số điểm và phiếu ưu đãi lúc ")
        offline, kept = _shown_qr(page)
        assert offline["width"] == shown["width"] and offline["shown"] > 200
        assert kept.tobytes() == image.tobytes()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        screenshot(page, "card-page")
        assert errors == []
    finally:
        context.close()

    # The QR holds the link to this very page (upper-cased where that changes nothing,
    # so it stays a compact QR); its last segment is the card's code.
    [link] = decode(image)
    base, _, token = link.rpartition("/C/")
    assert token == code
    assert base.lower() == settings.public_url.rstrip("/").lower()
    opened = http.get(f"/C/{token}")
    assert opened.status_code == 200 and "Nguyễn Thị Hương 0" in opened.text


def test_a_reissued_cards_old_page_shows_no_customer(chromium, live_server, http, admin, seminar):
    old = http.post(f"/api/v1/customers/{seminar.customer_ids[1]}/card",
                    headers=admin.headers).json()["code"]
    http.post(f"/api/v1/customers/{seminar.customer_ids[1]}/card", headers=admin.headers)
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    try:
        answer = page.goto(f"{live_server}/c/{old}")  # reissued: the old card is void
        assert answer.status == 404
        assert page.inner_text("h1.name") == "Thẻ này không còn hiệu lực"
        assert "Nguyễn" not in page.inner_text("body")
        _shoot(page, "card-invalid-390-vi")
        page.click(".language button[data-lang=en]")
        assert page.inner_text("h1.name") == "This card is no longer valid"
        _shoot(page, "card-invalid-390-en")
    finally:
        context.close()


def test_the_card_page_shows_points_and_coupons_in_vietnamese_then_english(
        chromium, live_server, http, admin, seminar):
    customer_id = seminar.customer_ids[2]
    code = http.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers).json()["code"]
    sale = http.post(f"/api/v1/customers/{customer_id}/purchases", headers=admin.headers, json={
        "amount_vnd": 12_500_000, "items": "Trà", "request_id": "card-page-1"})
    assert sale.status_code in (200, 201), sale.text
    coupons = [http.post(f"/api/v1/customers/{customer_id}/coupons", headers=admin.headers,
                         json={"benefit": benefit, "valid_days": 30}).json()
               for benefit in ("Giảm 10% cho lần mua sau", "Một ly trà miễn phí")]
    used = http.post("/api/v1/coupons/redeem", headers=admin.headers, json={
        "code": coupons[1]["code"], "customer_id": customer_id, "request_id": "card-page-2"})
    assert used.status_code == 200, used.text
    context = chromium.new_context(**SMALL_PHONE)  # an English phone: the page is Vietnamese
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server}/c/{code}")
        assert page.evaluate("document.documentElement.lang") == "vi"
        assert page.inner_text("#points") == "1.250 điểm"
        assert page.inner_text("#coupons-title") == "Phiếu ưu đãi của bạn"
        assert page.locator("#coupons li").count() == 1  # the used one is not there
        assert page.inner_text("#coupons .benefit") == "Giảm 10% cho lần mua sau"
        assert page.inner_text("#coupons .until").startswith("Dùng được đến ")
        assert page.inner_text(".kind") == "Thẻ thành viên"
        shown = page.inner_text("main")
        assert "0903" not in shown and "@" not in shown  # nothing more personal
        page.click("#coupons summary")  # the coupon's QR: its code, for the till to scan
        source = page.get_attribute("#coupons img.coupon-qr", "src")
        qr = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert decode(qr) == [coupons[0]["code"]]
        assert page.evaluate(OVERFLOW) is False
        _shoot(page, "card-375-vi")
        page.click(".language button[data-lang=en]")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.inner_text("#points") == "1,250 points"
        assert page.inner_text("#coupons-title") == "Your coupons"
        assert page.inner_text("#coupons .until").startswith("Valid until ")
        assert page.inner_text("#coupons summary") == "Show the coupon's QR code"
        assert page.inner_text("#sign-in") == "Sign in to my page"
        _shoot(page, "card-375-en")
        page.set_viewport_size(TABLET)
        _shoot(page, "card-820-en")
        page.reload()  # the phone remembers the choice
        assert page.inner_text("#points") == "1,250 points"
        page.goto(f"{live_server}/me")  # and the customer's other pages follow it
        page.wait_for_selector("main[data-view=signin]")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "Send me a sign-in link" in page.inner_text("main")
        page.go_back()
        page.click(".language button[data-lang=vi]")
        page.click("#coupons summary")
        _shoot(page, "card-820-vi")
        assert errors == []
    finally:
        context.close()


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
