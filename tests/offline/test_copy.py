"""The kiosk's copy of its event: every code it may see, judged as the server would, and
no guest named in clear."""

import json

import pytest
from cryptography.exceptions import InvalidTag

from kiosk_server.staff import service as staff_service
from tests.conftest import seed_seminar
from tests.offline.conftest import device, entry_of, lookup, moment, open_box

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _copy(client, headers) -> dict:
    answer = client.get("/api/v1/kiosk/copy", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


def _customer(client, admin, cid) -> dict:
    return client.get(f"/api/v1/customers/{cid}", headers=admin.headers).json()


def test_an_entry_opens_only_with_its_own_code_and_names_nobody_in_clear(client, admin):
    event = seed_seminar(client, admin.headers, guests=3)
    copy = _copy(client, device(client, admin, event.event_id, gate="B"))
    assert copy["event"]["id"] == event.event_id and copy["event"]["gate"] == "B"
    assert copy["event"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert copy["event"]["allow_reentry"] is False and copy["last_seq"] == 0
    first = entry_of(copy, event.codes[0])
    assert first["status"] == "ok" and first["checked_in_at"] is None and first["gate"] is None
    assert open_box(first, event.codes[0], copy["salt"]) == {
        "name": "Nguyễn Thị Hương 0", "visit_count": 0, "vip": False}
    with pytest.raises(InvalidTag):  # another guest's code opens nothing
        open_box(first, event.codes[1], copy["salt"])
    text = json.dumps(copy, ensure_ascii=False)
    for cid in event.customer_ids:
        guest = _customer(client, admin, cid)
        assert guest["full_name"] not in text and guest["phone"] not in text
        assert guest["phone"][-6:] not in text
    for code in event.codes:  # nor a code a kiosk could show to pass for the guest
        assert code not in text and code.split(".")[2] not in text
    assert len(copy["entries"]) == 3


def test_the_messages_are_the_servers_own_sentences(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    messages = _copy(client, device(client, admin, event.event_id))["messages"]
    assert messages["vi"]["ok"] == "Xin chào {name}! Mời bạn vào."
    assert messages["en"]["already_checked_in"] == "{name} already checked in at {time}{at_gate}."
    assert messages["vi"]["at_gate"] == " tại cổng {gate}"
    assert messages["en"]["guest"] == "Guest" and messages["vi"]["guest"] == "Quý khách"
    assert messages["en"]["not_yet_open"] == "Check-in is not open yet. It opens at {time}."
    assert set(messages["vi"]) >= {"ok", "already_checked_in", "invalid", "revoked",
                                   "wrong_event", "not_yet_open", "closed"}
    # The server says the same, filled in.
    scan = client.post("/api/v1/checkins", headers={**admin.headers, "Accept-Language": "en"},
                       json={"code": event.codes[0], "event_id": event.event_id, "gate": "C"})
    again = client.post("/api/v1/checkins", headers={**admin.headers, "Accept-Language": "en"},
                        json={"code": event.codes[0], "event_id": event.event_id})
    assert scan.json()["message"] == "Welcome, Nguyễn Thị Hương 0! Please go in."
    assert again.json()["message"].endswith(" at gate C.")


def test_cards_cancelled_replaced_arrived_and_erased(client, admin):
    event = seed_seminar(client, admin.headers, guests=4)
    cid = event.customer_ids
    old_card = client.post(f"/api/v1/customers/{cid[0]}/card", headers=admin.headers).json()
    new_card = client.post(f"/api/v1/customers/{cid[0]}/card", headers=admin.headers).json()
    cancelled_card = client.post(f"/api/v1/customers/{cid[1]}/card",
                                 headers=admin.headers).json()
    invitations = {i["customer_id"]: i["id"] for i in client.get(
        f"/api/v1/events/{event.event_id}/invitations", headers=admin.headers).json()["items"]}
    assert client.delete(f"/api/v1/events/{event.event_id}/invitations/{invitations[cid[1]]}",
                         headers=admin.headers).status_code == 200
    arrived = client.post("/api/v1/checkins", headers=admin.headers, json={
        "code": event.codes[2], "event_id": event.event_id, "gate": "Cổng 1"}).json()
    assert client.post(f"/api/v1/customers/{cid[3]}/erase", headers=admin.headers,
                       json={"confirm": True}).status_code == 200
    copy = _copy(client, device(client, admin, event.event_id))
    salt = copy["salt"]

    current = entry_of(copy, new_card["code"])
    assert current["status"] == "ok" and current["ref"] == invitations[cid[0]]
    assert open_box(current, new_card["code"], salt)["name"] == "Nguyễn Thị Hương 0"
    replaced = entry_of(copy, old_card["code"])
    assert replaced["status"] == "revoked" and replaced["ref"] == invitations[cid[0]]
    assert entry_of(copy, event.codes[1])["status"] == "revoked"
    assert entry_of(copy, cancelled_card["code"])["status"] == "revoked"
    came = entry_of(copy, event.codes[2])
    assert came["status"] == "ok" and came["gate"] == "Cổng 1"
    assert moment(came["checked_in_at"]) == moment(arrived["checked_in_at"])
    # Their visits before this event's check-in: the kiosk shows one more when it admits.
    assert open_box(came, event.codes[2], salt)["visit_count"] == 0
    erased = entry_of(copy, event.codes[3])
    assert erased["status"] == "revoked" and erased["box"] is None
    assert len(copy["entries"]) == 4 + 3


def test_invitations_to_the_other_events_not_over_are_wrong_event(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    other = seed_seminar(client, admin.headers, guests=2)
    over = seed_seminar(client, admin.headers, guests=1,
                        starts_at="2024-01-01T09:00:00+00:00", ends_at="2024-01-01T12:00:00+00:00",
                        checkin_opens_at="2024-01-01T08:00:00+00:00",
                        checkin_closes_at="2024-01-01T12:00:00+00:00")
    copy = _copy(client, device(client, admin, event.event_id))
    wrong = entry_of(copy, other.codes[1])
    assert wrong["status"] == "wrong_event" and wrong["box"] is None
    assert wrong["checked_in_at"] is None
    invitations = client.get(f"/api/v1/events/{other.event_id}/invitations",
                             headers=admin.headers).json()["items"]
    assert wrong["ref"] == invitations[1]["id"]
    assert lookup(over.codes[0], copy["salt"]) not in {e["id"] for e in copy["entries"]}
    assert len(copy["entries"]) == 3
    # The other event's kiosk sees its own event, with a salt of its own.
    theirs = _copy(client, device(client, admin, other.event_id))
    assert theirs["event"]["id"] == other.event_id and theirs["salt"] != copy["salt"]
    assert entry_of(theirs, other.codes[1])["status"] == "ok"
    assert entry_of(theirs, event.codes[0])["status"] == "wrong_event"


def test_only_a_kiosk_device_gets_the_copy(client, admin, clerk):
    event = seed_seminar(client, admin.headers, guests=1)
    for headers in (admin.headers, clerk.headers):
        refused = client.get("/api/v1/kiosk/copy", headers={**headers, "Accept-Language": "en"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "not_a_kiosk"
        assert refused.json()["error"]["message"] == "Only a paired kiosk device may do this."
    assert client.get("/api/v1/kiosk/copy").status_code == 401
    assert client.get("/api/v1/kiosk/copy",
                      headers={"Authorization": "Bearer ksd_nope"}).status_code == 401
    headers = device(client, admin, event.event_id)
    devices = client.get("/api/v1/devices", headers=admin.headers).json()
    assert client.delete(f"/api/v1/devices/{devices[-1]['id']}",
                         headers=admin.headers).status_code == 200
    assert client.get("/api/v1/kiosk/copy", headers=headers).status_code == 401


def test_a_kiosk_device_of_no_event_is_told_so(client, admin, db):
    with db.session() as session:
        _, token = staff_service.create_device(session, name="Máy dự phòng", event_id=None,
                                               gate="", created_by=admin.staff_id)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    refused = client.get("/api/v1/kiosk/copy", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"] == {"code": "kiosk_without_event", "field": None,
                                       "message": "This kiosk device belongs to no event."}
