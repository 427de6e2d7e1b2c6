"""The owner turns on the follow-up and the thank-you coupon on the ratings page; a customer
answers for a visit on /f/ and their coupon shows there, with a QR the till reads."""

import base64
import io
import os
from pathlib import Path

from PIL import Image

from kiosk_server.feedback.followup import run_pass
from tests.badges.helpers import decode
from tests.feedback.test_followup import customer, outbox, sale
from tests.ui.admin_pages import PASSWORD, AdminPage
from tests.ui.widths import OVERFLOW, TABLET, shots

PHONE = {"width": 375, "height": 780}
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))
PANEL = "section.followup"


def _tab(chromium, base, language, viewport, username="admin"):
    tab = AdminPage(chromium, base, viewport)
    tab.context.add_init_script(f"localStorage.setItem('kiosk-admin-language', '{language}')")
    tab.open()
    tab.sign_in(username, PASSWORD)
    tab.wait_view("/")
    tab.go("/ratings")
    tab.page.wait_for_selector(f"{PANEL}[data-ready]")
    return tab


def _shot(page, name, selector=None):
    SHOTS.mkdir(parents=True, exist_ok=True)
    if selector:
        page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))
    else:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_overflow(page):
    assert not page.evaluate(OVERFLOW)


def test_the_admin_turns_both_on_and_an_answer_shows_its_coupon(
        chromium, served, http, admin, app, db):
    tab = _tab(chromium, served.url, "vi", PHONE)
    page = tab.page
    try:
        panel = page.locator(PANEL)
        assert "Hỏi ý kiến sau lượt ghé" in panel.inner_text()
        assert not panel.locator("[name=followup_enabled]").is_checked()
        assert panel.locator("[name=followup_delay_minutes]").input_value() == "2"
        assert panel.locator("[name=delay_unit]").input_value() == "hours"
        panel.locator("[name=thanks_kind]").select_option("percent")
        panel.locator("[name=thanks_value]").fill("150")
        panel.locator("button[type=submit]").click()
        tab.wait_text(f"{PANEL} [data-error-for=thanks_value]", "phần trăm tối đa là 100")
        assert page.inner_text(f"{PANEL} [data-error-for=thanks_value]") == (
            "Mức giảm: phần trăm tối đa là 100.")
        panel.locator("[name=delay_unit]").select_option("days")
        panel.locator("[name=followup_delay_minutes]").fill("8")
        panel.locator("[name=thanks_value]").fill("15")
        panel.locator("button[type=submit]").click()
        tab.wait_text(f"{PANEL} [data-error-for=followup_delay_minutes]", "tối đa là 7 ngày")
        _no_overflow(page)
        _shot(page, "followup-settings-vi-375-refused", PANEL)
        panel.locator("[name=followup_enabled]").check()
        panel.locator("[name=followup_delay_minutes]").fill("0")
        panel.locator("[name=delay_unit]").select_option("minutes")
        panel.locator("[name=thanks_enabled]").check()
        panel.locator("button[type=submit]").click()
        tab.wait_text(PANEL, "Đang bật từ")
        assert page.inner_text(f"{PANEL} .thanks-preview") == (
            "Phiếu hiện ghi: “Giảm 15% cho lần ghé tới · 15% off your next visit”.")
        _no_overflow(page)
        _shot(page, "followup-settings-vi-375", PANEL)
        assert tab.errors == []
    finally:
        tab.close()
    saved = http.get("/api/v1/feedback-settings", headers=admin.headers).json()
    assert (saved["followup_enabled"], saved["followup_delay_minutes"]) == (True, 0)
    assert (saved["thanks_enabled"], saved["thanks_kind"], saved["thanks_value"]) == (
        True, "percent", 15)

    someone = customer(http, admin, email="anh@example.com", consent_email=True)
    token = sale(http, admin.headers, someone)
    assert run_pass(db, settings=app.state.settings, signer=app.state.signer).sent == 1
    [message] = outbox(db)
    link = next(word for word in message.body_text.split() if "/F/" in word.upper())
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="vi-VN")
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone.goto(f"{served.url}/{link.split('/', 3)[3]}")  # the message's link
        phone.wait_for_selector("#sheet[data-ready]")
        assert phone.locator("#gift").is_hidden()
        phone.click("#visit-rating .stars label:nth-child(2)")  # a low rating earns it too
        phone.click("#send")
        phone.wait_for_selector("#gift:not([hidden])")
        gift = phone.inner_text("#gift")
        assert "Cảm ơn! Một phiếu giảm giá cho lần tới của bạn" in gift
        assert "Dùng được đến" in gift
        assert phone.inner_text("#gift-benefit") == "Giảm 15% cho lần ghé tới"
        source = phone.get_attribute("#gift-qr", "src") or ""
        png = base64.b64decode(source.removeprefix("data:image/png;base64,"))
        [code] = decode(Image.open(io.BytesIO(png)))
        _shot(phone, "feedback-thanks-vi-375")
        phone.click("[data-lang=en]")
        assert "Thank you! A coupon for your next visit" in phone.inner_text("#gift")
        assert phone.inner_text("#gift-benefit") == "15% off your next visit"
        _shot(phone, "feedback-thanks-en-375")
        phone.set_viewport_size(TABLET)
        _no_overflow(phone)
        _shot(phone, "feedback-thanks-en-820")
        phone.click("[data-lang=vi]")
        _shot(phone, "feedback-thanks-vi-820")
        assert errors == []
    finally:
        context.close()
    checked = http.post("/api/v1/coupons/check", headers=admin.headers,
                        json={"code": code, "customer_id": someone})
    assert checked.status_code == 200, checked.text
    assert token.upper() in link.upper()


def test_screenshots_of_the_panel_and_staff_only_read_it(chromium, served, admin, clerk):
    for language in ("vi", "en"):
        tab = _tab(chromium, served.url, language, PHONE)
        try:
            shots(tab.page, SHOTS, f"followup-settings-{language}-page", full_page=True)
            assert tab.errors == []
        finally:
            tab.close()
    tab = _tab(chromium, served.url, "vi", PHONE, username="clerk")
    try:
        panel = tab.page.locator(PANEL)
        assert "Chỉ quản trị viên đổi được các cài đặt này." in panel.inner_text()
        assert panel.locator("[name=followup_enabled]").is_disabled()
        assert panel.locator("button[type=submit]").is_hidden()
        _shot(tab.page, "followup-settings-vi-375-staff", PANEL)
        assert tab.errors == []
    finally:
        tab.close()
