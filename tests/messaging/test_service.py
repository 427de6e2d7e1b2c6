"""The outbox rows: claiming, retry backoff, listing."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kiosk_server.core.db import Database, id_of
from kiosk_server.core.types import utcnow
from kiosk_server.messaging import service
from kiosk_server.messaging.models import DeliveryState, MessageStatus, OutboxMessage


def queue(db: Database, count: int = 1) -> list[int]:
    with db.session() as session:
        return [id_of(service.enqueue_email(session, to=f"guest{n}@example.com",
                                            subject="Xin chào", text="Chào bạn"))
                for n in range(count)]


def claim_due(session, *, limit: int = 50, now=None) -> list:
    """As a sender takes its messages: the due ones read, each then claimed (the ones
    another sender claimed in between are not this one's)."""
    now = now or utcnow()
    return [message for message in service.read_due(session, limit=limit, now=now)
            if service.claim(session, message_id=message.id, now=now)]


def row(db: Database, message_id: int) -> OutboxMessage:
    with db.session() as session:
        return session.get_one(OutboxMessage, message_id)


def test_two_claimers_never_take_the_same_message(db, settings) -> None:
    ids = set(queue(db, 120))
    other = Database(settings.resolved_database_url)  # a second process, as far as the DB sees
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def claim_all(database: Database, into: list[int]) -> None:
        start.wait()
        while True:
            with database.session() as session:
                batch = claim_due(session, limit=7)
            if not batch:
                return
            into.extend(message.id for message in batch)

    threads = [threading.Thread(target=claim_all, args=(database, into))
               for database, into in ((db, claimed[0]), (other, claimed[1]))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.dispose()
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)
    assert all(row(db, message_id).status is MessageStatus.SENDING for message_id in ids)


def test_a_claim_takes_at_most_its_limit_oldest_first(db):
    ids = queue(db, 5)
    with db.session() as session:
        first = claim_due(session, limit=2, now=utcnow() + timedelta(seconds=1))
    assert [message.id for message in first] == ids[:2]
    assert [row(db, message_id).status for message_id in ids] == [MessageStatus.SENDING] * 2 \
        + [MessageStatus.PENDING] * 3


def test_a_failing_message_is_retried_after_growing_delays_then_given_up(db):
    [message_id] = queue(db)
    now = utcnow() + timedelta(seconds=1)
    waits = []
    for _ in range(5):
        with db.session() as session:
            assert [m.id for m in claim_due(session, now=now)] == [message_id]
            service.mark_failed(session, message_id=message_id, error="421 try later", now=now)
        message = row(db, message_id)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert waits[:4] == [timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5),
                         timedelta(minutes=30)]
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.FAILED, 5, "421 try later")
    with db.session() as session:
        assert claim_due(session, now=now + timedelta(days=1)) == []


def test_a_message_is_not_claimed_before_its_retry_time(db):
    [message_id] = queue(db)
    now = utcnow() + timedelta(seconds=1)
    with db.session() as session:
        claim_due(session, now=now)
        service.mark_failed(session, message_id=message_id, error="down", now=now)
    with db.session() as session:
        assert claim_due(session, now=now + timedelta(seconds=9)) == []
        assert len(claim_due(session, now=now + timedelta(seconds=10))) == 1


def test_a_late_answer_does_not_overwrite_a_sent_message(db):
    [message_id] = queue(db)
    with db.session() as session:
        claim_due(session, now=utcnow() + timedelta(seconds=1))
        service.mark_sent(session, message_id=message_id)
        service.mark_failed(session, message_id=message_id, error="late")
    assert (row(db, message_id).status, row(db, message_id).attempts) == (MessageStatus.SENT, 1)


def test_a_message_claimed_long_ago_and_never_marked_is_listed_as_unknown(db):
    stuck, fresh, waiting = queue(db, 3)
    now = utcnow() + timedelta(seconds=1)
    with db.session() as session:
        claim_due(session, limit=2, now=now)
        session.execute(update(OutboxMessage).where(OutboxMessage.id == stuck)
                        .values(claimed_at=now - timedelta(hours=1)))
    with db.session() as session:
        items, _ = service.list_messages(session)
        only_unknown, _ = service.list_messages(session, state=DeliveryState.UNKNOWN)
        only_sending, _ = service.list_messages(session, state=DeliveryState.SENDING)
    assert {item.id: item.state for item in items} == {
        waiting: DeliveryState.PENDING, fresh: DeliveryState.SENDING,
        stuck: DeliveryState.UNKNOWN}
    assert [item.id for item in only_unknown] == [stuck]
    assert [item.id for item in only_sending] == [fresh]


@pytest.mark.parametrize("arguments", [
    {"to": "a@example.com\r\nBcc: x@example.com"},
    {"to": "not-an-address"},
    {"subject": "two\nlines"},
    {"images": {"qr": b"\x89PNG\r\n\x1a\n"}},  # images without HTML
    {"html": "<p>x</p>", "images": {"bad cid": b"\x89PNG\r\n\x1a\n"}},
    {"html": "<p>x</p>", "images": {"qr": b"not an image"}},
])
def test_bad_arguments_are_refused(db, arguments):
    values = {"to": "a@example.com", "subject": "s", "text": "t", **arguments}
    with db.session() as session, pytest.raises(ValueError):
        service.enqueue_email(session, **values)
    with db.session() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
