"""Sign-up by poster, on both databases: the poster's QR opens the form, a new phone gets a
card the till can scan, a known phone or e-mail gets only "check your messages"."""

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select, update
from sqlmodel import col

from kiosk_server.core.signing import TokenKind
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import ConsentChange, ConsentSource, Customer
from kiosk_server.messaging.models import Channel, Purpose
from kiosk_server.portal import service as portal
from kiosk_server.signup import service
from kiosk_server.signup.models import SignupRequest
from tests.badges.helpers import decode
from tests.conftest import open_event_body
from tests.signup.helpers import (
    count_customers,
    form,
    new_phone,
    outbox,
    pdf_qr_texts,
    poster_token,
)


def test_the_shop_poster_is_an_a4_pdf_whose_qr_opens_the_form(client, app, clerk, tmp_path):
    answer = client.get("/api/v1/signup/poster.pdf", headers=clerk.headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    [link] = pdf_qr_texts(answer.content, tmp_path)
    assert link == f"HTTP://LOCALHOST:8000/J/{poster_token(app)}"
    page = client.get("/j/" + link.rsplit("/", 1)[-1])
    assert page.status_code == 200 and 'name="phone"' in page.text
    assert client.get("/api/v1/signup/poster.pdf").status_code == 401


def test_an_event_poster_only_for_an_event_that_admits_walk_ins(client, app, admin, tmp_path):
    closed = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    refused = client.get(f"/api/v1/events/{closed['id']}/signup-poster.pdf",
                         headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "walk_ins_not_allowed"
    # Nor does a poster token made for it open a form.
    assert client.get(f"/j/{poster_token(app, closed['id'])}").status_code == 404
    event = client.post("/api/v1/events", json=open_event_body(allow_walk_in=True),
                        headers=admin.headers).json()
    answer = client.get(f"/api/v1/events/{event['id']}/signup-poster.pdf",
                        headers=admin.headers)
    assert answer.status_code == 200
    [link] = pdf_qr_texts(answer.content, tmp_path)
    assert link.endswith("/J/" + poster_token(app, event["id"]))
    page = client.get(link.replace("HTTP://LOCALHOST:8000", ""))
    assert page.status_code == 200 and "Hội thảo mùa thu" in page.text


def test_forged_and_other_kinds_of_tokens_open_no_form(client, app):
    signer = app.state.signer
    token = poster_token(app)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    card = signer.sign(TokenKind.CARD, "SHOPAAAAAAAAAAAA")
    for bad in (forged, card, "nonsense"):
        assert client.get(f"/j/{bad}").status_code == 404
        answer = client.post("/api/v1/signup", json=form(bad))
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "poster_not_found"
    assert count_customers(app) == 0


def test_a_new_phone_gets_its_card_at_once_and_the_till_finds_them(client, app, clerk):
    answer = client.post("/api/v1/signup", json=form(
        poster_token(app), full_name="Đỗ Thị Hồng Nhung", phone="0912 777 001",
        email="nhung@example.com", consent_sms=True))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["card_mail"] is True and body["walk_in"] is None
    card_code = body["card_url"].rsplit("/", 1)[-1]
    assert client.get(f"/C/{card_code}").status_code == 200  # their card's page
    qr = client.get(f"/c/{card_code}/qr.png")
    [scanned] = decode(Image.open(io.BytesIO(qr.content)))
    panel = client.post("/api/v1/checkout/lookup", headers=clerk.headers, json={"code": scanned})
    assert panel.status_code == 200, panel.text
    customer = panel.json()["customer"]
    assert (customer["full_name"], customer["phone"]) == ("Đỗ Thị Hồng Nhung", "+84912777001")
    assert (customer["consent_email"], customer["consent_sms"]) == (False, True)
    with app.state.db.session() as session:
        [change] = session.scalars(select(ConsentChange)).all()
    assert (change.channel, change.source, change.staff_id) == (Channel.SMS,
                                                                ConsentSource.POSTER, None)
    [mail] = outbox(app)  # the card by e-mail: a service message
    assert (mail.to_address, mail.purpose) == ("nhung@example.com", Purpose.SERVICE)
    assert body["card_url"] in mail.body_text


def test_a_known_phone_or_email_makes_no_second_record_and_says_only_check_messages(
        client, app):
    token = poster_token(app)
    first = client.post("/api/v1/signup", json=form(token, phone="0912 777 002",
                                                    email="lan@example.com"))
    assert first.status_code == 201
    before = len(outbox(app))
    answers = [client.post("/api/v1/signup", json=form(token, **values)) for values in (
        {"phone": "+84912777002"},  # the phone
        {"email": "LAN@example.com"},  # the e-mail
        {"phone": "0912777002", "email": "lan@example.com", "full_name": "Ai đó"})]  # both
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert answers[0].content == portal.SIGN_IN_ANSWER.model_dump_json().encode()
    assert b"Tr\xe1\xba\xa7n" not in answers[0].content and b"card" not in answers[0].content
    assert count_customers(app) == 1
    links = outbox(app)[before:]
    assert len(links) == 3  # a sign-in link each time, on the customer's own channel
    assert {m.to_address for m in links} == {"lan@example.com"}
    assert all("/P/" in m.body_text and m.purpose is Purpose.SERVICE for m in links)


def test_a_retry_with_the_same_client_key_acts_once(client, app):
    body = form(poster_token(app), email="retry@example.com")
    first = client.post("/api/v1/signup", json=body)
    again = client.post("/api/v1/signup", json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.content == again.content
    assert count_customers(app) == 1 and len(outbox(app)) == 1
    other = client.post("/api/v1/signup", json={**body, "phone": new_phone()})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "request_reused"


def test_sign_ups_are_limited_per_phone_the_same_for_a_customer_and_a_stranger(client, app):
    token = poster_token(app)
    known = "0912 777 003"
    assert client.post("/api/v1/signup", json=form(token, phone=known)).status_code == 201
    stranger = new_phone()
    for _ in range(service.PER_PHONE - 1):
        assert client.post("/api/v1/signup", json=form(token, phone=known)).status_code == 202
    for _ in range(service.PER_PHONE):
        client.post("/api/v1/signup", json=form(token, phone=stranger, email="x@example.com"))
    held = [client.post("/api/v1/signup", json=form(token, phone=phone))
            for phone in (known, stranger)]
    assert [a.status_code for a in held] == [429, 429]
    assert held[0].json() == held[1].json()
    assert held[0].json()["error"]["code"] == "too_many_attempts"
    assert int(held[0].headers["Retry-After"]) > 0


def test_bad_input_is_a_clear_4xx(client, app):
    token = poster_token(app)
    bad_phone = client.post("/api/v1/signup", json=form(token, phone="12"))
    assert bad_phone.status_code == 422
    [problem] = bad_phone.json()["detail"]
    assert (problem["type"], problem["loc"][-1]) == ("invalid_phone", "phone")
    # Checked with the other fields: a form wrong in two places hears of both at once.
    both = client.post("/api/v1/signup", json=form(token, phone="12", email="not an address"))
    assert {(p["type"], p["loc"][-1]) for p in both.json()["detail"]} == {
        ("invalid_phone", "phone"), ("email_invalid", "email")}
    bad_mail = client.post("/api/v1/signup", json=form(token, email="not an address"))
    assert bad_mail.status_code == 422
    assert bad_mail.json()["detail"][0]["type"] == "email_invalid"
    assert client.post("/api/v1/signup", json=form(token, client_key="x")).status_code == 422
    assert count_customers(app) == 0


def _walk_in_event(client, admin, **times):
    return client.post("/api/v1/events", json=open_event_body(allow_walk_in=True, **times),
                       headers=admin.headers).json()


def test_a_walk_in_is_checked_in_once_and_listed_as_one(client, app, admin):
    event = _walk_in_event(client, admin)
    answer = client.post("/api/v1/signup", json=form(poster_token(app, event["id"]),
                                                     full_name="Vũ Minh Khôi"))
    assert answer.status_code == 201, answer.text
    walk_in = answer.json()["walk_in"]
    assert (walk_in["status"], walk_in["event_id"]) == ("checked_in", event["id"])
    guests = client.get(f"/api/v1/events/{event['id']}/guests", headers=admin.headers).json()
    [guest] = guests["items"]
    assert (guest["name"], guest["walk_in"], guest["gate"]) == ("Vũ Minh Khôi", True, "walk-in")
    assert guest["checked_in_at"] is not None
    [scan] = client.get(f"/api/v1/events/{event['id']}/scans", headers=admin.headers).json()
    assert (scan["status"], scan["manual"], scan["staff_id"]) == ("ok", False, None)
    stats = client.get(f"/api/v1/events/{event['id']}/stats", headers=admin.headers).json()
    assert (stats["invited"], stats["checked_in"]) == (1, 1)


def test_before_the_doors_open_a_walk_in_is_invited_and_told_when(client, app, admin):
    now = utcnow()
    event = _walk_in_event(client, admin,
                           checkin_opens_at=(now + timedelta(minutes=20)).isoformat())
    answer = client.post("/api/v1/signup", json=form(poster_token(app, event["id"])))
    walk_in = answer.json()["walk_in"]
    assert walk_in["status"] == "invited"
    assert walk_in["opens_at"].startswith(event["checkin_opens_at"][:16])
    guests = client.get(f"/api/v1/events/{event['id']}/guests", headers=admin.headers).json()
    [guest] = guests["items"]
    assert guest["walk_in"] is True and guest["checked_in_at"] is None


def test_a_known_customer_at_an_event_poster_is_sent_their_way_in(client, app, admin, clerk):
    event = _walk_in_event(client, admin)
    phone = "0912 777 004"
    assert client.post("/api/v1/signup", json=form(poster_token(app), phone=phone,
                                                   email="khoa@example.com")).status_code == 201
    before = len(outbox(app))
    answer = client.post("/api/v1/signup", json=form(poster_token(app, event["id"]),
                                                     phone=phone))
    assert answer.status_code == 202
    sent = outbox(app)[before:]
    assert len(sent) == 2 and {m.to_address for m in sent} == {"khoa@example.com"}
    [card_message] = [m for m in sent if "/C/" in m.body_text]
    card_link = next(word for word in card_message.body_text.split() if "/C/" in word)
    # The gate admits that card as a walk-in.
    scanned = client.post("/api/v1/checkins", headers=clerk.headers, json={
        "code": card_link, "event_id": event["id"], "gate": "A"}).json()
    assert (scanned["status"], scanned["walk_in"]) == ("ok", True)
    with app.state.db.session() as session:
        assert len(session.scalars(select(Customer).where(
            col(Customer.phone) == "+84912777004")).all()) == 1


def test_the_longest_email_is_counted_like_any_other(client, app):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".vn"  # 254 characters
    answer = client.post("/api/v1/signup", json=form(poster_token(app), email=email))
    assert answer.status_code == 201, answer.text
    assert len(service.limits(phone="+84900000000", email=email, address="::1")[2].key) <= 200


def test_a_retry_is_answered_for_an_hour_then_forgotten(client, app):
    body = form(poster_token(app))
    assert client.post("/api/v1/signup", json=body).status_code == 201
    with app.state.db.session() as session:
        session.execute(update(SignupRequest).values(
            created_at=utcnow() - service.KEEP_ANSWERS - timedelta(minutes=1)))
    # The next sign-up forgets it: the same form again is a known phone now.
    assert client.post("/api/v1/signup", json=form(poster_token(app))).status_code == 201
    assert client.post("/api/v1/signup", json=body).status_code == 202
