"""Phone messages through the signed webhook, to a real local HTTP gateway that checks each
request with the README's code: delivered once, retried after a 5xx or a timeout, never
sent again after a process died mid-send, refused when wrongly signed."""

import inspect
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from examples.webhook_receiver import TOLERANCE_S, Handler, Refused, verify
from kiosk_server.core.db import Database, id_of
from kiosk_server.main import create_app
from kiosk_server.messaging import service
from kiosk_server.messaging.channels.webhook import signature
from kiosk_server.messaging.models import (
    Channel,
    DeliveryState,
    MessageStatus,
    OutboxMessage,
    Purpose,
)
from kiosk_server.messaging.sender import OutboxSender
from tests.conftest import TEST_SECRET, free_port
from tests.messaging.conftest import WEBHOOK_SECRET, Clock, wait_for

ROOT = Path(__file__).resolve().parents[2]


def queue_sms(db: Database, text: str = "Chào chị Hương, thẻ của chị đã sẵn sàng.") -> int:
    with db.session() as session:
        return id_of(service.enqueue_phone_message(session, to="+84903123456", text=text,
                                                   purpose=Purpose.SERVICE))


def row(db: Database, message_id: int) -> OutboxMessage:
    with db.session() as session:
        return session.get_one(OutboxMessage, message_id)


def test_a_phone_message_reaches_the_gateway_once_signed(db, settings, gateway, loop_thread):
    sender = OutboxSender(db, gateway.settings_for(settings), poll_s=3600)
    loop_thread.run(sender.start())
    try:
        message_id = queue_sms(db)
        wait_for(lambda: row(db, message_id).status is MessageStatus.SENT)
    finally:
        loop_thread.run(sender.stop())
    assert gateway.arrivals == [message_id] and gateway.refused == []
    [message] = gateway.messages
    assert {key: message[key] for key in ("id", "channel", "purpose", "to", "text")} == {
        "id": message_id, "channel": "sms", "purpose": "service", "to": "+84903123456",
        "text": "Chào chị Hương, thẻ của chị đã sẵn sàng."}
    assert row(db, message_id).attempts == 1


