"""The live feed: a real server, a real websocket client, exactly once and in order."""

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import seed_seminar


def _ws_url(live_server: str, event_id: int, after: int = 0) -> str:
    return live_server.replace("http://", "ws://") + f"/api/v1/events/{event_id}/live?after={after}"


def _scan(http, headers, event_id, code, **extra):
    answer = http.post("/api/v1/checkins", headers=headers,
                       json={"code": code, "event_id": event_id, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _receive(socket, count):
    return [json.loads(socket.recv(timeout=10)) for _ in range(count)]


def test_a_monitor_sees_each_scan_with_the_guest_name(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=3)
    with connect(_ws_url(live_server, event.event_id),
                 additional_headers=admin.headers) as monitor:
        first = _scan(http, admin.headers, event.event_id, event.codes[0], gate="Cổng A")
        _scan(http, admin.headers, event.event_id, "not a code", gate="Cổng B")
        ok, invalid = _receive(monitor, 2)
    assert (ok["seq"], ok["status"], ok["gate"]) == (1, "ok", "Cổng A")
    assert ok["result"]["customer"]["name"] == first["customer"]["name"]
    assert ok["result"]["customer"]["visit_count"] == 1
    assert (invalid["seq"], invalid["status"]) == (2, "invalid")


def test_a_monitor_that_reconnects_gets_what_it_missed_once_in_order(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=5)
    url = _ws_url(live_server, event.event_id)
    with connect(url, additional_headers=admin.headers) as monitor:
        _scan(http, admin.headers, event.event_id, event.codes[0])
        [seen] = _receive(monitor, 1)
    # While it is away: three scans, one of them a retry of the same scan id.
    _scan(http, admin.headers, event.event_id, event.codes[1], scan_id="retry-1")
    _scan(http, admin.headers, event.event_id, event.codes[1], scan_id="retry-1")
    _scan(http, admin.headers, event.event_id, event.codes[0])
    with connect(_ws_url(live_server, event.event_id, after=seen["seq"]),
                 additional_headers=admin.headers) as monitor:
        missed = _receive(monitor, 2)
        _scan(http, admin.headers, event.event_id, event.codes[2])
        [new] = _receive(monitor, 1)
        with pytest.raises(TimeoutError):
            monitor.recv(timeout=0.5)  # nothing doubled
    assert [m["seq"] for m in missed + [new]] == [2, 3, 4]
    assert [m["status"] for m in missed + [new]] == ["ok", "already_checked_in", "ok"]


def test_each_update_names_its_event_and_the_kiosk_that_scanned(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=2)
    kiosk = http.post(f"/api/v1/events/{event.event_id}/devices", headers=admin.headers,
                      json={"name": "Kiosk cổng A", "gate": "A"})
    assert kiosk.status_code == 201, kiosk.text
    device = {"Authorization": f"Bearer {kiosk.json()['token']}"}
    with connect(_ws_url(live_server, event.event_id),
                 additional_headers=admin.headers) as monitor:
        _scan(http, device, event.event_id, event.codes[0])
        _scan(http, admin.headers, event.event_id, event.codes[1])
        live = _receive(monitor, 2)
    with connect(_ws_url(live_server, event.event_id),
                 additional_headers=admin.headers) as monitor:
        missed = _receive(monitor, 2)  # the same updates, read back from the scan log
    for by_kiosk, by_staff in (live, missed):
        assert (by_kiosk["event_id"], by_kiosk["device_id"], by_kiosk["staff_id"]) == (
            event.event_id, kiosk.json()["id"], None)
        assert (by_staff["event_id"], by_staff["device_id"], by_staff["staff_id"]) == (
            event.event_id, None, admin.staff_id)


def test_only_staff_may_listen(http, live_server, admin, seminar, db):
    from kiosk_server.checkin import service as checkin

    with db.session() as session:
        _, device_token = checkin.register_device(session, event_id=seminar.event_id,
                                                  name="Kiosk 1", gate="A", created_by=None)
    url = _ws_url(live_server, seminar.event_id)
    for headers in ({}, {"Authorization": "Bearer nope"},
                    {"Authorization": f"Bearer {device_token}"}):
        with connect(url, additional_headers=headers) as socket, \
                pytest.raises(Exception) as closed:
            socket.recv(timeout=5)
        assert getattr(closed.value, "rcvd", None) is not None
        assert closed.value.rcvd.code == 4401
    with connect(_ws_url(live_server, 999_999), additional_headers=admin.headers) as socket, \
            pytest.raises(Exception) as closed:
        socket.recv(timeout=5)
    assert closed.value.rcvd.code == 4404


def test_a_bad_event_id_is_refused(live_server, admin):
    url = _ws_url(live_server, 1).replace("/events/1/", "/events/x/")
    with pytest.raises(InvalidStatus):
        connect(url, additional_headers=admin.headers)
