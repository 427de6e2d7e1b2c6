"""The offline kiosk's endpoints against a real server: a staff credential does not read
the guest list's copy, a kiosk's copy and uploads stay within its own event, a made-up
lookup lets nobody in, and the upload's limits hold."""

import secrets

from kiosk_server.core.types import utcnow
from tests.conftest import seed_seminar
from tests.offline.conftest import by_code, by_lookup, device, kiosk_copy, scan_log, upload


def _arrived(http, admin, event_id) -> list[int]:
    guests = http.get(f"/api/v1/events/{event_id}/guests", headers=admin.headers).json()
    return [g["customer_id"] for g in guests["items"] if g["checked_in_at"]]


def test_staff_credentials_do_not_read_the_copy(http, victim, admin, event, live_server):
    by_token = http.get("/api/v1/kiosk/copy", headers=admin.headers)
    assert by_token.status_code == 403 and by_token.json()["error"]["code"] == "not_a_kiosk"
    by_cookie = victim.get("/api/v1/kiosk/copy", headers={"Origin": live_server})
    assert by_cookie.status_code == 403 and "entries" not in by_cookie.text
    assert http.get("/api/v1/kiosk/copy").status_code == 401


def test_a_kiosk_cannot_check_in_another_events_guest(http, admin, event):
    other = seed_seminar(http, admin.headers, guests=1)
    gate = device(http, admin, event.event_id)
    copy = kiosk_copy(http, gate)
    now = utcnow()
    # The other event's invitation, as the kiosk's copy knows it (wrong_event, unnamed)...
    [known] = upload(http, gate, [by_lookup(copy, other.codes[0], now, shown="ok")],
                     sent_at=now)
    assert known["result"]["status"] == "wrong_event" and known["result"]["customer"] is None
    # ...and its code, shown whole.
    [shown] = upload(http, gate, [by_code(other.codes[0], now, shown="ok")], sent_at=now)
    assert shown["result"]["status"] == "wrong_event" and shown["result"]["customer"] is None
    assert _arrived(http, admin, other.event_id) == []
    assert _arrived(http, admin, event.event_id) == []
    # The other event's kiosk's lookup (another event's salt) stands for nothing here.
    theirs = kiosk_copy(http, device(http, admin, other.event_id))
    [foreign] = upload(http, gate, [by_lookup(theirs, other.codes[0], now)], sent_at=now)
    assert foreign["result"]["status"] == "invalid"


def test_made_up_lookups_let_nobody_in(http, admin, event):
    gate = device(http, admin, event.event_id)
    copy = kiosk_copy(http, gate)
    now = utcnow()
    refs = sorted({entry["ref"] for entry in copy["entries"]})
    guesses = [{**by_lookup(copy, event.codes[0], now), "ref": ref,
                "lookup": secrets.token_urlsafe(16)} for ref in refs for _ in range(20)]
    results = upload(http, gate, guesses, sent_at=now)
    assert {r["result"]["status"] for r in results} == {"invalid"}
    assert all(r["result"]["customer"] is None for r in results)
    # A guest's real lookup with another guest's ref is no better.
    swapped = [{**by_lookup(copy, event.codes[0], now), "ref": ref}
               for ref in refs if ref != by_lookup(copy, event.codes[0], now)["ref"]]
    assert {r["result"]["status"] for r in upload(http, gate, swapped, sent_at=now)} == {
        "invalid"}
    assert _arrived(http, admin, event.event_id) == []


def test_the_uploads_limits_hold(http, admin, event):
    gate = device(http, admin, event.event_id)
    now = utcnow()
    one = by_code("not a code", now)
    many = http.post("/api/v1/kiosk/uploads", headers=gate,
                     json={"sent_at": now.isoformat(), "scans": [one] * 101})
    assert many.status_code == 422
    huge = [by_code("x" * 512, now) for _ in range(100)] * 6
    too_big = http.post("/api/v1/kiosk/uploads", headers=gate,
                        json={"sent_at": now.isoformat(), "scans": huge})
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "body_too_large"
    longest = http.post("/api/v1/kiosk/uploads", headers=gate, json={
        "sent_at": now.isoformat(), "scans": [by_code("x" * 513, now)]})
    assert longest.status_code == 422
    assert scan_log(http, admin, event.event_id) == []
