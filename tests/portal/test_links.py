"""One-time sign-in links: made, sent on the customer's channel, spent once while valid."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from kiosk_server.core.db import id_of
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, Customer, CustomerCreate
from kiosk_server.messaging.models import Channel, OutboxMessage, Purpose
from kiosk_server.portal import links
from kiosk_server.portal.links import LinkRefusal
from kiosk_server.portal.models import SignInLink
from tests.conftest import TEST_SECRET

SIGNER = TokenSigner(TEST_SECRET.encode())


def _customer(db, **fields) -> int:
    fields.setdefault("full_name", "Nguyễn Thị Hương")
    with db.session() as session:
        return id_of(customers.create_customer(session, data=CustomerCreate(**fields),
                                               by=ConsentBy(ConsentSource.STAFF)))


def _issue(db, customer_id: int, **kwargs) -> str:
    with db.session() as session:
        return links.issue_link(session, customer_id=customer_id, signer=SIGNER, **kwargs)


def _use(db, token: str, **kwargs) -> links.LinkUse:
    with db.session() as session:
        return links.use_link(session, token=token, signer=SIGNER, **kwargs)


def _outbox(db) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def test_a_link_signs_in_once(db):
    customer_id = _customer(db, phone="0903123456")
    token = _issue(db, customer_id)
    assert SIGNER.verify(token).kind is TokenKind.SIGN_IN
    assert links.link_url("https://shop.example.vn", token) == f"HTTPS://SHOP.EXAMPLE.VN/P/{token}"
    assert _use(db, token) == links.LinkUse(customer_id, None)
    assert _use(db, token) == links.LinkUse(None, LinkRefusal.SPENT)


def test_checking_a_link_spends_nothing(db):
    customer_id = _customer(db, phone="0903123462")
    token = _issue(db, customer_id)
    for _ in range(3):  # previews: a mail scanner, a chat app
        with db.session() as session:
            assert links.check_link(session, token=token, signer=SIGNER) == links.LinkUse(
                customer_id, None)
    assert _use(db, token) == links.LinkUse(customer_id, None)
    old = _issue(db, customer_id, now=utcnow() - timedelta(minutes=16))
    with db.session() as session:
        assert links.check_link(session, token=token, signer=SIGNER) == links.LinkUse(
            None, LinkRefusal.SPENT)
        assert links.check_link(session, token=old, signer=SIGNER).refusal is LinkRefusal.SPENT
        for bad in ("", "nonsense", SIGNER.sign(TokenKind.SIGN_IN, new_serial()),
                    SIGNER.sign(TokenKind.CARD, token.split(".")[1])):
            assert links.check_link(session, token=bad, signer=SIGNER) == links.LinkUse(
                None, LinkRefusal.UNKNOWN), bad


def test_a_link_expires_after_15_minutes(db):
    customer_id = _customer(db, phone="0903123457")
    issued = utcnow() - timedelta(minutes=15, seconds=1)
    token = _issue(db, customer_id, now=issued)
    with db.session() as session:
        assert links.expires_at(session, token=token, signer=SIGNER) == issued + timedelta(
            minutes=15)
    assert _use(db, token) == links.LinkUse(None, LinkRefusal.SPENT)
    fresh = _issue(db, customer_id, now=utcnow() - timedelta(minutes=14))
    assert _use(db, fresh).customer_id == customer_id


def test_forged_other_kind_and_unknown_tokens_sign_nobody_in(db):
    customer_id = _customer(db, phone="0903123458")
    token = _issue(db, customer_id)
    head, _, tag = token.rpartition(".")
    forged = f"{head}.{'A' if tag[0] != 'A' else 'B'}{tag[1:]}"
    serial = token.split(".")[1]
    card_kind = SIGNER.sign(TokenKind.CARD, serial)  # the right serial, the wrong kind
    never_issued = SIGNER.sign(TokenKind.SIGN_IN, new_serial())
    for bad in (forged, card_kind, never_issued, "", "x" * 600, "1L.." + "é"):
        assert _use(db, bad) == links.LinkUse(None, LinkRefusal.UNKNOWN), bad
    assert _use(db, token).customer_id == customer_id  # none of them spent it


def test_two_opens_at_once_sign_in_once(db):
    customer_id = _customer(db, phone="0903123459")
    token = _issue(db, customer_id)
    with ThreadPoolExecutor(4) as pool:
        uses = list(pool.map(lambda _: _use(db, token), range(4)))
    assert sorted(use.customer_id is not None for use in uses) == [False, False, False, True]


def test_revoked_links_are_spent(db):
    customer_id = _customer(db, phone="0903123460")
    token = _issue(db, customer_id)
    with db.session() as session:
        links.revoke_links(session, customer_id=customer_id)
    assert _use(db, token).refusal is LinkRefusal.SPENT


def test_the_link_goes_as_a_service_message_on_the_best_channel(db, settings):
    sms_id = _customer(db, phone="0903123461", preferred_channel=Channel.SMS)
    mail_id = _customer(db, full_name="Trần Bích", email="bich@example.com")
    nobody_id = _customer(db, full_name="Lê Văn Tám")
    for customer_id in (sms_id, mail_id, nobody_id):
        with db.session() as session:
            links.send_sign_in_link(session, session.get(Customer, customer_id),
                                    settings=settings, signer=SIGNER)
    sent = _outbox(db)
    assert [(m.channel, m.purpose, m.to_address) for m in sent] == [
        (Channel.SMS, Purpose.SERVICE, "+84903123461"),
        (Channel.EMAIL, Purpose.SERVICE, "bich@example.com")]
    for message in sent:
        url = next(word for word in message.body_text.split() if "/P/" in word or "/p/" in word)
        assert _use(db, url.rsplit("/", 1)[1]).customer_id in (sms_id, mail_id)
        assert "Xin chào" in message.body_text and "Sign in" in message.body_text
    with db.session() as session:
        assert session.scalar(select(SignInLink).where(
            col(SignInLink.customer_id) == nobody_id)) is None
