"""The customer's portal over HTTP: asking for a link, opening it, and /api/v1/me."""

import base64
import io
import json
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.messaging.models import OutboxMessage
from kiosk_server.portal.deps import PORTAL_COOKIE
from kiosk_server.portal.models import SignInLink
from tests.badges.helpers import decode
from tests.feedback.helpers import named_staff, sale_link

HUONG = {"full_name": "Nguyễn Thị Hương", "phone": "0903 123 456", "email": "huong@example.com"}


def _customer(client, headers, **fields) -> int:
    made = client.post("/api/v1/customers", headers=headers, json={**HUONG, **fields})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _last_link(db) -> str:
    """The sign-in link in the newest message of the outbox."""
    with db.session() as session:
        message = session.scalars(select(OutboxMessage)
                                  .order_by(col(OutboxMessage.id).desc())).first()
    assert message is not None
    found = re.search(r"https?://\S+/p/(\S+)", message.body_text, re.IGNORECASE)
    assert found is not None, message.body_text
    return found.group(1)


def open_link(client, token: str):
    """What a customer does with a link: open it (a page with one button), press it."""
    opened = client.get(f"/p/{token}")
    assert opened.status_code == 200, opened.text
    assert "Mở trang của tôi" in opened.text and "set-cookie" not in opened.headers
    return client.post("/api/v1/portal/session", json={"token": token})


def sign_in(client, db, **asked) -> str:
    """Ask for a link, open it, press: the client holds the portal cookie. The link's token."""
    answer = client.post("/api/v1/portal/sign-in", json=asked)
    assert answer.status_code == 202, answer.text
    token = _last_link(db)
    pressed = open_link(client, token)
    assert (pressed.status_code, pressed.json()) == (200, {"go": "/me"}), pressed.text
    cookie = pressed.headers["set-cookie"]
    assert f"{PORTAL_COOKIE}=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Max-Age=14400" in cookie
    assert pressed.headers["cache-control"] == "no-store"
    return token


def test_a_customer_signs_in_by_phone_and_sees_only_themself(client, db, admin):
    customer_id = _customer(client, admin.headers)
    client.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers)
    _customer(client, admin.headers, full_name="Trần Bích", phone="0912 000 111", email=None)
    sign_in(client, db, phone="+84903123456")
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["full_name"], body["phone"], body["email"]) == (
        "Nguyễn Thị Hương", "0903 123 456", "huong@example.com")
    assert body["member_number"] and "/C/" in body["card_url"].upper()
    assert (body["loyalty"]["tier"], body["loyalty"]["points"]) == ("Thành viên", 0)
    assert body["loyalty"]["next_tier"] == "Bạc"
    assert body["loyalty"]["next_tier_from_vnd"] == 5_000_000
    assert client.get("/api/v1/customers").status_code == 401  # not a staff session


def test_a_link_signs_in_once_and_a_bad_one_says_so(client, db, admin):
    _customer(client, admin.headers)
    token = sign_in(client, db, email="HUONG@example.com ")
    again = client.post("/api/v1/portal/session", json={"token": token})
    assert (again.status_code, again.json()["error"]["code"]) == (410, "sign_in_link_spent")
    assert "set-cookie" not in again.headers
    reopened = client.get(f"/p/{token}", follow_redirects=False)
    assert reopened.status_code == 410 and "set-cookie" not in reopened.headers
    assert "liên kết" in reopened.text.lower() and "link" in reopened.text
    never = "1L.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA"
    assert client.get(f"/p/{never}").status_code == 404
    assert client.get("/p/nonsense").status_code == 404
    for bad in (never, "nonsense"):
        refused = client.post("/api/v1/portal/session", json={"token": bad})
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            404, "sign_in_link_unknown")


