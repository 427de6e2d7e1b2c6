"""A campaign sent through the outbox to a real SMTP server: each recipient once, in their
language, with their coupon and the one-click unsubscribe headers; pause, resume, cancel."""

import io
import re
import unicodedata
from collections import Counter
from datetime import timedelta

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    RecipientGroup,
)
from kiosk_server.core.signing import TokenKind, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.loyalty import coupons
from kiosk_server.main import create_app
from kiosk_server.messaging.models import MessageStatus, OutboxMessage
from kiosk_server.staff.models import Role
from tests.campaigns.helpers import add_campaign, add_customer, add_customers, received
from tests.conftest import make_staff
from tests.messaging.conftest import wait_for

VOWELS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"


@pytest.fixture
def mail_app(settings, mail_server):
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"mail_from": "Cà phê Hương <tin@huong.example>"}))
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:
        client.app_state = app.state
        yield client
    app.state.db.dispose()


def _admin(client):
    return make_staff(client.app_state.db, "admin", Role.ADMIN).headers


def _progress(client, headers, campaign_id):
    answer = client.get(f"/api/v1/campaigns/{campaign_id}/progress", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _until(client, headers, campaign_id, state):
    return wait_for(lambda: (p := _progress(client, headers, campaign_id))["state"] == state
                    and p, timeout_s=30)


def _audit_actions(client, headers):
    return [e["action"] for e in client.get("/api/v1/audit", headers=headers).json()["items"]]


def test_each_recipient_gets_one_message_in_their_language_with_every_diacritic(
        mail_app, mail_server):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    hong = add_customer(db, "Nguyễn Thị Ánh Hồng", "hong@example.com")
    add_customer(db, "Đặng Quốc Bảo", "bao@example.com", language="en")
    add_customer(db, "Lê Văn Không Đồng Ý", "khong@example.com", consent=False)
    add_customer(db, "Phạm Thư", None)
    subject = f"Ưu đãi cho {{{{name}}}}: {VOWELS} {VOWELS.upper()}"
    campaign_id = add_campaign(db, subject_vi=subject)

    first = mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    again = mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    done = _until(mail_app, headers, campaign_id, "done")

    assert received(mail_server.inbox.messages) == {"hong@example.com": 1, "bao@example.com": 1}
    assert (done["recipients"], done["left_out"], done["sent"], done["remaining"]) == (2, 2, 2, 0)
    mails = {str(m["To"]): m for m in mail_server.inbox.messages}
    vietnamese = mails["hong@example.com"]
    expected = f"Ưu đãi cho Nguyễn Thị Ánh Hồng: {VOWELS} {VOWELS.upper()}"
    assert unicodedata.normalize("NFC", str(vietnamese["Subject"])) == expected
    assert str(vietnamese["Subject"]) == expected
    assert str(mails["bao@example.com"]["Subject"]) == "A December offer, Đặng Quốc Bảo"
    assert vietnamese["From"].addresses[0].display_name == "Cà phê Hương"
    body = vietnamese.get_body(("plain",)).get_content()
    assert "Chào Nguyễn Thị Ánh Hồng" in body
    [link] = re.findall(r"https?://\S+/u/\S+", body)
    assert vietnamese["List-Unsubscribe"].strip() == f"<{link}>"
    assert vietnamese["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe:" in mails["bao@example.com"].get_body(("plain",)).get_content()
    with db.session() as session:
        recipient = session.scalars(select(CampaignRecipient).where(
            col(CampaignRecipient.customer_id) == hong)).one()
    assert link.endswith(mail_app.app_state.signer.sign(TokenKind.UNSUBSCRIBE,
                                                        recipient.serial))
    assert _audit_actions(mail_app, headers).count("campaign.start") == 1


def _qr_text(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text


def test_each_recipient_gets_their_own_single_use_coupon_with_its_qr(mail_app, mail_server):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    addresses = add_customers(db, 3)
    campaign_id = add_campaign(db, coupon_benefit="Giảm 10% hóa đơn", coupon_valid_days=14)
    mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    _until(mail_app, headers, campaign_id, "done")

    signer = mail_app.app_state.signer
    codes = set()
    for mail in mail_server.inbox.messages:
        [image] = [part for part in mail.walk() if part.get("Content-ID") == "<coupon-qr>"]
        code = _qr_text(image.get_content())
        assert 'src="cid:coupon-qr"' in mail.get_body(("html",)).get_content()
        assert "Giảm 10% hóa đơn" in mail.get_body(("plain",)).get_content()
        # its link opens the coupon's own page
        assert token_link(mail_app.app_state.settings.public_url, code, "v") in mail.get_body(
            ("plain",)).get_content()
        with db.session() as session:
            coupon = coupons.find(session, code=code, signer=signer)
            recipient = session.scalars(select(CampaignRecipient).where(
                col(CampaignRecipient.coupon_id) == coupon.id)).one()
            owner = session.get_one(OutboxMessage, recipient.outbox_id).to_address
        assert owner == str(mail["To"])
        assert coupon.customer_id == recipient.customer_id and coupon.used_at is None
        assert timedelta(days=13) < coupon.expires_at - utcnow() <= timedelta(days=14)
        codes.add(code)
    assert len(codes) == len(addresses) == len(mail_server.inbox.messages)


def test_the_hold_out_gets_nothing_and_is_counted(mail_app, mail_server):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    add_customers(db, 40)
    campaign_id = add_campaign(db, hold_out_pct=50)
    mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    done = _until(mail_app, headers, campaign_id, "done")
    with db.session() as session:
        groups = Counter(session.scalars(select(col(CampaignRecipient.group)).where(
            col(CampaignRecipient.campaign_id) == campaign_id)))
        held_out = set(session.scalars(select(col(CampaignRecipient.customer_id)).where(
            col(CampaignRecipient.group) == RecipientGroup.HOLD_OUT)))
    assert groups[RecipientGroup.HOLD_OUT] == done["hold_out"] > 0
    assert groups[RecipientGroup.SEND] == done["sent"] == len(mail_server.inbox.messages)
    assert done["hold_out"] + done["recipients"] == 40
    assert all(count == 1 for count in received(mail_server.inbox.messages).values())
    assert len(held_out) == done["hold_out"]


def test_the_list_says_done_once_everything_went_without_the_page_being_opened(
        mail_app, mail_server):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    add_customers(db, 5)
    campaign_id = add_campaign(db, hold_out_pct=0)
    mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    wait_for(lambda: len(mail_server.inbox.messages) == 5, timeout_s=30)
    wait_for(lambda: _outbox_settled(db), timeout_s=30)
    with db.session() as session:  # nobody read its progress since it started
        assert session.get(Campaign, campaign_id).state is CampaignState.SENDING
    [listed] = mail_app.get("/api/v1/campaigns", headers=headers).json()["items"]
    assert (listed["id"], listed["state"], listed["sent"]) == (campaign_id, "done", 5)
    with db.session() as session:
        assert session.get(Campaign, campaign_id).state is CampaignState.DONE


def _outbox_settled(db) -> bool:
    with db.session() as session:
        return not session.scalars(select(col(OutboxMessage.id)).where(
            col(OutboxMessage.status) != MessageStatus.SENT)).first()


def test_a_refused_address_fails_for_that_recipient_alone(mail_app, mail_server):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    add_customers(db, 3)
    mail_server.inbox.refuse.add("khach1@example.com")
    campaign_id = add_campaign(db)
    mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    done = _until(mail_app, headers, campaign_id, "done")
    assert (done["sent"], done["failed"]) == (2, 1)
    with db.session() as session:
        [failed] = session.scalars(select(OutboxMessage).where(
            col(OutboxMessage.status) == MessageStatus.FAILED))
    assert failed.to_address == "khach1@example.com" and "550" in failed.last_error


@pytest.fixture
def slow_app(settings, mail_server):
    """The server sending at most 20 e-mails a second."""
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"email_per_second": 20.0}))
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:
        client.app_state = app.state
        yield client
    app.state.db.dispose()


