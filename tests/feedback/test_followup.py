"""The follow-up: a while after a visit, one message asking how it was, with the visit's
feedback link, only to a channel the customer agreed to; never twice for one visit."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlmodel import col

from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer
from kiosk_server.feedback.followup import FollowupWorker, run_pass
from kiosk_server.feedback.models import FeedbackRequest, FollowupOutcome
from kiosk_server.main import create_app
from kiosk_server.messaging.models import OutboxMessage, Purpose
from kiosk_server.staff.models import Role
from tests.conftest import make_staff, seed_seminar
from tests.messaging.conftest import (  # noqa: F401 (fixtures)
    LoopThread,
    loop_thread,
    mail_server,
    wait_for,
)

SETTINGS = {"followup_enabled": True, "followup_delay_minutes": 0, "thanks_enabled": False,
            "thanks_kind": "percent", "thanks_value": 10, "thanks_valid_days": 30}
_numbers = iter(range(100_000))


def turn_on(client, admin, **changes) -> dict:
    answer = client.put("/api/v1/feedback-settings", headers=admin.headers,
                        json={**SETTINGS, **changes})
    assert answer.status_code == 200, answer.text
    return answer.json()


def customer(client, admin, **fields) -> int:
    n = next(_numbers)
    body = {"full_name": f"Trần Thị Ngọc Ánh {n}", "phone": f"0913{n:06d}", **fields}
    created = client.post("/api/v1/customers", headers=admin.headers, json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def sale(client, headers, customer_id: int) -> str:
    """A sale to the customer: the feedback token on its receipt."""
    answer = client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers,
                         json={"amount_vnd": 120_000, "request_id": uuid.uuid4().hex})
    assert answer.status_code == 201, answer.text
    return answer.json()["feedback"]["code"]


def follow_up(app, minutes_later: float = 0):
    return run_pass(app.state.db, settings=app.state.settings, signer=app.state.signer,
                    now=utcnow() + timedelta(minutes=minutes_later))


def outbox(db) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def outcomes(db) -> dict[int, FollowupOutcome | None]:
    with db.session() as session:
        return {row.customer_id: row.followup for row in session.scalars(select(FeedbackRequest))}


def test_one_message_per_visit_with_the_link_that_opens_the_page(client, admin, app, db):
    turn_on(client, admin)
    anh = customer(client, admin, email="anh@example.com", consent_email=True)
    token = sale(client, admin.headers, anh)
    report = follow_up(app)
    assert (report.sent, report.skipped) == (1, 0)
    [message] = outbox(db)
    assert message.to_address == "anh@example.com" and message.purpose is Purpose.MARKETING
    assert message.body_text.startswith("Cảm ơn anh/chị đã ghé Kiosk.")
    assert "Thank you for visiting Kiosk." in message.body_text
    [link] = {word for word in message.body_text.split() if "/F/" in word.upper()}  # vi, en
    assert link.upper().endswith(f"/F/{token.upper()}")
    page = client.get("/" + link.split("/", 3)[3])  # the link's path, on this server
    assert page.status_code == 200 and "Góp ý" in page.text
    assert outcomes(db) == {anh: FollowupOutcome.SENT}
    assert follow_up(app).sent == 0 and follow_up(app, 30).sent == 0  # once per visit
    assert len(outbox(db)) == 1


def test_without_consent_or_an_address_nothing_is_sent_and_it_is_not_tried_again(
        client, admin, app, db):
    turn_on(client, admin)
    silent = customer(client, admin, email="silent@example.com")  # no consent
    nowhere = customer(client, admin, consent_email=True)  # agreed, but no e-mail address
    for someone in (silent, nowhere):
        sale(client, admin.headers, someone)
    assert (follow_up(app).sent, outbox(db)) == (0, [])
    assert outcomes(db) == {silent: FollowupOutcome.NO_CONSENT,
                            nowhere: FollowupOutcome.NO_ADDRESS}
    client.patch(f"/api/v1/customers/{silent}", headers=admin.headers,
                 json={"consent_email": True})
    assert follow_up(app).sent == 0  # settled once: not asked again later


def test_a_customer_erased_before_the_message_is_due_is_never_asked(client, admin, app, db):
    turn_on(client, admin)
    gone = customer(client, admin, email="gone@example.com", consent_email=True)
    sale(client, admin.headers, gone)
    erased = client.post(f"/api/v1/customers/{gone}/erase", headers=admin.headers,
                         json={"confirm": True})
    assert erased.status_code == 200, erased.text
    assert follow_up(app).sent == 0
    assert outcomes(db) == {gone: FollowupOutcome.ERASED}
    assert outbox(db) == []


def test_an_address_the_channel_refuses_stops_nobody_elses_message(client, admin, app, db):
    turn_on(client, admin)
    odd = customer(client, admin, consent_sms=True)
    with db.session() as session:  # a number stored before phones were checked, say
        session.execute(update(Customer).where(col(Customer.id) == odd).values(phone="12345"))
    anh = customer(client, admin, email="anh@example.com", consent_email=True)
    for someone in (odd, anh):
        sale(client, admin.headers, someone)
    report = follow_up(app)
    assert (report.sent, report.skipped) == (1, 1)
    assert [m.to_address for m in outbox(db)] == ["anh@example.com"]
    assert outcomes(db) == {odd: FollowupOutcome.NO_ADDRESS, anh: FollowupOutcome.SENT}


def test_nothing_before_the_delay_and_nothing_while_off(client, admin, app, db):
    anh = customer(client, admin, email="anh@example.com", consent_email=True)
    sale(client, admin.headers, anh)  # while off (the default)
    assert follow_up(app).sent == 0
    turn_on(client, admin, followup_delay_minutes=120)
    sale(client, admin.headers, anh)
    assert follow_up(app, 119).sent == 0  # not yet due
    assert follow_up(app, 121).sent == 1  # the visit made while off is never messaged
    assert len(outbox(db)) == 1
    turn_on(client, admin, followup_enabled=False, followup_delay_minutes=120)
    sale(client, admin.headers, anh)
    assert follow_up(app, 200).sent == 0 and len(outbox(db)) == 1


def test_an_answer_before_the_message_is_due_means_no_message(client, admin, app, db):
    turn_on(client, admin, followup_delay_minutes=60)
    anh = customer(client, admin, email="anh@example.com", consent_email=True)
    token = sale(client, admin.headers, anh)
    assert client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 5}).status_code == 200
    assert follow_up(app, 61).sent == 0 and outbox(db) == []
    assert outcomes(db) == {anh: FollowupOutcome.ANSWERED}


def test_an_events_check_in_gets_its_feedback_link_by_phone_message(client, admin, app, db,
                                                                     seminar):
    turn_on(client, admin)
    guest = seminar.customer_ids[0]
    assert client.patch(f"/api/v1/customers/{guest}", headers=admin.headers,
                        json={"consent_sms": True}).status_code == 200
    checked = client.post("/api/v1/checkins", headers=admin.headers, json={
        "code": seminar.codes[0], "event_id": seminar.event_id, "gate": "A",
        "scan_id": uuid.uuid4().hex})
    assert checked.json()["status"] == "ok", checked.text
    assert outcomes(db) == {}  # the gate issues no link: the follow-up does
    assert follow_up(app).sent == 1
    [message] = outbox(db)
    assert message.channel.value == "sms" and message.to_address.startswith("+84")
    with db.session() as session:
        [request] = session.scalars(select(FeedbackRequest)).all()
    page = client.get(f"/api/v1/feedback/{_token_in(message.body_text)}")
    assert page.status_code == 200 and page.json()["visit_kind"] == "event"
    assert request.followup is FollowupOutcome.SENT and request.followup_message_id == message.id


def test_a_guest_who_comes_back_in_is_asked_once_about_the_event(client, admin, app, db):
    turn_on(client, admin)
    event = seed_seminar(client, admin.headers, guests=1, allow_reentry=True)
    [guest] = event.customer_ids
    client.patch(f"/api/v1/customers/{guest}", headers=admin.headers, json={"consent_sms": True})
    for _ in range(2):  # in, out for a call, in again
        entered = client.post("/api/v1/checkins", headers=admin.headers, json={
            "code": event.codes[0], "event_id": event.event_id, "gate": "A",
            "scan_id": uuid.uuid4().hex})
        assert entered.json()["status"] == "ok", entered.text
    assert follow_up(app).sent == 1 and len(outbox(db)) == 1
    with db.session() as session:
        settled = [row.followup for row in session.scalars(
            select(FeedbackRequest).order_by(col(FeedbackRequest.visit_id)))]
    assert settled == [FollowupOutcome.SENT, FollowupOutcome.REENTRY]


def _token_in(text: str) -> str:
    return next(word for word in text.split() if "/F/" in word.upper()).rsplit("/", 1)[-1]


def test_passes_at_the_same_moment_send_one_message_per_visit(client, admin, app, db):
    turn_on(client, admin)
    clerk = make_staff(db, "thu", Role.STAFF)
    people = [customer(client, admin, email=f"k{n}@example.com", consent_email=True)
              for n in range(6)]
    for someone in people:
        sale(client, clerk.headers, someone)
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: follow_up(app), range(4)))
    assert sum(report.sent for report in reports) == 6
    assert sorted(m.to_address for m in outbox(db)) == sorted(
        f"k{n}@example.com" for n in range(6))


def test_the_message_arrives_by_mail(settings, mail_server):  # noqa: F811
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"business_name": "Cà phê Hương"}))
    admin = make_staff(app.state.db, "admin", Role.ADMIN)
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:
        turn_on(client, admin)
        anh = customer(client, admin, email="anh@example.com", consent_email=True)
        token = sale(client, admin.headers, anh)
        assert follow_up(app).sent == 1
        [mail] = wait_for(lambda: mail_server.inbox.messages)
    app.state.db.dispose()
    assert mail["To"] == "anh@example.com"
    assert mail["Subject"].startswith("Cảm ơn anh/chị đã ghé Cà phê Hương")
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Cảm ơn anh/chị đã ghé Cà phê Hương.")
    assert _token_in(text).upper() == token.upper()


def test_the_servers_worker_runs_passes_by_itself(client, admin, app, db,
                                                 loop_thread: LoopThread):  # noqa: F811
    assert isinstance(app.state.followup, FollowupWorker)  # started by the app's lifespan
    turn_on(client, admin)
    sale(client, admin.headers, customer(client, admin, email="a@example.com",
                                         consent_email=True))
    worker = FollowupWorker(db, app.state.settings, app.state.signer, poll_s=0.05)
    loop_thread.run(worker.start())
    try:
        wait_for(lambda: outbox(db))
    finally:
        loop_thread.run(worker.stop())
    assert worker.passes >= 1 and len(outbox(db)) == 1
