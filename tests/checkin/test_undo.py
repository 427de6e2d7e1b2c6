"""Undoing a check-in made by mistake: the guest counts as not arrived again, their history
loses the visit, the scan log keeps the scan marked undone, the audit log says who, and the
event's feed carries the undo as a numbered update."""

import json

import pytest
from websockets.sync.client import connect

from tests.checkin.test_live import _receive, _ws_url
from tests.conftest import seed_seminar


def _undo(client, headers, event_id, customer_id):
    return client.post(f"/api/v1/events/{event_id}/guests/{customer_id}/checkin/undo",
                       headers=headers)


def _check_in(client, headers, event_id, **body):
    answer = client.post("/api/v1/checkins", headers=headers, json={"event_id": event_id, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _arrived(client, headers, event_id):
    page = client.get(f"/api/v1/events/{event_id}/guests", headers=headers,
                      params={"arrived": "true"}).json()
    return [guest["customer_id"] for guest in page["items"]]


def test_staff_undo_a_check_in_made_by_hand_by_mistake(client, admin, clerk, seminar):
    event_id, guest = seminar.event_id, seminar.customer_ids[0]
    _check_in(client, admin.headers, event_id, code=seminar.codes[1], gate="A")
    made = _check_in(client, admin.headers, event_id, customer_id=guest, gate="A")
    assert made["status"] == "ok"

    answer = _undo(client, clerk.headers, event_id, guest)
    assert answer.status_code == 200, answer.text
    undone = answer.json()
    assert (undone["customer_id"], undone["entry_number"], undone["gate"]) == (guest, 1, "A")
    assert undone["still_arrived"] is False and undone["seq"] == 3
    stats = client.get(f"/api/v1/events/{event_id}/stats", headers=admin.headers).json()
    assert (stats["checked_in"], stats["not_arrived"], stats["last_seq"]) == (1, 2, 3)
    assert guest not in _arrived(client, admin.headers, event_id)
    customer = client.get(f"/api/v1/customers/{guest}", headers=admin.headers).json()
    assert (customer["visit_count"], customer["last_visit_at"]) == (0, None)
    assert client.get(f"/api/v1/customers/{guest}/visits", headers=admin.headers).json() == []

    log = client.get(f"/api/v1/events/{event_id}/scans", headers=admin.headers).json()
    assert [(s["customer_id"], s["status"], s["undone_by"] is not None) for s in log] == [
        (guest, "ok", True), (seminar.customer_ids[1], "ok", False)]
    assert log[0]["undone_by"] == clerk.staff_id and log[0]["id"] == undone["scan_id"]
    [entry] = [e for e in client.get("/api/v1/audit", headers=admin.headers).json()["items"]
               if e["action"] == "checkin.undo"]
    assert (entry["staff_id"], entry["target_type"], entry["target_id"]) == (
        clerk.staff_id, "customers", guest)
    assert entry["details"]["scan_id"] == undone["scan_id"]
    assert entry["target_label"].startswith("Nguyễn Thị Hương")

    again = _undo(client, admin.headers, event_id, guest)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_checked_in")
    back = _check_in(client, admin.headers, event_id, code=seminar.codes[0], gate="B")
    assert (back["status"], back["entry_number"]) == ("ok", 1)  # they may arrive for real
    assert back["customer"]["visit_count"] == 1
    assert sorted(_arrived(client, admin.headers, event_id)) == sorted(seminar.customer_ids[:2])


def test_a_kiosk_may_not_undo_and_nobody_undoes_what_is_not_there(client, admin, seminar):
    device = client.post(f"/api/v1/events/{seminar.event_id}/devices", headers=admin.headers,
                         json={"name": "Kiosk A", "gate": "A"}).json()["token"]
    kiosk = {"Authorization": f"Bearer {device}"}
    guest = seminar.customer_ids[0]
    _check_in(client, kiosk, seminar.event_id, code=seminar.codes[0])
    refused = _undo(client, kiosk, seminar.event_id, guest)
    assert refused.status_code == 403
    assert _undo(client, {}, seminar.event_id, guest).status_code == 401
    assert _arrived(client, admin.headers, seminar.event_id) == [guest]
    assert _undo(client, admin.headers, 999_999, guest).status_code == 404
    assert _undo(client, admin.headers, seminar.event_id, 999_999).status_code == 404
    stranger = client.post("/api/v1/customers", headers=admin.headers,
                           json={"full_name": "Trần Văn Lạ"}).json()["id"]
    assert _undo(client, admin.headers, seminar.event_id, stranger).status_code == 409
    assert _undo(client, admin.headers, seminar.event_id, "x").status_code == 422


def test_undoing_a_re_entry_leaves_the_guest_arrived(client, admin):
    event = seed_seminar(client, admin.headers, guests=2, allow_reentry=True)
    guest = event.customer_ids[0]
    for _ in range(2):
        _check_in(client, admin.headers, event.event_id, code=event.codes[0])
    undone = _undo(client, admin.headers, event.event_id, guest).json()
    assert (undone["entry_number"], undone["still_arrived"]) == (2, True)
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert (stats["checked_in"], stats["entries"]) == (1, 1)
    again = _check_in(client, admin.headers, event.event_id, code=event.codes[0])
    assert again["entry_number"] == 2


def test_the_undo_reaches_monitors_live_and_on_reconnecting(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=2)
    guest = event.customer_ids[0]
    visits_url = live_server.replace("http://", "ws://") + f"/api/v1/customers/{guest}/live"
    with connect(_ws_url(live_server, event.event_id), additional_headers=admin.headers
                 ) as monitor, connect(visits_url, additional_headers=admin.headers) as history:
        assert json.loads(history.recv(timeout=10)) == {"type": "ready"}
        _check_in(http, admin.headers, event.event_id, code=event.codes[0], gate="Cổng A")
        visit = json.loads(history.recv(timeout=10))
        assert _undo(http, admin.headers, event.event_id, guest).status_code == 200
        live = _receive(monitor, 2)
        removed = json.loads(history.recv(timeout=10))
    assert removed == {"type": "visit_removed", "visit_id": visit["visit"]["id"],
                       "visit_count": 0}
    scan, undo = live
    assert (scan["type"], scan["seq"], undo["type"], undo["seq"]) == ("scan", 1, "undo", 2)
    assert (undo["status"], undo["scan_seq"], undo["still_arrived"]) == ("undone", 1, False)
    assert undo["result"]["customer"]["id"] == guest and undo["gate"] == "Cổng A"
    assert undo["staff_id"] == admin.staff_id
    _check_in(http, admin.headers, event.event_id, code="forged")
    with connect(_ws_url(live_server, event.event_id, after=1),
                 additional_headers=admin.headers) as monitor:
        replayed = _receive(monitor, 2)
        with pytest.raises(TimeoutError):
            monitor.recv(timeout=0.5)
    assert replayed[0] == undo
    assert [(u["type"], u["seq"]) for u in replayed] == [("undo", 2), ("scan", 3)]
