"""Sending an event's invitations from its page: the progress reaches "all sent" while a
real SMTP server receives them, and the link in a mail opens the guest's phone page, whose
QR (decoded with zxing-cpp) is their invitation, and which opens again offline."""

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kiosk_server.core.config import Settings
from tests.badges.helpers import decode
from tests.conftest import TEST_SECRET, open_event_body
from tests.messaging.conftest import MailServer, mail_server, wait_for  # noqa: F401 (a fixture)
from tests.ui import widths
from tests.ui.admin_pages import admin_tab
from tests.ui.widths import TABLET

PHONE = dict(viewport=widths.PHONE, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")
SHOWN_QR = """async () => {
  const image = document.querySelector("img.qr");
  if (!image.complete) await new Promise((resolve) => image.addEventListener("load", resolve));
  const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return { shown: image.getBoundingClientRect().width, png: btoa(text) };
}"""


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mail_server: MailServer  # noqa: F811
             ) -> Iterator[Settings]:
    """The page tests' settings, with a mail server that receives what is sent."""
    yield mail_server.settings_for(Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key=TEST_SECRET,
        _env_file=None))


def test_invitations_are_sent_from_the_event_page_and_open_on_a_phone(
        chromium, served, http, admin, mail_server, screenshot):  # noqa: F811
    event = http.post("/api/v1/events", headers=admin.headers,
                        json=open_event_body(name="Hội thảo Khởi nghiệp", venue="Huế")).json()
    ids = [http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": name, "email": f"guest{n}@example.com"}).json()["id"]
        for n, name in enumerate(["Nguyễn Thị Hằng", "Trần Đức Thắng", "Phạm Ngọc Ánh"])]
    http.post(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers,
                json={"customer_ids": ids})

    with admin_tab(chromium, served.url, viewport=TABLET) as ui:
        page = ui.page
        ui.go(f"/events/{event['id']}")
        ui.wait_text("section.sending .send-lines", "3 khách chưa được gửi thư mời.")
        page.click("section.sending button.primary")
        page.wait_for_selector("dialog.confirm")
        assert "Gửi thư mời cho 3 khách?" in page.inner_text("dialog.confirm")
        page.click("dialog.confirm button[value=yes]")
        ui.wait_text("section.sending .send-lines", "Đã gửi thư mời cho tất cả 3 khách.")
        assert page.get_attribute("section.sending .send-progress", "data-state") == "done"
        assert page.evaluate("document.querySelector('section.sending progress').value") == 3
        ui.wait_text("table.guests tbody", "Đã gửi")
        screenshot(page.locator("section.sending"), "admin-sending-vi")
        # Sending to all asks first about those who have it already.
        page.check("section.sending input[value=all]")
        page.click("section.sending button.primary")
        page.wait_for_selector("dialog.confirm")
        assert "Gửi lại thư mời cho 3 khách đã nhận?" in page.inner_text("dialog.confirm")
        page.click("dialog.confirm button[value=no]")
    mails = wait_for(lambda: len(mail_server.inbox.messages) == 3
                     and list(mail_server.inbox.messages))
    assert mail_server.inbox.messages == mails  # the refused "send again" sent nothing

    text = mails[0].get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/I/(\S+)", text, re.IGNORECASE)
    assert link is not None
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone.goto(f"{served.url}/i/{link.group(1)}")
        assert phone.inner_text("h1.event") == "Hội thảo Khởi nghiệp"
        name = phone.inner_text(".guest .name")
        assert f"Xin chào {name}," in text  # the guest the mail was for
        shown = phone.evaluate(SHOWN_QR)
        assert shown["shown"] > 250  # large on a 375 px phone
        assert decode(Image.open(io.BytesIO(base64.b64decode(shown["png"])))) == [link.group(1)]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone, "invitation-phone-vi")
        phone.click(".language button[data-lang=en]")
        assert phone.inner_text(".kind") == "Invitation"
        assert phone.evaluate("document.documentElement.lang") == "en"
        screenshot(phone, "invitation-phone-en")
        # Kept by the phone: it opens again without a network, in the language chosen.
        phone.wait_for_function("window.cardState.kept === true")
        context.set_offline(True)
        reloaded = phone.reload()
        assert reloaded is not None and reloaded.from_service_worker
        assert phone.inner_text(".kind") == "Invitation" and phone.is_visible("#offline")
        assert phone.evaluate("document.querySelector('img.qr').naturalWidth") > 0
        assert errors == []
    finally:
        context.close()
