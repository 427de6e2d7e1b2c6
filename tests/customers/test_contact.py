"""Consent per channel, its history, and the one question every sender asks."""

from sqlalchemy import select
from sqlmodel import col

from kiosk_server.core.db import id_of
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy, Refusal
from kiosk_server.customers.models import ConsentSource, Customer, CustomerCreate, CustomerUpdate
from kiosk_server.messaging.models import Channel, OutboxMessage, Purpose

NEWS = contact.Content(subject="Ưu đãi 40%", text="Giảm 40% cho khách quen tuần này.")


def _customer(db, **consents) -> int:
    with db.session() as session:
        return id_of(customers.create_customer(session, data=CustomerCreate(
            full_name="Nguyễn Thị Hương", phone="0903123456", email="huong@example.com",
            **consents), by=ConsentBy(ConsentSource.STAFF)))


def _send(db, customer_id: int, purpose: Purpose, channel: Channel | None = None):
    with db.session() as session:
        customer = session.get(Customer, customer_id)
        return contact.send(session, customer, NEWS, purpose=purpose, channel=channel)


def _outbox(db) -> list[tuple[Channel, Purpose, str]]:
    with db.session() as session:
        return [(m.channel, m.purpose, m.to_address)
                for m in session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id)))]


def test_silence_is_not_consent_marketing_is_refused_and_service_goes(db):
    customer_id = _customer(db)
    for channel in Channel:
        refused = _send(db, customer_id, Purpose.MARKETING, channel)
        assert (refused.message_id, refused.permission.refusal) == (None, Refusal.NO_CONSENT)
    assert _send(db, customer_id, Purpose.MARKETING).permission.refusal is Refusal.NO_CONSENT
    assert _outbox(db) == []
    assert _send(db, customer_id, Purpose.SERVICE, Channel.SMS).message_id is not None
    assert _outbox(db) == [(Channel.SMS, Purpose.SERVICE, "+84903123456")]


def test_marketing_goes_only_to_a_channel_agreed_to_preferred_first(db):
    customer_id = _customer(db, consent_sms=True)
    queued = _send(db, customer_id, Purpose.MARKETING)  # no preference: e-mail refused, SMS ok
    assert queued.permission.channel is Channel.SMS and queued.message_id is not None
    assert _send(db, customer_id, Purpose.MARKETING, Channel.EMAIL).message_id is None
    with db.session() as session:
        customers.update_customer(session, customer_id=customer_id, data=CustomerUpdate(
            consent_email=True, preferred_channel=Channel.EMAIL), by=ConsentBy(ConsentSource.STAFF))
    assert _send(db, customer_id, Purpose.MARKETING).permission.channel is Channel.EMAIL
    assert [purpose for _, purpose, _ in _outbox(db)] == [Purpose.MARKETING] * 2


def test_no_address_is_said_too(db):
    with db.session() as session:
        customer_id = customers.create_customer(session, data=CustomerCreate(
            full_name="Lê Văn Tám", consent_email=True),
            by=ConsentBy(ConsentSource.STAFF)).id
    assert _send(db, customer_id, Purpose.MARKETING,
                 Channel.EMAIL).permission.refusal is Refusal.NO_ADDRESS


def test_each_change_is_recorded_with_its_source_and_employee(client, admin):
    created = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Trần Bích", "phone": "0912345678", "consent_email": True,
        "preferred_channel": "sms"}).json()
    assert (created["consent_email"], created["consent_sms"], created["preferred_channel"]) \
        == (True, False, "sms")
    path = f"/api/v1/customers/{created['id']}"
    client.patch(path, headers=admin.headers, json={"consent_email": False, "consent_sms": True})
    client.patch(path, headers=admin.headers, json={"consent_sms": True, "notes": "x"})  # same
    history = client.get(f"{path}/consent", headers=admin.headers).json()
    assert [(h["channel"], h["purpose"], h["granted"], h["source"], h["staff_id"],
             h["staff_name"] is not None) for h in history] == [
        ("sms", "marketing", True, "staff", admin.staff_id, True),
        ("email", "marketing", False, "staff", admin.staff_id, True),
        ("email", "marketing", True, "staff", admin.staff_id, True)]


def test_a_till_sign_up_records_the_till_and_its_card_mail_is_a_service_message(
        client, admin, db):
    answer = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": "Phạm Hà", "phone": "0987654321", "email": "ha@example.com",
        "consent_sms": True})
    assert answer.status_code == 201, answer.text
    customer_id = answer.json()["panel"]["customer"]["id"]
    history = client.get(f"/api/v1/customers/{customer_id}/consent", headers=admin.headers)
    assert [(h["channel"], h["granted"], h["source"], h["staff_id"]) for h in history.json()] \
        == [("sms", True, "till", admin.staff_id)]
    assert _outbox(db) == [(Channel.EMAIL, Purpose.SERVICE, "ha@example.com")]


def test_an_import_records_the_import_and_who_ran_it(client, admin):
    csv = "full_name,phone,consent_email,consent_sms\nVũ Lan,0903000001,có,không\n"
    report = client.post("/api/v1/customers/import", headers={
        **admin.headers, "Content-Type": "text/csv"}, content=csv.encode()).json()
    [customer_id] = report["customer_ids"]
    history = client.get(f"/api/v1/customers/{customer_id}/consent", headers=admin.headers)
    assert [(h["channel"], h["granted"], h["source"], h["staff_id"]) for h in history.json()] \
        == [("email", True, "import", admin.staff_id)]
