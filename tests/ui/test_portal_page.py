"""The customer's own page on their phone: from the card page's sign-in button to the link in
their messages, /me, an edit, the download of their data and the deletion of their account,
after which their old card is refused at the till and at a gate; and the sign-in QR the till
shows them."""

import base64
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.messaging.models import OutboxMessage
from kiosk_server.staff import service as staff_service
from tests.badges.helpers import decode
from tests.conftest import seed_seminar
from tests.ui import widths
from tests.ui.test_checkout import Till
from tests.ui.widths import OVERFLOW

pytestmark = pytest.mark.usefixtures("chromium")

PHONE = dict(viewport={"width": 375, "height": 780}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")
TABLET = dict(viewport=widths.TABLET, locale="vi-VN")
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))
NAME = "Lê Thị Ngọc Ánh"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _link_in_outbox(db) -> str:
    with db.session() as session:
        message = session.scalars(select(OutboxMessage)
                                  .order_by(col(OutboxMessage.id).desc())).first()
    assert message is not None
    found = re.search(r"https?://\S+/p/\S+", message.body_text, re.IGNORECASE)
    assert found is not None, message.body_text
    return "/" + found.group(0).split("/", 3)[3]


def _page(chromium, device):
    context = chromium.new_context(**device)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def _ready(page):
    page.wait_for_selector("main[data-ready]")


def _press_open(page, live_server):
    """On the page a sign-in link opens (which spent nothing), the customer's press."""
    assert page.inner_text("#open") == "Mở trang của tôi"
    page.click("#open")
    page.wait_for_url(f"{live_server}/me")


def test_sign_in_by_link_edit_export_delete_and_the_old_card_is_refused(
        chromium, live_server, http, admin, db, settings):
    walk_in = seed_seminar(http, admin.headers, guests=0, allow_walk_in=True)
    customer = http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": NAME, "phone": "0903 555 666", "email": "anh@example.com"}).json()
    card = http.post(f"/api/v1/customers/{customer['id']}/card", headers=admin.headers).json()
    http.post(f"/api/v1/customers/{customer['id']}/purchases", headers=admin.headers, json={
        "amount_vnd": 1_250_000, "items": "Trà", "request_id": "portal-ui-1"})
    with db.session() as session:
        _, device_token = staff_service.create_device(
            session, name="Cổng A", event_id=walk_in.event_id, gate="A",
            created_by=admin.staff_id)
    context, page, errors = _page(chromium, PHONE)
    try:
        # The card page shows what it showed before, and a way to the customer's own page.
        page.goto(f"{live_server}/c/{card['code']}")
        shown = page.inner_text("main")
        assert NAME in shown and "0903" not in shown and "anh@" not in shown
        page.click("#sign-in")
        page.wait_for_function("document.getElementById('sign-in-status').innerText"
                               ".includes('hãy xem tin nhắn')")
        _shot(page, "card-375-sign-in-sent")

        opened = page.goto(live_server + _link_in_outbox(db))
        assert opened.status == 200
        _shot(page, "portal-link-375-vi")
        _press_open(page, live_server)
        _ready(page)
        assert page.inner_text("#hello") == f"Xin chào, {NAME}"
        assert "125 điểm" in page.inner_text("#points")
        assert page.evaluate(OVERFLOW) is False
        _shot(page, "me-375-vi")

        page.fill("[name=full_name]", "Lê Ngọc Ánh")
        page.check("[name=consent_sms]")
        page.click("#save")
        page.wait_for_function("document.getElementById('profile-status')?.innerText"
                               ".includes('Đã lưu')")
        assert "đồng ý nhận tin qua SMS / Zalo (bạn, trên trang này)" in page.inner_text(
            "#history")
        staff_view = http.get(f"/api/v1/customers/{customer['id']}", headers=admin.headers)
        assert (staff_view.json()["full_name"], staff_view.json()["consent_sms"]) == (
            "Lê Ngọc Ánh", True)
        page.fill("[name=phone]", "12")  # a refusal is a sentence next to the form
        page.click("#save")
        page.wait_for_function("document.getElementById('profile-problem').innerText"
                               " === 'Số điện thoại không hợp lệ.'")
        page.click("[data-lang=en]")
        assert page.inner_text("#hello") == "Hello, Lê Ngọc Ánh"
        assert page.input_value("[name=phone]") == "12"  # the draft stays across languages
        _shot(page, "me-375-en")

        with page.expect_download() as downloading:
            page.click("#download")
        archive = zipfile.ZipFile(io.BytesIO(Path(downloading.value.path()).read_bytes()))
        assert json.loads(archive.read("customer.json"))["profile"]["full_name"] == "Lê Ngọc Ánh"
        assert "Lê Ngọc Ánh" in archive.read("profile.csv").decode("utf-8-sig")

        page.fill("#confirm", "delete me")
        page.click("#delete")
        assert page.inner_text("#delete-problem") == "Type the word DELETE to confirm."
        page.fill("#confirm", "DELETE")
        page.click("#delete")
        page.wait_for_selector("#deleted")
        _shot(page, "me-375-en-deleted")
        assert errors == []
    finally:
        context.close()

    till = http.post("/api/v1/checkout/lookup", headers=admin.headers,
                     json={"code": card["code"]})
    assert (till.status_code, till.json()["error"]["code"]) == (404, "card_revoked")
    gate = http.post("/api/v1/checkins", headers={"Authorization": f"Bearer {device_token}"},
                     json={"code": card["code"], "event_id": walk_in.event_id, "gate": "A"})
    assert gate.json()["status"] == "revoked", gate.text


