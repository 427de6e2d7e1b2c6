"""A kiosk tablet is lost or stolen: what its device token can read."""

from datetime import timedelta

from sqlalchemy import update

from kiosk_server.checkin.models import Checkin
from kiosk_server.core.types import utcnow
from tests.conftest import seed_seminar


def _device(http, admin, event_id: int, gate: str = "A") -> dict[str, str]:
    made = http.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                     json={"name": f"Cổng {gate}", "gate": gate})
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def _badge(http, admin, headers, event, guest: int):
    """The badge of the event's `guest`-th guest, asked with `headers`."""
    invitation = http.get(f"/api/v1/events/{event.event_id}/guests",
                          headers=admin.headers).json()["items"][guest]["invitation_id"]
    return http.get(f"/api/v1/events/{event.event_id}/invitations/{invitation}/badge.png",
                    headers=headers)


def test_a_kiosk_prints_only_the_badge_of_a_guest_it_just_admitted(http, admin, event, db):
    gate_a, gate_b = _device(http, admin, event.event_id), _device(http, admin, event.event_id, "B")
    # Before the guest arrives: no badge, whatever the id (the guest list is not for kiosks).
    for guest in range(3):
        refused = _badge(http, admin, gate_a, event, guest)
        assert refused.status_code == 403, refused.text
    admitted = http.post("/api/v1/checkins", headers=gate_a,
                         json={"code": event.codes[0], "event_id": event.event_id})
    assert admitted.json()["status"] == "ok"
    printed = _badge(http, admin, gate_a, event, 0)
    assert printed.status_code == 200 and printed.headers["content-type"] == "image/png"
    assert _badge(http, admin, gate_b, event, 0).status_code == 403  # not admitted there
    assert _badge(http, admin, gate_a, event, 1).status_code == 403  # nor the next guest
    assert _badge(http, admin, admin.headers, event, 1).status_code == 200  # staff may
    with db.session() as session:  # a quarter of an hour later
        session.execute(update(Checkin).values(checked_in_at=utcnow() - timedelta(minutes=15)))
    assert _badge(http, admin, gate_a, event, 0).status_code == 403


def test_a_kiosk_is_not_told_whose_invitation_to_another_event_it_scanned(http, admin, event):
    other = seed_seminar(http, admin.headers, guests=1)
    guest = http.get(f"/api/v1/customers/{other.customer_ids[0]}", headers=admin.headers).json()
    answer = http.post("/api/v1/checkins", headers=_device(http, admin, event.event_id),
                       json={"code": other.codes[0], "event_id": event.event_id})
    assert answer.json()["status"] == "wrong_event"
    assert answer.json()["customer"] is None
    assert guest["full_name"] not in answer.text
    # Staff at the monitor still see whose invitation it was.
    by_staff = http.post("/api/v1/checkins", headers=admin.headers,
                         json={"code": other.codes[0], "event_id": event.event_id})
    assert by_staff.json()["customer"]["name"] == guest["full_name"]
