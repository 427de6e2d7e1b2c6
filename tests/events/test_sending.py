"""Sending an event's invitations: a real SMTP server (aiosmtpd) and a real HTTP gateway
receive them; each QR in them, decoded, checks its guest in through the check-in API."""

import io
import re
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from kiosk_server.audit.service import AuditLog
from kiosk_server.core.config import Settings
from kiosk_server.events import sending
from kiosk_server.events.models import InvitationSend, InvitationSendCreate, SendTo
from kiosk_server.main import create_app
from kiosk_server.messaging.models import OutboxMessage
from kiosk_server.staff.models import Role
from tests.badges.helpers import decode
from tests.conftest import Caller, make_staff, open_event_body
from tests.messaging.conftest import (  # noqa: F401 (fixtures)
    Gateway,
    MailServer,
    gateway,
    mail_server,
    wait_for,
)

NAME = "Ra mắt sản phẩm Xuân"
LINK = re.compile(r"HTTPS://KIOSK\.EXAMPLE/I/(\S+)")


@pytest.fixture
def mailing(settings: Settings, mail_server: MailServer) -> Iterator[FastAPI]:  # noqa: F811
    app = create_app(mail_server.settings_for(settings).model_copy(
        update={"public_url": "https://kiosk.example", "business_name": "Cà phê Hương"}))
    yield app
    app.state.db.dispose()


def _event(client: httpx.Client, staff: Caller, people: list[dict]) -> tuple[int, list[dict]]:
    """An open event and its invited guests (each a customer made from `people`)."""
    event = client.post("/api/v1/events", headers=staff.headers,
                        json=open_event_body(name=NAME, venue="Đà Nẵng"))
    assert event.status_code == 201, event.text
    ids = []
    for person in people:
        made = client.post("/api/v1/customers", headers=staff.headers, json=person)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    invited = client.post(f"/api/v1/events/{event.json()['id']}/invitations",
                          headers=staff.headers, json={"customer_ids": ids})
    assert invited.status_code == 201, invited.text
    return event.json()["id"], invited.json()


def _send(client: httpx.Client, staff: Caller, event_id: int, **body: object):
    return client.post(f"/api/v1/events/{event_id}/invitation-sends", headers=staff.headers,
                       json=body)


