"""Links the server builds from `KIOSK_PUBLIC_URL` when Kiosk is served under a path of
another site (`https://shop.example/kiosk/`): the path stays, and what a phone or a
scanner reads from the link still finds the card."""

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.main import create_app
from kiosk_server.staff.models import Role
from tests.badges.helpers import decode
from tests.conftest import TEST_SECRET, make_staff

SIGNER = TokenSigner(TEST_SECRET.encode())


@pytest.mark.parametrize(("public_url", "base"), [
    ("https://shop.example/kiosk/", "https://shop.example/kiosk"),
    ("https://shop.example/kiosk", "https://shop.example/kiosk"),
    ("http://10.0.0.5:8000/a/b/", "http://10.0.0.5:8000/a/b"),
    ("https://shop.example/", "HTTPS://SHOP.EXAMPLE"),  # no path: upper case, a smaller QR
    ("http://localhost:8000", "HTTP://LOCALHOST:8000"),
])
def test_a_link_keeps_the_public_urls_path(public_url, base):
    token = SIGNER.sign(TokenKind.CARD, new_serial())
    link = token_link(public_url, token, "c")
    assert link == f"{base}/{'C' if base.isupper() else 'c'}/{token}"
    assert SIGNER.verify(link) == SIGNER.verify(token) is not None


@pytest.fixture
def shop_client(settings):
    app = create_app(Settings(data_dir=settings.data_dir, database_url=settings.database_url,
                              secret_key=TEST_SECRET, public_url="https://shop.example/kiosk/",
                              _env_file=None))
    clerk = make_staff(app.state.db, "clerk", Role.STAFF)
    with TestClient(app) as client:
        client.headers.update(clerk.headers)
        yield client
    app.state.db.dispose()


def test_cards_and_receipts_link_under_the_path(shop_client):
    signed_up = shop_client.post("/api/v1/checkout/customers", json={
        "full_name": "Võ Thị Sáu", "phone": "0903 111 222"})
    assert signed_up.status_code == 201, signed_up.text
    body = signed_up.json()
    customer_id = body["panel"]["customer"]["id"]
    assert body["card_url"] == f"https://shop.example/kiosk/c/{body['card_code']}"
    card = shop_client.get(f"/api/v1/customers/{customer_id}/card.png")
    assert decode(Image.open(io.BytesIO(card.content))) == [body["card_url"]]
    found = shop_client.post("/api/v1/checkout/lookup", json={"code": body["card_url"]})
    assert found.status_code == 200 and found.json()["customer"]["id"] == customer_id

    sale = shop_client.post(f"/api/v1/customers/{customer_id}/purchases",
                            json={"amount_vnd": 120_000, "request_id": "receipt-1"})
    assert sale.status_code == 201, sale.text
    feedback = sale.json()["feedback"]
    assert feedback["url"] == f"https://shop.example/kiosk/f/{feedback['code']}"
    receipt_qr = shop_client.get(feedback["qr_png"])
    assert decode(Image.open(io.BytesIO(receipt_qr.content))) == [feedback["url"]]
