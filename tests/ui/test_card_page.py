"""A customer's own card page on a phone: the name with its diacritics and the QR, kept by
the service worker so that it opens again without a network; its QR holds the page's link."""

import base64
import io

import pytest
from PIL import Image

from tests.badges.helpers import decode

pytestmark = pytest.mark.usefixtures("chromium")

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")

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
        shown, image = _shown_qr(page)
        assert shown["width"] > 0 and shown["shown"] > 200  # large on a phone
        page.wait_for_function("window.cardState.kept === true")

        context.set_offline(True)
        reloaded = page.reload()
        assert reloaded.ok and reloaded.from_service_worker
        assert page.inner_text("h1.name") == "Nguyễn Thị Hương 0"
        assert page.is_visible("#offline")  # it says it is offline, and still works
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
    finally:
        context.close()
