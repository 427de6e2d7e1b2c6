"""The unsubscribe link of a campaign message in a real browser: the page opened from the
mail a real SMTP server received says what will happen, its button unsubscribes (no
cookie), the customer's consent is withdrawn; a link that is not one says so."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from kiosk_server.core.config import Settings
from kiosk_server.main import create_app
from tests.campaigns.helpers import add_campaign, add_customer
from tests.messaging.conftest import MailServer, mail_server, wait_for  # noqa: F401
from tests.ui.widths import OVERFLOW, TABLET

PHONE = {"width": 375, "height": 780}
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))


@pytest.fixture
def app(settings: Settings, mail_server: MailServer) -> Iterator[FastAPI]:  # noqa: F811
    application = create_app(mail_server.settings_for(settings).model_copy(update={
        "public_url": "https://kiosk.example", "business_name": "Cà phê Hương"}))
    yield application
    application.state.db.dispose()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open(chromium, url, viewport):
    context = chromium.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


def test_the_mailed_link_unsubscribes_with_one_button(chromium, served, http, admin, db,
                                                      mail_server):  # noqa: F811
    customer_id = add_customer(db, "Nguyễn Thị Ánh Hồng", "hong@example.com")
    campaign_id = add_campaign(db)
    assert http.post(f"/api/v1/campaigns/{campaign_id}/start",
                     headers=admin.headers).status_code == 200
    [mail] = wait_for(lambda: list(mail_server.inbox.messages), timeout_s=30)
    [path] = re.findall(r"https://kiosk\.example(/u/\S+)",
                        mail.get_body(("plain",)).get_content())

    context, page, errors = _open(chromium, served.url + path, PHONE)
    try:
        assert page.inner_text("h1") == "Hủy đăng ký nhận tin"
        assert "Cà phê Hương sẽ ngừng gửi tin khuyến mãi" in page.inner_text("#what")
        assert "qua e-mail" in page.inner_text("#what")
        assert not page.evaluate(OVERFLOW)
        _shot(page, "unsubscribe-ask-vi-375")
        page.click("#confirm")
        page.wait_for_selector("#status:not([hidden])")
        assert page.inner_text("#status") == ("Anh/chị đã hủy đăng ký. Cà phê Hương sẽ không "
                                              "gửi tin khuyến mãi qua e-mail cho anh/chị nữa.")
        assert page.locator("#confirm").is_hidden()
        _shot(page, "unsubscribe-done-vi-375")
        page.click("[data-lang=en]")
        assert page.inner_text("#status") == ("You are unsubscribed. Cà phê Hương will send "
                                              "you no more offers by e-mail.")
        _shot(page, "unsubscribe-done-en-375")
        assert errors == []
    finally:
        context.close()
    customer = http.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
    assert customer["consent_email"] is False

    context, page, errors = _open(chromium, served.url + path, TABLET)
    try:  # the language chosen is this phone's; here, a new one: Vietnamese, already done
        assert page.locator("#confirm").is_hidden()
        assert page.inner_text("#status").startswith("Anh/chị đã hủy đăng ký.")
        _shot(page, "unsubscribe-done-vi-820")
        page.goto(served.url + "/u/1U.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA")
        assert page.inner_text("#status").startswith("Không tìm thấy liên kết hủy đăng ký")
        assert page.locator("#confirm").is_hidden()
        _shot(page, "unsubscribe-invalid-vi-820")
        assert errors == []
    finally:
        context.close()


def test_the_page_asks_in_english_on_a_tablet(chromium, served, http, admin, db,
                                              mail_server):  # noqa: F811
    add_customer(db, "Đặng Quốc Bảo", "bao@example.com", language="en")
    campaign_id = add_campaign(db)
    http.post(f"/api/v1/campaigns/{campaign_id}/start", headers=admin.headers)
    [mail] = wait_for(lambda: list(mail_server.inbox.messages), timeout_s=30)
    [path] = re.findall(r"https://kiosk\.example(/u/\S+)",
                        mail.get_body(("plain",)).get_content())
    context, page, errors = _open(chromium, served.url + path, TABLET)
    try:
        page.click("[data-lang=en]")
        assert page.inner_text("h1") == "Unsubscribe"
        assert page.inner_text("#confirm") == "Unsubscribe"
        assert "stop sending you offers and news by e-mail" in page.inner_text("#what")
        _shot(page, "unsubscribe-ask-en-820")
        assert errors == []
    finally:
        context.close()