def test_pause_holds_the_rest_and_resume_sends_each_once(slow_app, mail_server):
    db = slow_app.app_state.db
    headers = _admin(slow_app)
    addresses = add_customers(db, 30)
    campaign_id = add_campaign(db)
    slow_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    wait_for(lambda: len(mail_server.inbox.messages) >= 3)
    paused = slow_app.post(f"/api/v1/campaigns/{campaign_id}/pause", headers=headers)
    assert slow_app.post(f"/api/v1/campaigns/{campaign_id}/pause",
                         headers=headers).status_code == 200
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    got = len(mail_server.inbox.messages)
    with db.session() as session:
        held = session.scalars(select(OutboxMessage).where(
            col(OutboxMessage.status) == MessageStatus.HELD)).all()
    assert len(held) >= 30 - got - 1  # the one in flight at the pause may still go
    slow_app.post(f"/api/v1/campaigns/{campaign_id}/resume", headers=headers)
    done = _until(slow_app, headers, campaign_id, "done")
    assert received(mail_server.inbox.messages) == {address: 1 for address in addresses}
    assert done["sent"] == 30
    actions = _audit_actions(slow_app, headers)
    assert (actions.count("campaign.pause"), actions.count("campaign.resume")) == (1, 1)
    refused = slow_app.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "campaign_finished"


