"""A customer the shop knows a lot about: a card, a sale with a coupon, feedback and a
complaint, consent changes, a note, a message, a check-in and invitations; and batches of an
event's badges, made as the admin panel makes them."""

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from kiosk_server.core.types import utcnow
from tests.conftest import open_event_body

NAME = "Trần Thị Ánh Dương"
PHONE_TYPED = "0987 654 321"
PHONE = "+84987654321"
PHONE_NATIONAL = "0987654321"
EMAIL = "anh.duong@example.vn"
COMMENT = "Chị Dương rất thích cà phê ở đây"
COMPLAINT = "Đợi quá lâu mới được phục vụ"


@dataclass
class Known:
    customer_id: int
    card_code: str
    coupon_code: str
    feedback_code: str
    event_id: int
    future_event_id: int

    @property
    def identifying(self) -> list[str]:
        """What says who they were, in every form the shop stored it."""
        return [NAME, PHONE, PHONE_NATIONAL, EMAIL, COMMENT, COMPLAINT]


def _ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json()


def known_customer(client, headers) -> Known:
    """Build the customer through the API, as the till and the admin pages would."""
    signed = _ok(client.post("/api/v1/checkout/customers", headers=headers, json={
        "full_name": NAME, "phone": PHONE_TYPED, "email": EMAIL, "consent_email": True}), 201)
    customer_id = signed["panel"]["customer"]["id"]
    card_code = signed["card_code"]
    _ok(client.patch(f"/api/v1/customers/{customer_id}", headers=headers,
                     json={"consent_sms": True, "tags": ["vip"]}))
    _ok(client.post(f"/api/v1/customers/{customer_id}/notes", headers=headers,
                    json={"text": f"{NAME} thích trà sen, gọi {PHONE_TYPED}"}))
    event = _ok(client.post("/api/v1/events", headers=headers, json=open_event_body()), 201)
    tomorrow = utcnow() + timedelta(days=1)
    future = _ok(client.post("/api/v1/events", headers=headers, json=open_event_body(
        name="Ra mắt sản phẩm", starts_at=tomorrow.isoformat(),
        ends_at=(tomorrow + timedelta(hours=2)).isoformat(),
        checkin_opens_at=(tomorrow - timedelta(hours=1)).isoformat(),
        checkin_closes_at=(tomorrow + timedelta(hours=2)).isoformat())), 201)
    for event_id in (event["id"], future["id"]):
        _ok(client.post(f"/api/v1/events/{event_id}/invitations", headers=headers,
                        json={"customer_ids": [customer_id]}), 201)
    scan = _ok(client.post("/api/v1/checkins", headers=headers, json={
        "event_id": event["id"], "code": card_code, "scan_id": uuid.uuid4().hex}))
    assert scan["status"] == "ok", scan
    coupon = _ok(client.post(f"/api/v1/customers/{customer_id}/coupons", headers=headers,
                             json={"benefit": "Giảm 10% hoá đơn"}), 201)
    sale = _ok(client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers,
                           json={"amount_vnd": 250_000, "items": "Cà phê sữa đá",
                                 "request_id": uuid.uuid4().hex}), 201)
    feedback_code = sale["feedback"]["code"]
    _ok(client.put(f"/api/v1/feedback/{feedback_code}",
                   json={"visit_rating": 4, "comment": COMMENT}))
    complaint = _ok(client.post(f"/api/v1/customers/{customer_id}/complaints", headers=headers,
                                json={"text": COMPLAINT}), 201)
    _ok(client.post(f"/api/v1/complaints/{complaint['id']}/resolve", headers=headers,
                    json={"resolution": f"Đã gọi điện xin lỗi {NAME}"}))
    return Known(customer_id, card_code, coupon["code"], feedback_code, event["id"],
                 future["id"])


def finished(client, headers, export_id: int, timeout: float = 90) -> dict:
    """The export once it is no longer queued or being made (or after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        made = client.get(f"/api/v1/exports/{export_id}", headers=headers).json()
        if made["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return made
        time.sleep(0.1)


def start_export(client, headers, event_id: int, kind: str = "badges_pdf") -> dict:
    """Start making a batch of the event's badges (or `kind`), as the admin panel does."""
    started = client.post(f"/api/v1/events/{event_id}/exports", headers=headers,
                          json={"kind": kind})
    assert started.status_code == 202, started.text
    return started.json()


def made_export(client, headers, event_id: int, kind: str = "badges_pdf") -> dict:
    """An export of the event's badges, run to completion."""
    done = finished(client, headers, start_export(client, headers, event_id, kind)["id"])
    assert done["status"] == "done", done
    return done
