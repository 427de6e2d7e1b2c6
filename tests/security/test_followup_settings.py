"""The follow-up settings and the thank-you coupon, attacked against a running server: another
site cannot switch messages or coupons on through an admin's browser, a staff member cannot
either, and a feedback link that is not one earns no coupon."""

import uuid

from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from tests.conftest import TEST_SECRET
from tests.feedback.test_followup import SETTINGS
from tests.security.conftest import EVIL

ON = {**SETTINGS, "thanks_enabled": True}


def _settings(http, admin) -> dict:
    return http.get("/api/v1/feedback-settings", headers=admin.headers).json()


def test_another_site_cannot_turn_messages_or_coupons_on(victim, http, admin):
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.put("/api/v1/feedback-settings", json=ON, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    assert not _settings(http, admin)["followup_enabled"]
    assert not _settings(http, admin)["thanks_enabled"]


def test_a_staff_member_cannot_change_them(http, admin, clerk):
    answer = http.put("/api/v1/feedback-settings", json=ON, headers=clerk.headers)
    assert answer.status_code == 403
    assert not _settings(http, admin)["thanks_enabled"]


def test_a_forged_or_unknown_link_earns_no_coupon(http, admin):
    assert http.put("/api/v1/feedback-settings", json=ON, headers=admin.headers).is_success
    customer = http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Lê Thị Thu", "phone": "0914 555 666"}).json()["id"]
    sale = http.post(f"/api/v1/customers/{customer}/purchases", headers=admin.headers,
                     json={"amount_vnd": 50_000, "request_id": uuid.uuid4().hex}).json()
    token = sale["feedback"]["code"]
    signer = TokenSigner(TEST_SECRET.encode())
    forged = [token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
              signer.sign(TokenKind.FEEDBACK, new_serial()),  # signed, but no such visit
              signer.sign(TokenKind.COUPON, token.split(".")[1])]  # another kind of code
    for bad in forged:
        answer = http.put(f"/api/v1/feedback/{bad}", json={"visit_rating": 5})
        assert answer.status_code == 404, answer.text
    panel = http.get(f"/api/v1/customers/{customer}/checkout", headers=admin.headers).json()
    assert panel["coupons"] == []
    assert http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 5}).json()["thanks"]
