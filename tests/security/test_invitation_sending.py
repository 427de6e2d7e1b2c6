"""Sending an event's invitations: who may start a send or read where it stands, and what
another site or a guessed link gets."""

from sqlalchemy import func, select

from kiosk_server.messaging.models import OutboxMessage
from tests.conftest import seed_seminar
from tests.security.conftest import EVIL
from tests.security.test_kiosk_reads import _device


def _messages(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_only_staff_start_a_send_or_read_its_progress(http, admin, event, db):
    other = seed_seminar(http, admin.headers, guests=1)
    own_kiosk = _device(http, admin, event.event_id)
    other_kiosk = _device(http, admin, other.event_id)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, own_kiosk, other_kiosk):
        started = http.post(f"/api/v1/events/{event.event_id}/invitation-sends",
                            headers=headers, json={})
        assert started.status_code in (401, 403), started.text
        progress = http.get(f"/api/v1/events/{event.event_id}/invitation-sends/progress",
                            headers=headers)
        assert progress.status_code in (401, 403), progress.text
        assert "guests" not in progress.text
    assert _messages(db) == 0
    assert http.post("/api/v1/events/999999/invitation-sends", headers=admin.headers,
                     json={}).status_code == 404


def test_a_send_from_another_site_sends_nothing(victim, http, admin, event, db):
    path = f"/api/v1/events/{event.event_id}/invitation-sends"
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.post(path, json={"to": "all", "again": True}, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    assert _messages(db) == 0
    progress = http.get(f"{path}/progress", headers=admin.headers).json()
    assert progress["latest"] is None and progress["queued"] == 0


def test_a_phone_page_shows_only_its_own_guest(http, admin, event):
    code = event.codes[1]
    page = http.get(f"/i/{code}")
    assert page.status_code == 200
    assert "Nguyễn Thị Hương 1" in page.text and "Nguyễn Thị Hương 0" not in page.text
    # A changed letter, another kind of token, a bare serial: each the same friendly 404.
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for wrong in (forged, "1C" + code[2:], code.split(".")[1], "x" * 600, "1I.%2E%2E"):
        answer = http.get(f"/i/{wrong}")
        assert answer.status_code == 404 and "Nguyễn" not in answer.text
        assert http.get(f"/i/{wrong}/qr.png").status_code == 404
