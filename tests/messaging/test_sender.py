"""Delivery over a real SMTP server: what arrives, what never does, retries, no duplicates."""

import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from kiosk_server.core.db import Database
from kiosk_server.main import create_app
from kiosk_server.messaging import service
from kiosk_server.messaging.models import MessageStatus, OutboxMessage
from kiosk_server.messaging.sender import OutboxSender
from tests.messaging.conftest import Clock, wait_for


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#0b4f8a").save(buffer, format="PNG")
    return buffer.getvalue()


def row(db: Database, message_id: int) -> OutboxMessage:
    with db.session() as session:
        return session.get_one(OutboxMessage, message_id)


def test_mail_queued_in_a_committed_transaction_is_delivered(settings, mail_server):
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"mail_from": "Cà phê Hương <no-reply@huong.example>"}))
    image = png()
    subject = "Thẻ thành viên của Nguyễn Thị Hương"
    with TestClient(app):
        with app.state.db.session() as session:
            message_id = service.enqueue_email(
                session, to="huong@example.com", subject=subject,
                text="Chào chị Hương, đây là thẻ của chị.",
                html='<p>Chào chị Hương</p><img src="cid:qr" alt="QR">', images={"qr": image},
            ).id
        wait_for(lambda: mail_server.inbox.messages)
        sent = wait_for(lambda: (m := row(app.state.db, message_id)).status
                        is MessageStatus.SENT and m)
    app.state.db.dispose()

    [mail] = mail_server.inbox.messages
    assert mail_server.inbox.recipients == [["huong@example.com"]]
    assert mail["To"] == "huong@example.com"
    assert mail["Subject"] == subject
    assert mail["From"].addresses[0].display_name == "Cà phê Hương"
    assert f"outbox.{message_id}" in mail["Message-ID"]
    assert mail.get_body(("plain",)).get_content().strip() == "Chào chị Hương, đây là thẻ của chị."
    assert 'src="cid:qr"' in mail.get_body(("html",)).get_content()
    [inline] = [part for part in mail.walk() if part.get("Content-ID")]
    assert inline["Content-ID"] == "<qr>"
    assert inline.get_content_type() == "image/png"
    assert inline.get_content_disposition() == "inline"
    assert inline.get_content() == image
    assert (sent.attempts, sent.last_error, sent.sent_at is not None) == (1, "", True)


def test_a_commit_wakes_the_sender_at_once(db, settings, mail_server, loop_thread):
    sender = OutboxSender(db, mail_server.settings_for(settings), poll_s=3600)
    loop_thread.run(sender.start())
    try:
        with db.session() as session:
            service.enqueue_email(session, to="an@example.com", subject="Xin chào", text="Chào")
        wait_for(lambda: mail_server.inbox.messages, timeout_s=5)
    finally:
        loop_thread.run(sender.stop())


def test_a_rolled_back_transaction_sends_nothing(db, settings, mail_server, loop_thread):
    sender = OutboxSender(db, mail_server.settings_for(settings), poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        with pytest.raises(RuntimeError), db.session() as session:
            service.enqueue_email(session, to="rolled@example.com", subject="Không", text="x")
            raise RuntimeError("the till's request failed")
        with db.session() as session:
            service.enqueue_email(session, to="kept@example.com", subject="Có", text="y")
        wait_for(lambda: mail_server.inbox.messages)
    finally:
        loop_thread.run(sender.stop())
    assert mail_server.inbox.recipients == [["kept@example.com"]]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_message_waits_while_the_server_is_down_and_goes_when_it_is_back(
        db, settings, down_mail_server, loop_thread):
    clock = Clock()
    sender = OutboxSender(db, down_mail_server.settings_for(settings), clock=clock, poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        with db.session() as session:
            message_id = service.enqueue_email(session, to="an@example.com", subject="Chào",
                                               text="x").id
        failed = wait_for(lambda: (m := row(db, message_id)).attempts == 1 and m)
        assert failed.status is MessageStatus.PENDING
        assert failed.last_error
        assert failed.next_attempt_at == clock.now + timedelta(seconds=10)

        down_mail_server.start()
        clock.advance(timedelta(seconds=9))
        sender.wake()
        with db.session() as session:  # a round at 9 s would find nothing due
            assert service.read_due(session, now=clock.now) == []
        clock.advance(timedelta(seconds=1))
        sender.wake()
        wait_for(lambda: row(db, message_id).status is MessageStatus.SENT)
    finally:
        loop_thread.run(sender.stop())
    assert len(down_mail_server.inbox.messages) == 1
    assert row(db, message_id).attempts == 2


def test_a_refused_recipient_fails_at_once(db, settings, mail_server, loop_thread):
    mail_server.inbox.refuse.add("nobody@example.com")
    sender = OutboxSender(db, mail_server.settings_for(settings), poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        with db.session() as session:
            refused = service.enqueue_email(session, to="nobody@example.com", subject="a",
                                            text="x").id
            service.enqueue_email(session, to="somebody@example.com", subject="b", text="y")
        wait_for(lambda: row(db, refused).status is MessageStatus.FAILED)
        wait_for(lambda: mail_server.inbox.messages)
    finally:
        loop_thread.run(sender.stop())
    assert "550" in row(db, refused).last_error
    assert mail_server.inbox.recipients == [["somebody@example.com"]]


def test_two_senders_deliver_each_message_once(db, settings, mail_server, loop_thread):
    mail_settings = mail_server.settings_for(settings)
    other_db = Database(settings.resolved_database_url)
    senders = [OutboxSender(db, mail_settings, poll_s=0.05, batch=5),
               OutboxSender(other_db, mail_settings, poll_s=0.05, batch=5)]
    for sender in senders:
        loop_thread.run(sender.start())
    try:
        with db.session() as session:
            ids = [service.enqueue_email(session, to=f"guest{n}@example.com", subject="Chào",
                                         text="x").id for n in range(40)]
        wait_for(lambda: len(mail_server.inbox.messages) >= 40)
    finally:
        for sender in senders:
            loop_thread.run(sender.stop())
        other_db.dispose()
    received = sorted(int(re.search(r"outbox\.(\d+)@", mail["Message-ID"]).group(1))
                      for mail in mail_server.inbox.messages)
    assert received == sorted(ids)


def test_without_smtp_nothing_is_sent_and_mail_waits(settings, mail_server):
    app = create_app(settings)  # mail_server runs, but nothing points at it
    with TestClient(app):
        assert not app.state.outbox.running
        with app.state.db.session() as session:
            message_id = service.enqueue_email(session, to="an@example.com", subject="Chào",
                                               text="x").id
        message = row(app.state.db, message_id)
    app.state.db.dispose()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)
    assert mail_server.inbox.messages == []