def test_opening_a_link_spends_nothing_the_press_spends_it(client, db, admin):
    """Mail scanners and chat apps open a link to show a preview: the customer who opens
    it afterwards still signs in with it."""
    customer_id = _customer(client, admin.headers)
    made = client.post(f"/api/v1/customers/{customer_id}/portal-link", headers=admin.headers)
    token = made.json()["url"].rsplit("/", 1)[1]
    with TestClient(client.app) as preview:  # another machine, with no cookie of ours
        for _ in range(3):
            seen = preview.get(f"/P/{token}")
            assert seen.status_code == 200 and "set-cookie" not in seen.headers
            assert seen.headers["cache-control"] == "no-store"
        assert preview.get("/api/v1/me").status_code == 401
    with db.session() as session:
        assert session.scalar(select(col(SignInLink.used_at))) is None
    assert open_link(client, token).status_code == 200
    assert client.get("/api/v1/me").json()["full_name"] == "Nguyễn Thị Hương"
    with db.session() as session:
        assert session.scalar(select(col(SignInLink.used_at))) is not None


def test_two_presses_at_once_sign_in_once(live_server, http, admin):
    customer_id = _customer(http, admin.headers)
    made = http.post(f"/api/v1/customers/{customer_id}/portal-link", headers=admin.headers)
    token = made.json()["url"].rsplit("/", 1)[1]
    start = threading.Barrier(4)

    def press(_: int) -> tuple[int, bool]:
        with httpx.Client(base_url=live_server, timeout=30) as phone:
            start.wait()
            answer = phone.post("/api/v1/portal/session", json={"token": token})
            return answer.status_code, phone.get("/api/v1/me").status_code == 200

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(press, range(4)))
    assert answers == [(200, True), (410, False), (410, False), (410, False)]


def test_profile_and_consents_are_edited_with_their_history(client, db, admin):
    customer_id = _customer(client, admin.headers)
    _customer(client, admin.headers, full_name="Trần Bích", phone="0912 000 111", email=None)
    client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                 json={"consent_email": True})
    sign_in(client, db, phone="0903123456")
    changed = client.patch("/api/v1/me", json={
        "full_name": "Nguyễn Thị Thu Hương", "consent_sms": True, "consent_email": False,
        "preferred_channel": "sms"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["full_name"], changed.json()["consent_sms"]) == (
        "Nguyễn Thị Thu Hương", True)
    history = client.get("/api/v1/me/consents").json()
    assert [(h["channel"], h["granted"], h["source"], h["staff_first_name"])
            for h in history] == [("sms", True, "portal", None), ("email", False, "portal", None),
                                  ("email", True, "staff", "admin")]
    taken = client.patch("/api/v1/me", json={"phone": "0912000111"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "phone_taken")
    assert "Trần" not in taken.text and "0912" not in taken.text
    assert client.patch("/api/v1/me", json={"full_name": None}).json()["error"]["code"] \
        == "name_required"
    assert client.patch("/api/v1/me", json={"email": "x"}).status_code == 422
    staff_view = client.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
    assert staff_view["full_name"] == "Nguyễn Thị Thu Hương"


def test_visits_purchases_coupons_and_feedback_with_the_shops_answer(client, db, admin):
    customer_id = _customer(client, admin.headers)
    lan = named_staff(db, "lan", "Phạm Thị Lan")
    token = sale_link(client, lan.headers, customer_id, amount=260_000)
    client.post(f"/api/v1/customers/{customer_id}/coupons", headers=admin.headers,
                json={"benefit": "Giảm 10%"})
    answered = client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "staff_rating": 2})
    assert answered.status_code == 200, answered.text
    sign_in(client, db, phone="0903123456")
    purchases = client.get("/api/v1/me/purchases").json()
    assert [(p["amount_vnd"], p["points"], p["staff_first_name"]) for p in purchases] == [
        (260_000, 26, "Lan")]
    assert [v["kind"] for v in client.get("/api/v1/me/visits").json()] == ["purchase"]
    coupons = client.get("/api/v1/me").json()["coupons"]
    assert [(c["benefit"], c["status"]) for c in coupons] == [("Giảm 10%", "valid")]
    feedback = client.get("/api/v1/me/feedback").json()
    assert [(f["visit_rating"], f["staff_first_name"], f["reply"]["status"])
            for f in feedback] == [(1, "Lan", "open")]


