"""The thank-you coupon: when the shop turns it on, a customer's first answer for a visit,
whatever its rating, earns one coupon for their next visit, which the till redeems."""

import base64
import io
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from PIL import Image
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.loyalty.models import Coupon
from tests.badges.helpers import decode
from tests.feedback.test_followup import SETTINGS, customer, sale

THANKS = {**SETTINGS, "followup_enabled": False, "thanks_enabled": True,
          "thanks_kind": "amount", "thanks_value": 20_000, "thanks_valid_days": 14}


def coupons(db) -> list[Coupon]:
    with db.session() as session:
        return list(session.scalars(select(Coupon).order_by(col(Coupon.id))))


def test_no_coupon_while_the_thanks_are_off(client, admin, db):
    token = sale(client, admin.headers, customer(client, admin))
    answer = client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 5})
    assert answer.status_code == 200 and answer.json()["thanks"] is None
    assert coupons(db) == []


def test_one_coupon_per_visit_whatever_the_rating_and_none_for_an_edit(client, admin, db):
    assert client.put("/api/v1/feedback-settings", headers=admin.headers,
                      json=THANKS).status_code == 200
    someone = customer(client, admin)
    tokens = [sale(client, admin.headers, someone) for _ in range(2)]
    low = client.put(f"/api/v1/feedback/{tokens[0]}", json={"visit_rating": 1,
                                                            "comment": "Chờ lâu quá"})
    high = client.put(f"/api/v1/feedback/{tokens[1]}", json={"visit_rating": 5})
    for answer in (low, high):
        assert answer.status_code == 200, answer.text
        thanks = answer.json()["thanks"]
        assert thanks["benefit"] == (
            "Giảm 20.000 ₫ cho lần ghé tới · 20.000 ₫ off your next visit")
        assert not thanks["used"]
        png = base64.b64decode(thanks["qr_png"].removeprefix("data:image/png;base64,"))
        assert decode(Image.open(io.BytesIO(png))) == [thanks["code"]]
    edited = client.put(f"/api/v1/feedback/{tokens[0]}", json={"visit_rating": 2})
    assert edited.json()["thanks"] == low.json()["thanks"]  # the same one, nothing more
    assert client.get(f"/api/v1/feedback/{tokens[1]}").json()["thanks"] == high.json()["thanks"]
    issued = coupons(db)
    assert len(issued) == 2 and {c.customer_id for c in issued} == {someone}
    assert all(c.issued_by is None and (c.expires_at - c.issued_at).days == 14 for c in issued)


def test_the_coupon_is_shown_at_the_till_and_redeemed_there(client, admin, db):
    client.put("/api/v1/feedback-settings", headers=admin.headers,
               json={**THANKS, "thanks_kind": "percent", "thanks_value": 10})
    someone = customer(client, admin)
    token = sale(client, admin.headers, someone)
    thanks = client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 4}).json()["thanks"]
    assert thanks["benefit"] == "Giảm 10% cho lần ghé tới · 10% off your next visit"
    panel = client.get(f"/api/v1/customers/{someone}/checkout", headers=admin.headers).json()
    assert [c["code"] for c in panel["coupons"]] == [thanks["code"]]
    used = client.post(f"/api/v1/customers/{someone}/purchases", headers=admin.headers, json={
        "amount_vnd": 90_000, "request_id": uuid.uuid4().hex, "coupon_code": thanks["code"]})
    assert used.status_code == 201, used.text
    assert used.json()["coupon"]["status"] == "used"
    assert client.get(f"/api/v1/feedback/{token}").json()["thanks"]["used"] is True


def test_first_answers_sent_at_the_same_moment_earn_one_coupon(client, admin, db, http):
    client.put("/api/v1/feedback-settings", headers=admin.headers, json=THANKS)
    token = sale(client, admin.headers, customer(client, admin))

    def answer(rating: int) -> httpx.Response:
        return http.put(f"/api/v1/feedback/{token}", json={"visit_rating": rating})

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(answer, [1, 2, 4, 5]))
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.json()["thanks"]["code"] for a in answers}) == 1
    assert len(coupons(db)) == 1
