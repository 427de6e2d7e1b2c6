"""A customer signed up at the counter with an e-mail address gets their card by mail,
through the outbox, over a real SMTP server."""

import io

from fastapi.testclient import TestClient
from PIL import Image

from kiosk_server.main import create_app
from kiosk_server.staff.models import Role
from tests.badges.helpers import decode
from tests.conftest import make_staff
from tests.messaging.conftest import mail_server, wait_for  # noqa: F401 (a fixture)


def test_the_card_arrives_by_mail_with_a_qr_that_opens_it(settings, mail_server):  # noqa: F811
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"business_name": "Cà phê Hương", "public_url": "https://huong.example"}))
    clerk = make_staff(app.state.db, "clerk", Role.STAFF)
    with TestClient(app) as client:
        answer = client.post("/api/v1/checkout/customers", headers=clerk.headers, json={
            "full_name": "Đặng Thị Ánh Tuyết", "phone": "0987 654 321",
            "email": "tuyet@example.com", "consent_email": True})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["card_mail"] == "queued"  # a mail server is set up: it goes out now
        [mail] = wait_for(lambda: mail_server.inbox.messages)
        # A sign-up refused (the phone is taken) queues nothing.
        again = client.post("/api/v1/checkout/customers", headers=clerk.headers, json={
            "full_name": "Ai đó", "phone": "0987654321", "email": "other@example.com"})
        assert again.status_code == 409
    app.state.db.dispose()

    assert body["card_url"] == f"HTTPS://HUONG.EXAMPLE/C/{body['card_code']}"
    assert mail["To"] == "tuyet@example.com"
    assert mail["Subject"].startswith("Thẻ thành viên Cà phê Hương của Đặng Thị Ánh Tuyết")
    text = mail.get_body(("plain",)).get_content()
    assert body["card_url"] in text and "Đặng Thị Ánh Tuyết" in text
    html = mail.get_body(("html",)).get_content()
    assert 'src="cid:card-qr"' in html and body["card_url"] in html
    [image] = [part for part in mail.walk() if part.get("Content-ID") == "<card-qr>"]
    assert decode(Image.open(io.BytesIO(image.get_content()))) == [body["card_url"]]
    assert mail_server.inbox.recipients == [["tuyet@example.com"]]
