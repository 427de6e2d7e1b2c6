"""Real concurrency against a real uvicorn server: gates racing on one code."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import seed_seminar


def _device(client, admin, event_id, gate):
    response = client.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                           json={"name": f"Kiosk {gate}", "gate": gate})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _race(live_server, attempts):
    """Send every (headers, body) pair at the same instant; return the JSON answers."""
    barrier = threading.Barrier(len(attempts))

    def send(attempt):
        headers, body = attempt
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            response = http.post("/api/v1/checkins", headers=headers, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(send, attempts))


def test_two_gates_scanning_one_invitation_admit_it_once(client, admin, live_server):
    event = seed_seminar(client, admin.headers, guests=10)
    gates = [_device(client, admin, event.event_id, gate) for gate in ("A", "B")]
    for code in event.codes:
        body = {"code": code, "event_id": event.event_id}
        answers = _race(live_server, [(gates[0], body), (gates[1], body)])
        assert sorted(a["status"] for a in answers) == ["already_checked_in", "ok"]
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 10 and stats["entries"] == 10


def test_concurrent_reentries_lose_no_count(client, admin, live_server):
    event = seed_seminar(client, admin.headers, guests=1, allow_reentry=True)
    body = {"code": event.codes[0], "event_id": event.event_id}
    answers = _race(live_server, [(admin.headers, body)] * 8)
    assert [a["status"] for a in answers] == ["ok"] * 8
    assert sorted(a["entry_number"] for a in answers) == list(range(1, 9))
    customer = client.get(f"/api/v1/customers/{event.customer_ids[0]}", headers=admin.headers)
    assert customer.json()["visit_count"] == 8


def test_one_scan_id_sent_concurrently_is_recorded_once(client, admin, live_server):
    event = seed_seminar(client, admin.headers, guests=1)
    body = {"code": event.codes[0], "event_id": event.event_id, "scan_id": "same-scan"}
    answers = _race(live_server, [(admin.headers, body)] * 6)
    assert all(a == answers[0] for a in answers) and answers[0]["status"] == "ok"
    log = client.get(f"/api/v1/events/{event.event_id}/scans", headers=admin.headers).json()
    assert len(log) == 1


def test_one_guest_entering_many_events_at_once_loses_no_visit(client, admin, live_server):
    events = [seed_seminar(client, admin.headers, guests=0) for _ in range(6)]
    guest = client.post("/api/v1/customers", headers=admin.headers,
                        json={"full_name": "Lê Thị Bích Ngọc"}).json()
    attempts = []
    for event in events:
        invited = client.post(f"/api/v1/events/{event.event_id}/invitations",
                              headers=admin.headers, json={"customer_ids": [guest["id"]]})
        attempts.append((admin.headers, {"code": invited.json()[0]["code"],
                                         "event_id": event.event_id}))
    answers = _race(live_server, attempts)
    assert [a["status"] for a in answers] == ["ok"] * 6
    assert sorted(a["customer"]["visit_count"] for a in answers) == [1, 2, 3, 4, 5, 6]
    customer = client.get(f"/api/v1/customers/{guest['id']}", headers=admin.headers).json()
    assert customer["visit_count"] == 6


def test_two_staff_undoing_one_check_in_at_once_undo_it_once(client, admin, clerk, live_server):
    event = seed_seminar(client, admin.headers, guests=3)
    for code in event.codes:
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": code, "event_id": event.event_id})
    for guest in event.customer_ids:
        path = f"/api/v1/events/{event.event_id}/guests/{guest}/checkin/undo"
        barrier = threading.Barrier(2)

        def undo(headers, path=path, barrier=barrier):
            with httpx.Client(base_url=live_server, timeout=30) as http:
                barrier.wait()
                return http.post(path, headers=headers).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(undo, [admin.headers, clerk.headers]))
        assert codes == [200, 409]
        customer = client.get(f"/api/v1/customers/{guest}", headers=admin.headers).json()
        assert customer["visit_count"] == 0
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert (stats["checked_in"], stats["entries"], stats["last_seq"]) == (0, 0, 6)
