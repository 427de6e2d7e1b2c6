"""Pairing a kiosk: a short code from staff, typed once into the kiosk, gives it a device token."""

from datetime import timedelta

from sqlalchemy import update

from kiosk_server.core.types import utcnow
from kiosk_server.staff.models import DevicePairing


def _pairing(client, headers, event_id, gate="Cổng A"):
    answer = client.post(f"/api/v1/events/{event_id}/pairings", headers=headers,
                         json={"gate": gate})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_paired_kiosk_checks_in_for_its_event_only(client, clerk, seminar):
    pairing = _pairing(client, clerk.headers, seminar.event_id)
    assert len(pairing["code"]) == 9 and pairing["code"][4] == "-"
    typed = pairing["code"].lower().replace("-", " ")  # as a person might type it
    device = client.post("/api/v1/devices/pair", json={"code": typed, "name": "Máy 1"})
    assert device.status_code == 201, device.text
    body = device.json()
    assert (body["event_id"], body["gate"], body["name"]) == (seminar.event_id, "Cổng A", "Máy 1")
    headers = {"Authorization": f"Bearer {body['token']}"}
    ok = client.post("/api/v1/checkins", headers=headers,
                     json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert ok.json()["status"] == "ok" and ok.json()["gate"] == "Cổng A"
    other = client.post("/api/v1/events", headers=clerk.headers, json={
        "name": "Khác", "starts_at": "2026-12-01T09:00:00+07:00",
        "ends_at": "2026-12-01T12:00:00+07:00"}).json()
    elsewhere = client.post("/api/v1/checkins", headers=headers,
                            json={"code": seminar.codes[1], "event_id": other["id"]})
    assert elsewhere.status_code == 403
    assert client.get("/api/v1/customers", headers=headers).status_code == 403


def test_a_code_works_once(client, clerk, seminar):
    code = _pairing(client, clerk.headers, seminar.event_id)["code"]
    assert client.post("/api/v1/devices/pair", json={"code": code}).status_code == 201
    again = client.post("/api/v1/devices/pair", json={"code": code})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "pairing_code_invalid"
    devices = client.get("/api/v1/devices", headers=clerk.headers,
                         params={"event_id": seminar.event_id}).json()
    assert len(devices) == 1


def test_expired_or_wrong_codes_are_refused(client, clerk, seminar, db):
    code = _pairing(client, clerk.headers, seminar.event_id)["code"]
    with db.session() as session:
        session.execute(update(DevicePairing).values(expires_at=utcnow() - timedelta(seconds=1)))
    for typed in (code, "ABCD-EFGH", "x"):
        refused = client.post("/api/v1/devices/pair", json={"code": typed})
        assert refused.status_code == 400, typed
    assert client.get("/api/v1/devices", headers=clerk.headers).json() == []


def test_only_staff_make_codes_for_events_that_exist(client, clerk, seminar):
    anonymous = client.post(f"/api/v1/events/{seminar.event_id}/pairings", json={})
    assert anonymous.status_code == 401
    missing = client.post("/api/v1/events/999999/pairings", headers=clerk.headers, json={})
    assert missing.status_code == 404