def test_cancel_withdraws_what_was_not_sent(slow_app, mail_server):
    db = slow_app.app_state.db
    headers = _admin(slow_app)
    add_customers(db, 30)
    campaign_id = add_campaign(db)
    slow_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    wait_for(lambda: len(mail_server.inbox.messages) >= 3)
    cancelled = slow_app.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    slow_app.post(f"/api/v1/campaigns/{campaign_id}/cancel", headers=headers)
    final = wait_for(lambda: (p := _progress(slow_app, headers, campaign_id))["remaining"] == 0
                     and p)
    assert final["state"] == "cancelled" and final["finished_at"]
    assert final["sent"] == len(mail_server.inbox.messages) < 30
    assert final["sent"] + final["cancelled"] == 30
    assert all(count == 1 for count in received(mail_server.inbox.messages).values())
    assert _audit_actions(slow_app, headers).count("campaign.cancel") == 1


def test_the_throttle_spaces_the_messages(slow_app, mail_server):
    db = slow_app.app_state.db
    headers = _admin(slow_app)
    add_customers(db, 12)
    arrivals: list[float] = []
    handle = mail_server.inbox.handle_DATA

    async def timed(server, session, envelope):
        import time
        arrivals.append(time.monotonic())
        return await handle(server, session, envelope)

    mail_server.inbox.handle_DATA = timed
    campaign_id = add_campaign(db)
    slow_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    _until(slow_app, headers, campaign_id, "done")
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert len(arrivals) == 12
    assert min(gaps) > 0.8 / 20  # 20 a second at most, evenly spaced


def test_a_preview_shows_a_real_customers_message_with_a_sample_coupon(mail_app):
    db = mail_app.app_state.db
    headers = _admin(mail_app)
    customer_id = add_customer(db, "Võ Thị Sáu", "sau@example.com", language="en")
    campaign_id = add_campaign(db, coupon_benefit="Một ly cà phê",
                               html_en="<p>Hello {{name}} &amp; friends</p>")
    answer = mail_app.post(f"/api/v1/campaigns/{campaign_id}/preview", headers=headers,
                           json={"customer_id": customer_id})
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["subject"] == "A December offer, Võ Thị Sáu"
    assert shown["to"] == "sau@example.com"
    assert "Your own coupon: Một ly cà phê" in shown["text"]
    assert "the code is made when it is sent" in shown["html"]
    assert "<p>Hello Võ Thị Sáu &amp; friends</p>" in shown["html"]
    assert "/u/" in shown["text"] and "Unsubscribe" in shown["html"]
    missing = mail_app.post("/api/v1/campaigns/999/preview", headers=headers,
                            json={"customer_id": customer_id})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "campaign_not_found"


def test_only_admins_start_or_follow_a_campaign(mail_app):
    db = mail_app.app_state.db
    clerk = make_staff(db, "clerk", Role.STAFF).headers
    campaign_id = add_campaign(db)
    for method, path in (("POST", "start"), ("POST", "pause"), ("POST", "resume"),
                         ("POST", "cancel"), ("GET", "progress")):
        answer = mail_app.request(method, f"/api/v1/campaigns/{campaign_id}/{path}",
                                  headers=clerk)
        assert answer.status_code == 403, (path, answer.text)
        assert mail_app.request(method, f"/api/v1/campaigns/{campaign_id}/{path}"
                                ).status_code == 401


def test_a_draft_without_its_text_is_not_started(mail_app):
    headers = _admin(mail_app)
    campaign_id = add_campaign(mail_app.app_state.db, text_vi="  ")
    answer = mail_app.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "campaign_incomplete"
    paused = mail_app.post(f"/api/v1/campaigns/{campaign_id}/pause", headers=headers)
    assert paused.status_code == 409
    assert paused.json()["error"]["code"] == "campaign_not_running"


def test_a_phone_campaign_hands_the_gateway_its_unsubscribe_address(settings, gateway):
    app = create_app(gateway.settings_for(settings))
    with TestClient(app) as client:
        client.app_state = app.state
        headers = _admin(client)
        add_customer(app.state.db, "Bùi Thị Xuân", None, phone="0903123456", sms=True)
        add_customer(app.state.db, "Không Nhắn", None, phone="0903123457")
        campaign_id = add_campaign(app.state.db, channel="sms")
        client.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
        done = _until(client, headers, campaign_id, "done")
    app.state.db.dispose()
    [message] = gateway.messages
    assert (done["sent"], done["left_out"]) == (1, 1)
    assert message["to"] == "+84903123456" and message["purpose"] == "marketing"
    assert message["text"].startswith("Chào Bùi Thị Xuân")
    assert "/u/" in message["unsubscribe_url"] and message["unsubscribe_url"] in message["text"]


def test_a_start_cut_short_carries_on_when_the_server_starts(settings, mail_server):
    """A process stopped while drawing: the campaign is still `starting`, with part of
    its recipients written; the next server start draws the rest, each once."""
    app = create_app(mail_server.settings_for(settings))
    db = app.state.db
    addresses = add_customers(db, 5)
    campaign_id = add_campaign(db, state="starting", drawn_through=0)
    with TestClient(app) as client:
        client.app_state = app.state
        _until(client, _admin(client), campaign_id, "done")
    app.state.db.dispose()
    assert received(mail_server.inbox.messages) == {address: 1 for address in addresses}