def _progress(client: httpx.Client, staff: Caller, event_id: int) -> dict:
    answer = client.get(f"/api/v1/events/{event_id}/invitation-sends/progress",
                        headers=staff.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _finished(client: httpx.Client, staff: Caller, event_id: int, **counts: int) -> dict:
    """The progress, once the latest send is finished and (unless `queued` is given) the
    outbox has done its part."""
    counts = {"queued": 0} | counts

    def done() -> dict | None:
        now = _progress(client, staff, event_id)
        ready = now["latest"]["finished_at"]
        return now if ready and all(now[k] == v for k, v in counts.items()) else None
    return wait_for(done)  # type: ignore[return-value]


def _qr_of(mail) -> str:
    [image] = [part for part in mail.walk() if part.get("Content-ID") == "<invitation-qr>"]
    [text] = decode(Image.open(io.BytesIO(image.get_content())))
    return text


def test_each_guest_is_mailed_once_and_each_qr_checks_them_in(mailing, mail_server):  # noqa: F811
    clerk = make_staff(mailing.state.db, "clerk", Role.STAFF)
    people = [{"full_name": f"Nguyễn Thị Hương {n}", "phone": f"09030000{n:02d}",
               "email": f"huong{n}@example.com"} for n in range(3)]
    people.append({"full_name": "Trần Văn Không Địa Chỉ"})  # no e-mail, no phone
    people.append({"full_name": "Lê Thị Hủy", "email": "huy@example.com"})
    with TestClient(mailing, headers={"Origin": "http://testserver"}) as client:
        event_id, invitations = _event(client, clerk, people)
        cancelled = invitations[4]
        assert client.delete(f"/api/v1/events/{event_id}/invitations/{cancelled['id']}",
                             headers=clerk.headers).status_code == 200
        before = _progress(client, clerk, event_id)
        assert (before["guests"], before["not_sent"], before["unreachable"]) == (4, 3, 1)
        assert [g["name"] for g in before["unreachable_guests"]] == ["Trần Văn Không Địa Chỉ"]

        started = _send(client, clerk, event_id, key="first-click")
        assert started.status_code == 202, started.text
        retried = _send(client, clerk, event_id, key="first-click")
        assert retried.json()["id"] == started.json()["id"]
        now = _finished(client, clerk, event_id, sent=3)
        assert (now["not_sent"], now["unreachable"], now["failed"]) == (0, 1, 0)
        assert now["latest"]["queued"] == 3 and now["latest"]["unreachable"] == 1
        mails = wait_for(lambda: len(mail_server.inbox.messages) == 3
                         and list(mail_server.inbox.messages))

        # Not yet sent: nobody is left, so nothing goes out.
        nothing = _send(client, clerk, event_id)
        assert nothing.status_code == 202 and nothing.json()["id"] != started.json()["id"]
        assert _finished(client, clerk, event_id)["latest"]["queued"] == 0
        # All, without saying "again": refused with how many already have it.
        refused = _send(client, clerk, event_id, to="all")
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "again_not_confirmed"
        assert "3" in refused.json()["error"]["message"]
        again = _send(client, clerk, event_id, to="all", again=True, key="again-1")
        assert again.status_code == 202
        assert _finished(client, clerk, event_id, sent=3)["latest"]["queued"] == 3
        wait_for(lambda: len(mail_server.inbox.messages) == 6)

        kiosk = client.post(f"/api/v1/events/{event_id}/devices", headers=clerk.headers,
                            json={"name": "Cổng A", "gate": "A"}).json()["token"]
        arrived = []
        for mail in mails:
            assert mail["Subject"] == f"Thư mời: {NAME} / Invitation: {NAME}"
            text = mail.get_body(("plain",)).get_content()
            html = mail.get_body(("html",)).get_content()
            assert 'src="cid:invitation-qr"' in html
            code = _qr_of(mail)
            assert LINK.search(text).group(1) == code and f"/I/{code}" in html
            scan = client.post("/api/v1/checkins", headers={"Authorization": f"Bearer {kiosk}"},
                               json={"code": code, "event_id": event_id, "gate": "A",
                                     "scan_id": uuid.uuid4().hex})
            assert scan.json()["status"] == "ok", scan.text
            arrived.append((mail["To"], scan.json()["customer"]["name"]))
            page = client.get(f"/I/{code}")
            assert page.status_code == 200 and scan.json()["customer"]["name"] in page.text
            assert NAME in page.text and "Đà Nẵng" in page.text
            qr = client.get(f"/i/{code}/qr.png")
            assert decode(Image.open(io.BytesIO(qr.content))) == [code]
        assert sorted(arrived) == sorted((p["email"], p["full_name"]) for p in people[:3])
        assert sorted(r[0] for r in mail_server.inbox.recipients) == sorted(
            [p["email"] for p in people[:3]] * 2)  # nobody else, the cancelled guest neither

        guests = client.get(f"/api/v1/events/{event_id}/guests", headers=clerk.headers).json()
        sent_of = {g["name"]: g["invitation_delivery"] for g in guests["items"]}
        assert sent_of["Trần Văn Không Địa Chỉ"] is None
        assert {sent_of[p["full_name"]] for p in people[:3]} == {"sent"}
        entries = client.get("/api/v1/audit", params={"kind": "event"},
                             headers=make_staff(mailing.state.db, "boss", Role.ADMIN).headers)
        sends = [e for e in entries.json()["items"] if e["action"] == "event.send_invitations"]
        assert len(sends) == 3  # the first click's retry is not a send of its own
        assert sends[0]["details"] == {"to": "all", "again": True, "key": "again-1"}


def test_the_phone_page_refuses_forged_and_cancelled_links(client, admin, seminar):
    forged = client.get("/i/1I.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA")
    assert forged.status_code == 404 and "không còn hiệu lực" in forged.text
    assert client.get("/i/nothing/qr.png").status_code == 404
    page = client.get(f"/i/{seminar.codes[0]}")
    assert page.status_code == 200 and "Nguyễn Thị Hương 0" in page.text
    assert page.headers["cache-control"] == "no-store"
    invitation_id = client.get(f"/api/v1/events/{seminar.event_id}/invitations",
                               headers=admin.headers).json()["items"][0]["id"]
    client.delete(f"/api/v1/events/{seminar.event_id}/invitations/{invitation_id}",
                  headers=admin.headers)
    assert client.get(f"/i/{seminar.codes[0]}").status_code == 404
    assert client.get(f"/i/{seminar.codes[0]}/qr.png").status_code == 404


def test_two_sends_at_once_and_two_workers_on_one_send_queue_each_guest_once(served, admin,
                                                                            monkeypatch):
    # Small batches and transactions, so that these 12 guests take several of each.
    monkeypatch.setattr(sending, "BATCH", 8)
    monkeypatch.setattr(sending, "WRITE_CHUNK", 3)
    with httpx.Client(base_url=served.url, timeout=30) as http:
        people = [{"full_name": f"Phạm Văn Song {n}", "email": f"song{n}@example.com"}
                  for n in range(12)]
        event_id, _ = _event(http, admin, people)
        answers: list[int] = []
        barrier = threading.Barrier(4)

        def click(n: int) -> None:
            barrier.wait()
            answers.append(_send(http, admin, event_id, key=f"k{n}").status_code)

        threads = [threading.Thread(target=click, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(answers) == {202}
        # No mail server here: the messages wait in the outbox, one per guest.
        now = _finished(http, admin, event_id, queued=12)
        assert now["not_sent"] == 0 and now["sent"] == 0

    database = served.app.state.db
    settings = served.app.state.settings
    signer = served.app.state.signer
    # Two processes working the same send (one thought the other had died) claim each
    # guest's round once between them.
    with database.session() as session:
        run = sending.start_send(session, event_id=event_id, data=InvitationSendCreate(
            to=SendTo.ALL, again=True), log=AuditLog(session, admin.staff_id, "admin"),
            work=lambda _run_id: None)
        run_id = run.id
    assert run_id is not None
    barrier2 = threading.Barrier(2)

    def work() -> None:
        barrier2.wait()
        while sending.send_next_batch(database, run_id, settings, signer):
            pass

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with database.session() as session:
        per_round = dict(session.execute(select(InvitationSend.round, func.count())
                                         .group_by(InvitationSend.round)).all())
        messages = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert per_round == {1: 12, run.round: 12} and messages == 24


def test_a_guest_reached_by_phone_gets_the_link_by_webhook(settings, gateway):  # noqa: F811
    app = create_app(gateway.settings_for(settings).model_copy(
        update={"public_url": "https://kiosk.example"}))
    clerk = make_staff(app.state.db, "clerk", Role.STAFF)
    try:
        with TestClient(app, headers={"Origin": "http://testserver"}) as client:
            event_id, _ = _event(client, clerk, [
                {"full_name": "Võ Thị Điện Thoại", "phone": "0903 123 456",
                 "preferred_channel": "sms"}])
            assert _send(client, clerk, event_id).status_code == 202
            now = _finished(client, clerk, event_id, sent=1)
            assert now["unreachable"] == 0
            [message] = gateway.messages
            assert message["to"] == "+84903123456" and message["purpose"] == "service"
            code = LINK.search(message["text"]).group(1)
            assert "Võ Thị Điện Thoại" in message["text"]
            assert "Võ Thị Điện Thoại" in client.get(f"/I/{code}").text
    finally:
        app.state.db.dispose()


def test_a_send_stopped_half_way_is_carried_on_at_the_next_start(app, admin):
    seeding = TestClient(app, headers={"Origin": "http://testserver"})  # no start-up yet
    event_id, _ = _event(seeding, admin, [{"full_name": f"Hồ Thị Dở Dang {n}",
                                           "email": f"dodang{n}@example.com"} for n in range(3)])
    with app.state.db.session() as session:  # started, then the process stopped
        sending.start_send(session, event_id=event_id, data=InvitationSendCreate(),
                           log=AuditLog(session, admin.staff_id, "admin"),
                           work=lambda _run_id: None)
    assert _progress(seeding, admin, event_id)["latest"]["finished_at"] is None
    with TestClient(app, headers={"Origin": "http://testserver"}) as client:
        now = _finished(client, admin, event_id, queued=3)  # no mail server: they wait
        assert now["not_sent"] == 0 and now["latest"]["queued"] == 3


def test_a_message_that_failed_is_tried_again_by_the_next_send(mailing, mail_server):  # noqa: F811
    clerk = make_staff(mailing.state.db, "clerk", Role.STAFF)
    mail_server.inbox.refuse.add("sai@example.com")
    with TestClient(mailing, headers={"Origin": "http://testserver"}) as client:
        event_id, _ = _event(client, clerk, [
            {"full_name": "Bùi Thị Đúng", "email": "dung@example.com"},
            {"full_name": "Bùi Văn Sai", "email": "sai@example.com"}])
        _send(client, clerk, event_id)
        now = _finished(client, clerk, event_id, sent=1, failed=1)
        assert now["not_sent"] == 0
        # Sending to all without `again` asks only about the one who received it.
        refused = _send(client, clerk, event_id, to="all").json()["error"]
        assert refused["message"].startswith("1 khách đã nhận thư mời")
        _send(client, clerk, event_id)  # "not sent yet": the failed one, nobody else
        now = _finished(client, clerk, event_id, sent=1, failed=1)
        assert now["latest"]["queued"] == 1
    assert mail_server.inbox.recipients == [["dung@example.com"]]
    with mailing.state.db.session() as session:
        tried = session.scalars(select(OutboxMessage.to_address)).all()
    assert sorted(tried) == ["dung@example.com", "sai@example.com", "sai@example.com"]
