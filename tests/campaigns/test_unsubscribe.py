"""Unsubscribing by a message's link: the consent withdrawn at once and kept in the
customer's history, the messages not sent yet cancelled (this campaign's and others'),
once however often the link is used."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.campaigns.models import CampaignRecipient, RecipientGroup
from kiosk_server.core.signing import TokenKind
from kiosk_server.customers import contact
from kiosk_server.messaging.models import MessageStatus, OutboxMessage
from tests.campaigns.helpers import add_campaign, add_customer, add_customers
from tests.messaging.conftest import wait_for

ONE_CLICK = {"content": b"List-Unsubscribe=One-Click",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def _started(client, admin, campaign_id):
    """Started on a server with no mail server: every message waits, pending."""
    answer = client.post(f"/api/v1/campaigns/{campaign_id}/start", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: client.get(f"/api/v1/campaigns/{campaign_id}/progress",
                                headers=admin.headers).json()["state"] == "sending")


def _recipient(db, campaign_id, customer_id) -> CampaignRecipient:
    with db.session() as session:
        return session.scalars(select(CampaignRecipient).where(
            col(CampaignRecipient.campaign_id) == campaign_id,
            col(CampaignRecipient.customer_id) == customer_id)).one()


def _status(db, message_id) -> MessageStatus:
    with db.session() as session:
        return session.get_one(OutboxMessage, message_id).status


def test_one_click_withdraws_the_consent_once_and_cancels_what_waits(app, db, client, admin):
    hang = add_customer(db, "Đỗ Thu Hằng", "hang@example.com")
    other = add_customer(db, "Lý Minh", "minh@example.com")
    first, second = add_campaign(db), add_campaign(db, name="Tết")
    _started(client, admin, first)
    _started(client, admin, second)
    mine = _recipient(db, first, hang)
    link = f"/u/{app.state.signer.sign(TokenKind.UNSUBSCRIBE, mine.serial)}"

    with TestClient(app) as mail_program:  # no cookie, no Origin: as a mail program POSTs
        assert "Hủy đăng ký" in mail_program.get(link).text
        assert _status(db, mine.outbox_id) is MessageStatus.PENDING  # opening changes nothing
        answer = mail_program.post(link, **ONE_CLICK)
        again = mail_program.post(link, **ONE_CLICK)
        page = mail_program.get(link)
    assert answer.status_code == again.status_code == 200, answer.text
    assert answer.json()["unsubscribed"] is True and answer.json()["channel"] == "email"
    assert again.json() == answer.json()
    assert 'data-state="done"' in page.text

    assert _status(db, mine.outbox_id) is MessageStatus.CANCELLED
    assert _status(db, _recipient(db, second, hang).outbox_id) is MessageStatus.CANCELLED
    assert _status(db, _recipient(db, first, other).outbox_id) is MessageStatus.PENDING
    assert _recipient(db, first, hang).unsubscribed_at is not None
    with db.session() as session:
        history = contact.consent_history(session, customer_id=hang)
    assert [(c.channel.value, c.granted, c.source.value) for c in history[:-1]] == [
        ("email", False, "unsubscribe")]  # recorded once; the last is the sign-up's
    progress = client.get(f"/api/v1/campaigns/{first}/progress", headers=admin.headers).json()
    assert (progress["unsubscribed"], progress["cancelled"]) == (1, 1)

    third = add_campaign(db, name="Sau đó")
    _started(client, admin, third)
    assert _recipient(db, third, hang).group is RecipientGroup.LEFT_OUT


def test_unsubscribing_while_a_campaign_is_drawn_leaves_them_out_of_the_rest(
        app, db, client, admin):
    addresses = add_customers(db, 3)
    early = add_campaign(db)
    _started(client, admin, early)
    with db.session() as session:
        serial = session.scalars(select(col(CampaignRecipient.serial))
                                 .order_by(col(CampaignRecipient.id))).first()
    with TestClient(app) as mail_program:
        mail_program.post(f"/u/{app.state.signer.sign(TokenKind.UNSUBSCRIBE, serial)}",
                          **ONE_CLICK)
    later = add_campaign(db)
    _started(client, admin, later)
    with db.session() as session:
        sent_to = set(session.scalars(select(col(OutboxMessage.to_address)).where(
            col(OutboxMessage.id).in_(select(col(CampaignRecipient.outbox_id)).where(
                col(CampaignRecipient.campaign_id) == later)))))
    assert sent_to == set(addresses[1:])


def test_an_erasure_cancels_a_paused_campaigns_held_message(db, client, admin):
    customer_id = add_customer(db, "Tạ Thị Hoa", "hoa@example.com")
    campaign_id = add_campaign(db)
    _started(client, admin, campaign_id)
    paused = client.post(f"/api/v1/campaigns/{campaign_id}/pause", headers=admin.headers)
    assert paused.json()["state"] == "paused"
    message_id = _recipient(db, campaign_id, customer_id).outbox_id
    assert _status(db, message_id) is MessageStatus.HELD
    client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin.headers,
                json={"confirm": True})
    client.post(f"/api/v1/campaigns/{campaign_id}/resume", headers=admin.headers)
    assert _status(db, message_id) is MessageStatus.CANCELLED
