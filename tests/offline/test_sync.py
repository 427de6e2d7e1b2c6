"""A kiosk's sync: the check-ins and undos it missed, its own state recorded for the
monitor (on the server's clock), and the monitor told when that state changes."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from websockets.sync.client import connect

from kiosk_server.core.types import utcnow
from kiosk_server.offline.models import KioskState
from tests.conftest import seed_seminar
from tests.offline.conftest import by_lookup, device, kiosk_copy, moment, upload

ONLINE = {"offline_since": None, "queued": 0, "oldest_queued_at": None, "last_upload_at": None}


def _sync(client, headers, after: int, state: dict | None = None, sent_at=None) -> dict:
    body = {"after": after, "sent_at": (sent_at or utcnow()).isoformat(),
            "state": state or ONLINE}
    answer = client.post("/api/v1/kiosk/sync", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _kiosks(client, admin, event_id) -> list[dict]:
    answer = client.get(f"/api/v1/events/{event_id}/kiosks", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _scan(client, headers, event_id, code, **extra) -> dict:
    return client.post("/api/v1/checkins", headers=headers,
                       json={"code": code, "event_id": event_id, **extra}).json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_check_ins_and_undos_after_the_copy_come_with_the_sync(client, admin):
    event = seed_seminar(client, admin.headers, guests=2)
    gate = device(client, admin, event.event_id)
    _scan(client, admin.headers, event.event_id, event.codes[0], gate="X")
    copy = kiosk_copy(client, gate)
    assert copy["last_seq"] == 1
    nothing = _sync(client, gate, after=copy["last_seq"])
    assert (nothing["changes"], nothing["last_seq"], nothing["more"]) == ([], 1, False)
    ok = _scan(client, admin.headers, event.event_id, event.codes[1], gate="Y")
    _scan(client, admin.headers, event.event_id, "not a code", gate="Y")
    _scan(client, admin.headers, event.event_id, event.codes[1], gate="Z")  # already
    synced = _sync(client, gate, after=copy["last_seq"])
    assert synced["last_seq"] == 4 and synced["more"] is False
    [change] = synced["changes"]
    assert change["seq"] == 2 and change["ref"] == ok["invitation_id"] and change["gate"] == "Y"
    assert moment(change["checked_in_at"]) == moment(ok["checked_in_at"])
    undone = client.post(
        f"/api/v1/events/{event.event_id}/guests/{event.customer_ids[1]}/checkin/undo",
        headers=admin.headers)
    assert undone.status_code == 200, undone.text
    [change] = _sync(client, gate, after=4)["changes"]
    assert change == {"seq": 5, "ref": ok["invitation_id"], "checked_in_at": None,
                      "gate": None}
    assert _sync(client, gate, after=5) ["changes"] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_long_way_behind_the_changes_come_a_page_at_a_time(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    for n in range(500):
        _scan(client, admin.headers, event.event_id, f"nonsense {n}")
    ok = _scan(client, admin.headers, event.event_id, event.codes[0])
    first = _sync(client, gate, after=0)
    assert (first["changes"], first["last_seq"], first["more"]) == ([], 500, True)
    second = _sync(client, gate, after=first["last_seq"])
    assert second["more"] is False and second["last_seq"] == 501
    assert [c["ref"] for c in second["changes"]] == [ok["invitation_id"]]


def test_the_kiosks_states_on_the_servers_clock(client, admin, db):
    event = seed_seminar(client, admin.headers, guests=1)
    online = device(client, admin, event.event_id, gate="A", name="Máy A")
    offline = device(client, admin, event.event_id, gate="B", name="Máy B")
    device(client, admin, event.event_id, gate="C", name="Máy C")  # never synced
    gone = device(client, admin, event.event_id, gate="D", name="Máy D")
    other = seed_seminar(client, admin.headers, guests=0)
    device(client, admin, other.event_id, gate="A", name="Máy khác")
    devices = {d["name"]: d["id"] for d in client.get("/api/v1/devices",
                                                        headers=admin.headers).json()}
    client.delete(f"/api/v1/devices/{devices['Máy D']}", headers=admin.headers)
    assert gone  # revoked: not listed
    _sync(client, online, after=0)
    kiosk_now = utcnow() + timedelta(minutes=2)  # its clock runs two minutes fast
    answer = _sync(client, offline, after=0, sent_at=kiosk_now, state={
        "offline_since": (kiosk_now - timedelta(minutes=1)).isoformat(), "queued": 7,
        "oldest_queued_at": (kiosk_now - timedelta(seconds=50)).isoformat(),
        "last_upload_at": None})
    server_time = moment(answer["server_time"])
    lines = {line["name"]: line for line in _kiosks(client, admin, event.event_id)}
    assert list(lines) == ["Máy A", "Máy B", "Máy C"]
    assert lines["Máy A"]["state"] == "online" and lines["Máy A"]["since"] is None
    b = lines["Máy B"]
    assert (b["state"], b["gate"], b["queued"]) == ("offline", "B", 7)
    assert moment(b["since"]) == server_time - timedelta(minutes=1)
    assert moment(b["oldest_queued_at"]) == server_time - timedelta(seconds=50)
    assert moment(b["last_seen_at"]) == server_time
    c = lines["Máy C"]
    assert (c["state"], c["since"], c["last_seen_at"], c["queued"]) == ("never", None, None, 0)
    # Silent for a quarter of a minute: offline since it was last seen.
    with db.session() as session:
        session.execute(update(KioskState).where(KioskState.device_id == devices["Máy A"])
                        .values(last_seen_at=utcnow() - timedelta(seconds=15)))
    a = {line["name"]: line for line in _kiosks(client, admin, event.event_id)}["Máy A"]
    assert a["state"] == "offline" and a["since"] == a["last_seen_at"]


def test_a_sync_that_says_nothing_new_writes_nothing_until_the_kiosk_is_due_to_be_seen(
        client, admin, db):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    _sync(client, gate, after=0)
    [seen] = _kiosks(client, admin, event.event_id)
    _sync(client, gate, after=0)
    assert _kiosks(client, admin, event.event_id) == [seen]
    with db.session() as session:
        session.execute(update(KioskState).values(
            last_seen_at=moment(seen["last_seen_at"]) - timedelta(seconds=6)))
    answer = _sync(client, gate, after=0)
    [again] = _kiosks(client, admin, event.event_id)
    assert moment(again["last_seen_at"]) == moment(answer["server_time"])
    queued = _sync(client, gate, after=0, state={**ONLINE, "queued": 2})
    [now] = _kiosks(client, admin, event.event_id)
    assert now["queued"] == 2 and moment(now["last_seen_at"]) == moment(queued["server_time"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_kiosk_devices_sync_and_only_staff_read_the_kiosks(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    body = {"after": 0, "sent_at": utcnow().isoformat(), "state": ONLINE}
    refused = client.post("/api/v1/kiosk/sync", headers=admin.headers, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_kiosk"
    assert client.post("/api/v1/kiosk/sync", json=body).status_code == 401
    assert client.get(f"/api/v1/events/{event.event_id}/kiosks",
                      headers=gate).status_code == 403
    assert client.get("/api/v1/events/999/kiosks", headers=admin.headers).status_code == 404
    for bad in ({**body, "after": -1}, {**body, "state": {**ONLINE, "queued": -1}},
                {**body, "sent_at": "2026-01-01T00:00:00"}, {"after": 0, "state": ONLINE}):
        assert client.post("/api/v1/kiosk/sync", headers=gate, json=bad).status_code == 422


def _receive(socket) -> dict:
    return json.loads(socket.recv(timeout=10))


def test_the_monitor_is_told_when_a_kiosks_state_changes(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=1)
    gate = device(http, admin, event.event_id, gate="B", name="Máy B")
    copy = kiosk_copy(http, gate)
    url = (live_server.replace("http://", "ws://")
           + f"/api/v1/events/{event.event_id}/live?after=0&alerts=true")
    with connect(url, additional_headers=admin.headers) as monitor:
        _sync(http, gate, after=0)
        came = _receive(monitor)
        assert (came["type"], came["state"], came["name"], came["gate"]) == (
            "kiosk", "online", "Máy B", "B")
        assert came["event_id"] == event.event_id and "seq" not in came
        _sync(http, gate, after=0)  # nothing new: nothing said
        went = utcnow()
        _sync(http, gate, after=0, state={**ONLINE, "offline_since": went.isoformat(),
                                          "queued": 1, "oldest_queued_at": went.isoformat()})
        away = _receive(monitor)
        assert (away["state"], away["queued"]) == ("offline", 1)
        assert moment(away["since"]) - went < timedelta(seconds=5)
        upload(http, gate, [by_lookup(copy, event.codes[0], went)], sent_at=utcnow())
        scanned, uploaded = _receive(monitor), _receive(monitor)
        assert scanned["type"] == "scan" and scanned["offline"] is True
        assert uploaded["type"] == "kiosk" and uploaded["last_upload_at"] is not None
        _sync(http, gate, after=1)
        back = _receive(monitor)
        assert (back["state"], back["since"], back["queued"]) == ("online", None, 0)
        with pytest.raises(TimeoutError):
            monitor.recv(timeout=0.5)
