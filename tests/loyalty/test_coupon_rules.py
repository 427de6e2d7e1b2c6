"""Coupon rules one by one, each pinned by a scenario that fails if the rule goes: whose
coupon it is (at the counter and inside a sale), the answer to a retried sale, what is
not found, the time a refusal names, and who issued and who used a coupon."""

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import update

from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.loyalty.models import Coupon
from kiosk_server.main import create_app
from tests.conftest import TEST_SECRET

SIGNER = TokenSigner(TEST_SECRET.encode())


def _issue(client, headers, customer_id):
    issued = client.post(f"/api/v1/customers/{customer_id}/coupons", headers=headers,
                         json={"benefit": "Giảm 10% hóa đơn", "valid_days": 30})
    assert issued.status_code == 201, issued.text
    return issued.json()


def _buy(client, headers, customer_id, request_id=None, **extra):
    return client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers, json={
        "amount_vnd": 200_000, "request_id": request_id or uuid.uuid4().hex, **extra})


def _redeem(client, headers, code, customer_id, request_id="r-1"):
    return client.post("/api/v1/coupons/redeem", headers=headers, json={
        "code": code, "customer_id": customer_id, "request_id": request_id})


def _coupon_row(db, coupon_id):
    with db.session() as session:
        return session.get(Coupon, coupon_id)


def test_a_coupon_of_one_customer_is_not_used_at_the_counter_for_another(client, db, admin,
                                                                         seminar):
    owner, other = seminar.customer_ids[:2]
    coupon = _issue(client, admin.headers, owner)
    refused = _redeem(client, admin.headers, coupon["code"], other)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "coupon_other_customer"
    assert _coupon_row(db, coupon["id"]).used_at is None
    assert _redeem(client, admin.headers, coupon["code"], owner, "r-2").status_code == 200


def test_a_coupon_of_one_customer_is_not_used_in_another_customers_sale(client, db, admin,
                                                                        seminar):
    owner, other = seminar.customer_ids[:2]
    coupon = _issue(client, admin.headers, owner)
    refused = _buy(client, admin.headers, other, coupon_code=coupon["code"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "coupon_other_customer"
    assert _coupon_row(db, coupon["id"]).used_at is None
    assert client.get(f"/api/v1/customers/{other}/purchases",
                      headers=admin.headers).json() == []  # the sale went with it


def test_a_retried_sale_that_used_a_coupon_answers_with_that_coupon(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    coupon = _issue(client, admin.headers, customer_id)
    first = _buy(client, admin.headers, customer_id, "sale-1", coupon_code=coupon["code"])
    again = _buy(client, admin.headers, customer_id, "sale-1", coupon_code=coupon["code"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["coupon"] == first.json()["coupon"]
    assert again.json()["coupon"]["id"] == coupon["id"]
    assert again.json()["coupon"]["status"] == "used"
    # Replayed without the coupon code in the body, it is still the sale's coupon.
    bare = _buy(client, admin.headers, customer_id, "sale-1")
    assert bare.status_code == 200 and bare.json()["coupon"]["id"] == coupon["id"]


def test_what_does_not_exist_is_404(client, admin, seminar):
    unknown = SIGNER.sign(TokenKind.COUPON, new_serial())  # signed, but no such coupon
    for path, body in (("/api/v1/coupons/check", {"code": unknown}),
                       ("/api/v1/coupons/redeem", {"code": unknown, "request_id": "x"})):
        answer = client.post(path, headers=admin.headers, json=body)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["error"]["code"] == "coupon_not_found"
    in_sale = _buy(client, admin.headers, seminar.customer_ids[0], coupon_code=unknown)
    assert in_sale.status_code == 404 and in_sale.json()["error"]["code"] == "coupon_not_found"
    image = client.get("/api/v1/coupons/999999/qr.png", headers=admin.headers)
    assert image.status_code == 404 and image.json()["error"]["code"] == "coupon_not_found"
    void = client.post("/api/v1/purchases/999999/void", headers=admin.headers,
                       json={"reason": "không có"})
    assert void.status_code == 404 and void.json()["error"]["code"] == "purchase_not_found"


def _app_in_zone(settings: Settings, zone: str):
    return create_app(Settings(data_dir=settings.data_dir, database_url=settings.database_url,
                               secret_key=TEST_SECRET, timezone=zone, _env_file=None))


def test_the_time_a_refusal_names_is_in_the_shops_zone(client, db, admin, seminar, settings):
    customer_id = seminar.customer_ids[0]
    used, expired = (_issue(client, admin.headers, customer_id) for _ in range(2))
    moment = datetime(2026, 12, 1, 20, 30, tzinfo=UTC)  # 03:30 the next day in Hà Nội
    with db.session() as session:
        session.execute(update(Coupon).where(Coupon.id == used["id"]).values(
            used_at=moment, used_by=admin.staff_id, used_request_id="earlier"))
        session.execute(update(Coupon).where(Coupon.id == expired["id"]).values(
            expires_at=moment))

    def refusal(some_client, coupon, language="vi"):
        answer = some_client.post("/api/v1/coupons/check", json={"code": coupon["code"]},
                                  headers={**admin.headers, "Accept-Language": language})
        assert answer.status_code == 409, answer.text
        return answer.json()["error"]["message"]

    assert refusal(client, used) == "Phiếu ưu đãi này đã được dùng lúc 03:30 02/12/2026."
    assert refusal(client, expired, "en") == "This coupon expired at 03:30 02/12/2026."
    in_sale = _buy(client, admin.headers, customer_id, coupon_code=used["code"])
    assert "03:30 02/12/2026" in in_sale.json()["error"]["message"]

    elsewhere = _app_in_zone(settings, "America/New_York")  # UTC-5 in December
    try:
        with TestClient(elsewhere) as other_client:
            assert refusal(other_client, used, "en") == (
                "This coupon was already used, at 15:30 01/12/2026.")
            assert refusal(other_client, expired) == (
                "Phiếu ưu đãi này đã hết hạn lúc 15:30 01/12/2026.")
    finally:
        elsewhere.state.db.dispose()


def test_a_coupon_says_who_issued_it_and_who_used_it(client, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    at_counter = _issue(client, clerk.headers, customer_id)
    assert (at_counter["issued_by"], at_counter["used_by"]) == (clerk.staff_id, None)
    used = _redeem(client, admin.headers, at_counter["code"], customer_id).json()
    assert (used["issued_by"], used["used_by"]) == (clerk.staff_id, admin.staff_id)

    with_sale = _issue(client, admin.headers, customer_id)
    sale = _buy(client, clerk.headers, customer_id, coupon_code=with_sale["code"]).json()
    assert (sale["coupon"]["issued_by"], sale["coupon"]["used_by"]) == (
        admin.staff_id, clerk.staff_id)
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    actions = {(e["action"], e["staff_id"]) for e in log}
    assert {("coupon.issue", clerk.staff_id), ("coupon.use", admin.staff_id),
            ("coupon.issue", admin.staff_id)} <= actions
