"""A recipient's coupon page on a phone (/v/<code>, the link in a campaign's message): the
benefit, until when, that it can be used and its QR, which zxing-cpp decodes to the
coupon's code (what the till scans); English on a tap; once used at the till, it says when
and shows no QR. Screenshots at 375 px and 820 px."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.campaigns.test_report import _report, campaign, campaign_coupon
from tests.ui import widths
from tests.ui.widths import OVERFLOW

zxingcpp = pytest.importorskip("zxingcpp", reason="the coupon's QR is decoded with zxing-cpp")

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "campaigns"
PHONE = dict(viewport=widths.PHONE, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")
TABLET = dict(viewport=widths.TABLET, locale="vi-VN")
BENEFIT = "Giảm 50.000 ₫ cho đơn từ 300.000 ₫"


def _open(chromium, options, url):
    context = chromium.new_context(**options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    answer = page.goto(url)
    page.wait_for_function("window.couponState !== undefined")
    return context, page, answer, errors


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _decoded(page) -> list[str]:
    qr = page.locator("img.qr")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=qr.element_handle())
    shot = Image.open(io.BytesIO(qr.screenshot()))
    found = zxingcpp.read_barcodes(shot.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def test_a_recipient_shows_their_coupon_then_sees_it_used(chromium, live_server, http, admin,
                                                          db, app):
    plant = campaign(db, started_days_ago=1)
    customer, code = campaign_coupon(db, plant, app.state.signer, benefit=BENEFIT)
    context, page, answer, errors = _open(chromium, PHONE, f"{live_server}/v/{code}")
    try:
        assert answer.status == 200
        assert answer.headers["cache-control"] == "no-store"
        assert page.inner_text("h1.benefit") == BENEFIT
        assert page.inner_text("#status") == "Còn dùng được"
        assert page.inner_text("#until").startswith("Hạn dùng: ")
        assert page.inner_text("#hint").startswith("Đưa mã này cho nhân viên quét")
        assert _decoded(page) == [code]
        assert page.locator("img.qr").bounding_box()["width"] > 250  # large on a phone
        assert not page.evaluate(OVERFLOW)
        _shoot(page, "coupon-375-vi")
        page.click(".language button[data-lang=en]")
        assert page.inner_text(".kind") == "Your coupon"
        assert page.inner_text("#status") == "Can be used"
        assert page.inner_text("#until").startswith("Valid until: ")
        assert page.inner_text("#hint") == (
            "Show this code at the till when you pay. Each coupon can be used once.")
        _shoot(page, "coupon-375-en")
        assert errors == []
    finally:
        context.close()

    context, page, answer, errors = _open(chromium, TABLET, f"{live_server}/V/{code}")
    try:
        assert answer.status == 200 and _decoded(page) == [code]
        _shoot(page, "coupon-820-vi")
        assert errors == []
    finally:
        context.close()

    sale = http.post(f"/api/v1/customers/{customer}/purchases", headers=admin.headers,
                     json={"amount_vnd": 450_000, "items": "Bánh", "request_id": "coupon-page",
                           "coupon_code": code})
    assert sale.status_code == 201, sale.text
    context, page, answer, errors = _open(chromium, PHONE, f"{live_server}/v/{code}")
    try:
        assert page.inner_text("#status").startswith("Đã dùng lúc ")
        assert page.is_hidden("img.qr")
        assert page.inner_text("#hint") == "Mỗi phiếu chỉ dùng được một lần. Cảm ơn bạn đã ghé!"
        _shoot(page, "coupon-used-375-vi")
        page.click(".language button[data-lang=en]")
        assert page.inner_text("#status").startswith("Used at ")
        assert errors == []
    finally:
        context.close()
    found = _report(db, plant.campaign_id)
    assert (found.coupons.redeemed, found.coupons.sales_vnd) == (1, 450_000)


def test_a_code_that_is_not_a_coupons_gets_a_page_saying_so(chromium, live_server):
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    try:
        answer = page.goto(f"{live_server}/v/1V.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA")
        assert answer.status == 404
        assert page.inner_text("h1") == "Phiếu ưu đãi này không hợp lệ"
        _shoot(page, "coupon-invalid-375-vi")
        page.click(".language button[data-lang=en]")
        assert page.inner_text("h1") == "This coupon is not valid"
        assert not page.evaluate(OVERFLOW)
    finally:
        context.close()