def test_the_till_shows_a_sign_in_qr_that_opens_the_customers_page(
        chromium, live_server, http, admin, db):
    customer = http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": NAME, "phone": "0903 555 777"}).json()
    card = http.post(f"/api/v1/customers/{customer['id']}/card", headers=admin.headers).json()
    till = Till(chromium, live_server)
    try:
        till.page.fill("#find-input", card["code"])
        till.page.press("#find-input", "Enter")
        till.served(customer["id"])
        till.page.click(".portal-qr-button")
        till.page.wait_for_selector("dialog.portal-qr img")
        assert "Quét bằng điện thoại" in till.text("dialog.portal-qr")
        source = till.page.get_attribute("dialog.portal-qr img", "src")
        [link] = decode(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))))
        till.page.screenshot(path=str(SHOTS / "checkout-portal-qr.png"))
    finally:
        till.close()

    for device, name in ((TABLET, "me-820-vi"), (PHONE, None)):
        context, page, errors = _page(chromium, device)
        try:
            opened = page.goto(live_server + "/" + link.split("/", 3)[3])
            if name:  # the first phone signs in
                page.click("[data-lang=en]")
                assert page.inner_text("#open") == "Open my page"
                _shot(page, "portal-link-820-en")
                page.click("[data-lang=vi]")
                _press_open(page, live_server)
                _ready(page)
                assert page.inner_text("#hello") == f"Xin chào, {NAME}"
                assert page.evaluate(OVERFLOW) is False
                _shot(page, name)
                page.click("[data-lang=en]")
                _shot(page, "me-820-en")
                page.click("#sign-out")
                page.wait_for_selector("#signin")
                _shot(page, "me-820-en-signed-out")
            else:  # the link worked once: the second is told so, and offered a new one
                assert opened.status == 410
                assert "đã hết hạn hoặc đã được dùng" in page.inner_text("h1")
                _shot(page, "link-used-375")
                page.click("a[href='/me']")
                _ready(page)
                page.fill("#who", "0903 555 777")
                page.click("#send-link")
                page.wait_for_selector("#sent:not([hidden])")
                _shot(page, "me-375-vi-sign-in")
            assert errors == []
        finally:
            context.close()