def test_the_till_shows_a_sign_in_qr(client, db, admin, clerk):
    customer_id = _customer(client, admin.headers)
    made = client.post(f"/api/v1/customers/{customer_id}/portal-link", headers=clerk.headers)
    assert made.status_code == 201, made.text
    body = made.json()
    picture = base64.b64decode(body["qr_png"].removeprefix("data:image/png;base64,"))
    assert decode(Image.open(io.BytesIO(picture))) == [body["url"]]
    assert open_link(client, body["url"].rsplit("/", 1)[1]).status_code == 200
    assert client.get("/api/v1/me").json()["full_name"] == "Nguyễn Thị Hương"
    assert client.post("/api/v1/customers/999/portal-link",
                       headers=clerk.headers).status_code == 404
    assert client.post(f"/api/v1/customers/{customer_id}/portal-link").status_code == 401


def test_sign_out_ends_the_session(client, db, admin):
    _customer(client, admin.headers)
    sign_in(client, db, phone="0903123456")
    assert client.post("/api/v1/me/sign-out").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_the_sign_in_answer_is_the_same_for_anyone(client, db, admin):
    _customer(client, admin.headers)
    answers = [client.post("/api/v1/portal/sign-in", json=asked) for asked in (
        {"phone": "0903123456"}, {"phone": "0999999999"}, {"email": "huong@example.com"},
        {"email": "nobody@example.com"}, {"card": "1C.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA"})]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}
    assert client.post("/api/v1/portal/sign-in", json={}).status_code == 422
    assert client.post("/api/v1/portal/sign-in", json={
        "phone": "0903123456", "email": "a@b.vn"}).json()["detail"][0]["type"] \
        == "sign_in_one_value"


def test_too_many_requests_for_one_phone_are_refused_alike(client, db, admin):
    _customer(client, admin.headers)
    for phone in ("0903123456", "0999999999"):
        for _ in range(3):
            assert client.post("/api/v1/portal/sign-in", json={"phone": phone}).status_code == 202
    refused = [client.post("/api/v1/portal/sign-in", json={"phone": phone})
               for phone in ("0903 123 456", "0999999999")]
    assert [r.status_code for r in refused] == [429, 429]
    assert refused[0].json() == refused[1].json()
    assert refused[0].json()["error"]["code"] == "too_many_requests"
    assert int(refused[0].headers["retry-after"]) > 0


def test_export_and_delete_then_nothing_opens_again(client, db, admin):
    customer_id = _customer(client, admin.headers)
    card = client.post(f"/api/v1/customers/{customer_id}/card", headers=admin.headers).json()
    spare = client.post(f"/api/v1/customers/{customer_id}/portal-link", headers=admin.headers)
    sign_in(client, db, phone="0903123456")
    exported = client.get("/api/v1/me/export")
    assert exported.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        document = json.loads(archive.read("customer.json"))
        assert document["profile"]["full_name"] == "Nguyễn Thị Hương"
        assert "Nguyễn Thị Hương" in archive.read("profile.csv").decode("utf-8-sig")
    refused = client.request("DELETE", "/api/v1/me", json={"confirm": "yes"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "confirmation_needed")
    assert client.request("DELETE", "/api/v1/me", json={"confirm": "xoá"}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    lookup = client.post("/api/v1/checkout/lookup", headers=admin.headers,
                         json={"code": card["code"]})
    assert lookup.status_code == 404 and "revoked" in lookup.json()["error"]["code"]
    spare_token = spare.json()["url"].rsplit("/", 1)[1]
    assert client.get(f"/p/{spare_token}").status_code == 410
    assert client.post("/api/v1/portal/session",
                       json={"token": spare_token}).status_code == 410
    assert client.post(f"/api/v1/customers/{customer_id}/portal-link",
                       headers=admin.headers).json()["error"]["code"] == "customer_erased"
    with db.session() as session:
        before = len(session.scalars(select(OutboxMessage)).all())
    assert client.post("/api/v1/portal/sign-in",
                       json={"phone": "0903123456"}).status_code == 202
    with db.session() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == before


def test_the_longest_values_are_counted_too(client):
    for asked in ({"email": "a" * 249 + "@x.vn"}, {"phone": " " * 31 + "1"},
                  {"card": "https://shop.example/c/" + "A" * 480}):
        assert client.post("/api/v1/portal/sign-in", json=asked).status_code == 202, asked