def test_a_5xx_is_tried_again_after_10_s_and_delivered_once(db, settings, gateway,
                                                              loop_thread):
    gateway.plan = ["503"]
    clock = Clock()
    sender = OutboxSender(db, gateway.settings_for(settings), clock=clock, poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        message_id = queue_sms(db)
        failed = wait_for(lambda: (m := row(db, message_id)).attempts == 1 and m)
        assert failed.status is MessageStatus.PENDING and "503" in failed.last_error
        assert failed.next_attempt_at == clock.now + timedelta(seconds=10)
        clock.advance(timedelta(seconds=10))
        sender.wake()
        wait_for(lambda: row(db, message_id).status is MessageStatus.SENT)
    finally:
        loop_thread.run(sender.stop())
    assert gateway.arrivals == [message_id, message_id]
    assert gateway.delivered == [message_id]
    assert row(db, message_id).attempts == 2


def test_a_timed_out_request_is_tried_again_with_the_same_id(db, settings, gateway,
                                                               loop_thread):
    gateway.plan, gateway.sleep_s = ["sleep"], 1.5
    clock = Clock()
    sender = OutboxSender(db, gateway.settings_for(settings, timeout_s=0.3), clock=clock,
                          poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        message_id = queue_sms(db)
        failed = wait_for(lambda: (m := row(db, message_id)).attempts == 1 and m)
        assert failed.status is MessageStatus.PENDING and "Timeout" in failed.last_error
        clock.advance(timedelta(seconds=10))
        sender.wake()
        wait_for(lambda: row(db, message_id).status is MessageStatus.SENT)
    finally:
        loop_thread.run(sender.stop())
    # The first request did arrive (its answer came too late): the gateway sees the id
    # twice and, as the README tells it to, sends the message once.
    wait_for(lambda: len(gateway.delivered) == 2)
    assert gateway.arrivals == [message_id, message_id]


def test_a_wrong_secret_is_refused_by_the_gateway_and_not_tried_again(db, settings, gateway,
                                                                       loop_thread):
    wrong = gateway.settings_for(settings).model_copy(
        update={"webhook_secret": SecretStr("another-secret-" + "z" * 40)})
    sender = OutboxSender(db, wrong, poll_s=0.05)
    loop_thread.run(sender.start())
    try:
        message_id = queue_sms(db)
        wait_for(lambda: row(db, message_id).status is MessageStatus.FAILED)
    finally:
        loop_thread.run(sender.stop())
    assert gateway.refused == ["bad signature"] and gateway.arrivals == []
    assert "401" in row(db, message_id).last_error


_DIE_MID_SEND = """
import asyncio
from kiosk_server.core.config import Settings
from examples.webhook_receiver import TOLERANCE_S, Handler, Refused, verify
from kiosk_server.core.db import Database
from kiosk_server.messaging.sender import OutboxSender
settings = Settings(_env_file=None)
asyncio.run(OutboxSender(Database(settings.resolved_database_url), settings).run_once())
"""


def test_a_process_that_dies_mid_send_leaves_the_message_unknown_never_resent(
        db, settings, gateway, loop_thread, tmp_path):
    gateway.plan = ["hold"]  # the gateway has the request and has not answered yet
    message_id = queue_sms(db)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_DATA_DIR": str(tmp_path),
                   "KIOSK_DATABASE_URL": settings.resolved_database_url,
                   "KIOSK_SECRET_KEY": TEST_SECRET, "KIOSK_WEBHOOK_URL": gateway.url,
                   "KIOSK_WEBHOOK_SECRET": WEBHOOK_SECRET}
    process = subprocess.Popen([sys.executable, "-c", _DIE_MID_SEND], env=environment,
                               cwd=ROOT)
    try:
        assert gateway.arrived.wait(30)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    gateway.release.set()
    assert row(db, message_id).status is MessageStatus.SENDING

    sender = OutboxSender(db, gateway.settings_for(settings), poll_s=0.05)
    assert loop_thread.run(sender.run_once()) == 0  # another process does not send it again
    later = row(db, message_id).claimed_at + service.UNKNOWN_AFTER + timedelta(seconds=1)
    with db.session() as session:
        [item], _ = service.list_messages(session, now=later)
    assert (item.id, item.channel, item.state) == (message_id, Channel.SMS,
                                                    DeliveryState.UNKNOWN)
    assert gateway.arrivals == [message_id]


def test_each_channel_waits_until_this_server_delivers_it(db, settings, gateway, loop_thread):
    with db.session() as session:
        mail_id = service.enqueue_email(session, to="an@example.com", subject="Chào",
                                        text="x").id
    sms_id = queue_sms(db)
    sender = OutboxSender(db, gateway.settings_for(settings))  # no mail server set up
    assert loop_thread.run(sender.run_once()) == 1
    assert row(db, sms_id).status is MessageStatus.SENT
    assert (row(db, mail_id).status, row(db, mail_id).attempts) == (MessageStatus.PENDING, 0)


def test_a_webhook_url_without_a_long_secret_stops_the_start(settings):
    with pytest.raises(ValueError, match="KIOSK_WEBHOOK_SECRET"):
        create_app(settings.model_copy(update={"webhook_url": "http://127.0.0.1:9/x",
                                               "webhook_secret": SecretStr("short")}))


def _signed(body: bytes, timestamp: int) -> dict[str, str]:
    return {"X-Kiosk-Timestamp": str(timestamp),
            "X-Kiosk-Signature": signature(WEBHOOK_SECRET.encode(), str(timestamp), body)}


def test_the_readme_receiver_accepts_a_signed_request_and_refuses_the_rest():
    body = b'{"id":7,"text":"Ch\xc3\xa0o"}'
    now = 1_796_000_000
    assert verify(WEBHOOK_SECRET.encode(), _signed(body, now), body, now=now + 60)["id"] == 7
    refusals = {
        "tampered body": (_signed(body, now), body.replace(b"7", b"8"), now),
        "replayed later": (_signed(body, now), body, now + TOLERANCE_S + 1),
        "from the future": (_signed(body, now + TOLERANCE_S + 1), body, now),
        "no timestamp": ({"X-Kiosk-Signature": _signed(body, now)["X-Kiosk-Signature"]},
                         body, now),
        "other secret": ({**_signed(body, now), "X-Kiosk-Signature": signature(
            b"x" * 40, str(now), body)}, body, now),
    }
    for name, (headers, sent, at) in refusals.items():
        with pytest.raises(Refused):
            verify(WEBHOOK_SECRET.encode(), headers, sent, now=at)
            pytest.fail(name)


def test_the_readme_shows_the_receiver_code_the_tests_run():
    readme = (ROOT / "README.md").read_text()
    assert inspect.getsource(verify) in readme
    assert inspect.getsource(Handler.do_POST) in readme


def test_a_gateway_that_is_down_costs_one_attempt_and_the_rest_wait(db, settings, loop_thread):
    down = settings.model_copy(update={
        "webhook_url": f"http://127.0.0.1:{free_port()}/kiosk",
        "webhook_secret": SecretStr(WEBHOOK_SECRET)})
    first, second = queue_sms(db), queue_sms(db)
    sender = OutboxSender(db, down)
    assert loop_thread.run(sender.run_once()) == 2
    tried, untried = row(db, first), row(db, second)
    assert (tried.status, tried.attempts) == (MessageStatus.PENDING, 1)
    assert "ConnectError" in tried.last_error
    assert (untried.status, untried.attempts) == (MessageStatus.PENDING, 0)
