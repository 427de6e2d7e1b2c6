"""Sign-up by poster in a real browser: the poster's QR opens the form on a phone, the new
member lands on their card, and the till finds them by that card; at an event's poster, the
walk-in appears live on the monitor."""

import io

from PIL import Image

from tests.badges.helpers import decode
from tests.conftest import open_event_body
from tests.signup.helpers import pdf_qr_texts
from tests.ui.test_checkout import Till
from tests.ui.test_monitor_page import _monitor
from tests.ui.widths import OVERFLOW

PHONE = {"width": 375, "height": 740}
NAME = "Hoàng Thị Mỹ Duyên"


def _poster_link(client, headers, path, tmp_path) -> str:
    """The path of the link a poster's QR holds (read from the PDF a real renderer draws)."""
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200
    [link] = pdf_qr_texts(answer.content, tmp_path)
    return "/" + link.split("/", 3)[3]


def _phone(chromium):
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True,
                                   has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and not message.text
            .startswith("Failed to load resource") and errors.append(message.text))
    return context, page, errors


def _fill(page, name, phone, email=""):
    page.fill("[name=full_name]", name)
    page.fill("[name=phone]", phone)
    page.fill("[name=email]", email)


def test_poster_form_card_and_the_till(chromium, served, client, admin, tmp_path, screenshot):
    path = _poster_link(client, admin.headers, "/api/v1/signup/poster.pdf", tmp_path)
    context, page, errors = _phone(chromium)
    try:
        page.goto(served.url + path)
        page.wait_for_selector("#sheet[data-ready]")
        assert page.inner_text("h1") == "Đăng ký thành viên"
        assert not page.is_checked("[name=consent_email]")
        assert not page.is_checked("[name=consent_sms]")
        assert not page.evaluate(OVERFLOW)
        # Said next to its field, as a sentence.
        _fill(page, NAME, "12")
        page.click("#send")
        page.wait_for_function("document.querySelector('[data-field=phone] .field-problem')"
                               ".textContent.length > 0")
        assert "Số điện thoại này không đúng" in page.inner_text("[data-field=phone]")
        screenshot(page, "join-problem-375")
        page.fill("[name=phone]", "0938 246 135")
        page.check("[name=consent_sms]")
        page.click("#send")
        page.wait_for_url("**/C/*")
        page.wait_for_selector("img.qr")
        assert NAME in page.inner_text("body")
        assert page.evaluate("document.querySelector('link[rel=manifest]') !== null")
        qr = page.locator("img.qr").screenshot()
        [scanned] = decode(Image.open(io.BytesIO(qr)))
        assert errors == []
    finally:
        context.close()
    customers = client.get("/api/v1/customers", headers=admin.headers).json()["items"]
    assert [(c["full_name"], c["consent_sms"], c["consent_email"]) for c in customers] == [
        (NAME, True, False)]
    till = Till(chromium, served.url)
    try:
        till.page.fill("#find-input", scanned)  # a handheld scanner types the card's QR
        till.page.press("#find-input", "Enter")
        till.served(customers[0]["id"])
        till.wait_text("body", NAME)
    finally:
        till.close()


def test_a_walk_in_at_the_event_poster_appears_live_on_the_monitor(
        chromium, served, client, admin, tmp_path, screenshot):
    event = client.post("/api/v1/events", json=open_event_body(allow_walk_in=True),
                        headers=admin.headers).json()
    path = _poster_link(client, admin.headers,
                        f"/api/v1/events/{event['id']}/signup-poster.pdf", tmp_path)
    monitor_context, monitor = _monitor(chromium, served.url, event["id"])
    context, page, errors = _phone(chromium)
    try:
        page.goto(served.url + path)
        page.wait_for_selector("#sheet[data-ready]")
        assert event["name"] in page.inner_text("h1")
        _fill(page, "Bùi Quang Vinh", "0938 246 136")
        page.click("#send")
        page.wait_for_selector("#done:not([hidden])")
        assert "Bạn đã được check-in vào" in page.inner_text("#done")
        screenshot(page, "join-walk-in-375")
        monitor.wait_for_function(
            "document.querySelector('#scan-list li .walk-in') !== null")
        line = monitor.inner_text("#scan-list li")
        assert "Bùi Quang Vinh" in line and "khách vãng lai" in line
        assert "Đăng ký tại chỗ" in line
        screenshot(monitor, "monitor-walk-in")
        assert errors == []
    finally:
        context.close()
        monitor_context.close()
