"""What the staff monitor works with: VIP tags, check-in by hand, the guest list, each
gate's pace and the entry plan, and a customer's visits live."""

import json
from datetime import timedelta

import pytest
from websockets.sync.client import connect

from kiosk_server.core.types import utcnow
from tests.conftest import seed_seminar


def _scan(client, headers, event_id, **body):
    answer = client.post("/api/v1/checkins", headers=headers, json={"event_id": event_id, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _device(client, admin, event_id, gate):
    answer = client.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                         json={"name": f"Kiosk {gate}", "gate": gate})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_tags_are_kept_lower_cased_once_and_a_vip_arrival_says_so(client, admin, seminar):
    customer_id = seminar.customer_ids[1]
    answer = client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                          json={"tags": [" VIP ", "vip", "Khách  quen"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["tags"] == ["vip", "khách quen"]
    for bad in (["x" * 33], [""], ["a\x00"], [f"t{n}" for n in range(21)]):
        refused = client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                               json={"tags": bad})
        assert refused.status_code == 422, bad
    vip = _scan(client, admin.headers, seminar.event_id, code=seminar.codes[1])
    other = _scan(client, admin.headers, seminar.event_id, code=seminar.codes[0])
    assert vip["customer"]["vip"] is True and other["customer"]["vip"] is False


def test_staff_check_a_guest_in_by_hand_once(client, admin, seminar):
    guest = seminar.customer_ids[0]
    first = _scan(client, admin.headers, seminar.event_id, customer_id=guest, scan_id="hand-1")
    assert first["status"] == "ok" and first["customer"]["id"] == guest
    again = _scan(client, admin.headers, seminar.event_id, customer_id=guest)
    assert again["status"] == "already_checked_in"
    retried = _scan(client, admin.headers, seminar.event_id, customer_id=guest, scan_id="hand-1")
    assert retried == first
    log = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [entry["manual"] for entry in log] == [True, True]
    stranger = client.post("/api/v1/customers", headers=admin.headers,
                           json={"full_name": "Trần Văn Lạ"}).json()["id"]
    assert _scan(client, admin.headers, seminar.event_id,
                 customer_id=stranger)["status"] == "not_invited"
    unknown = client.post("/api/v1/checkins", headers=admin.headers,
                          json={"event_id": seminar.event_id, "customer_id": 999_999})
    assert unknown.status_code == 404


def test_a_kiosk_may_not_check_in_by_hand_and_a_scan_names_one_guest(client, admin, seminar):
    kiosk = _device(client, admin, seminar.event_id, "A")
    refused = client.post("/api/v1/checkins", headers=kiosk, json={
        "event_id": seminar.event_id, "customer_id": seminar.customer_ids[0]})
    assert refused.status_code == 403
    for body in ({}, {"code": seminar.codes[0], "customer_id": seminar.customer_ids[0]}):
        answer = client.post("/api/v1/checkins", headers=admin.headers,
                             json={"event_id": seminar.event_id, **body})
        assert answer.status_code == 422, body
    stats = client.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 0


def test_the_guest_list_finds_guests_without_diacritics_and_by_arrival(client, admin):
    event = seed_seminar(client, admin.headers, guests=4)
    headers = admin.headers
    _scan(client, headers, event.event_id, code=event.codes[2], gate="Cổng A")
    client.delete(f"/api/v1/events/{event.event_id}/invitations/"
                  + str(client.get(f"/api/v1/events/{event.event_id}/invitations",
                                   headers=headers).json()["items"][3]["id"]), headers=headers)
    not_invited = client.post("/api/v1/customers", headers=headers,
                              json={"full_name": "Nguyễn Thị Hương 9"}).json()["id"]
    url = f"/api/v1/events/{event.event_id}/guests"

    def ids(**query):
        answer = client.get(url, headers=headers, params=query)
        assert answer.status_code == 200, answer.text
        return [line["customer_id"] for line in answer.json()["items"]]

    assert ids(q="nguyen thi huong") == event.customer_ids[:3]  # not the cancelled, not 9
    assert not_invited not in ids(q="huong")
    assert ids(arrived="true") == [event.customer_ids[2]]
    assert ids(arrived="false") == event.customer_ids[:2]
    [line] = client.get(url, headers=headers, params={"arrived": "true"}).json()["items"]
    assert line["gate"] == "Cổng A" and line["checked_in_at"] is not None
    phone = client.get(f"/api/v1/customers/{event.customer_ids[1]}",
                       headers=headers).json()["phone"]
    assert ids(q="0" + phone[3:]) == [event.customer_ids[1]]  # 0912... finds +84912...
    first = client.get(url, headers=headers, params={"limit": 2}).json()
    rest = client.get(url, headers=headers,
                      params={"limit": 2, "after": first["next_cursor"]}).json()
    assert [g["customer_id"] for g in first["items"] + rest["items"]] == event.customer_ids[:3]
    assert rest["next_cursor"] is None
    assert client.get(url, headers=headers, params={"arrived": "maybe"}).status_code == 422
    assert client.get("/api/v1/events/999999/guests", headers=headers).status_code == 404


def test_each_gate_shows_its_pace_and_a_queue_when_codes_come_as_soon_as_it_is_ready(
        client, admin, db):
    from kiosk_server.checkin.stats import event_stats

    started = utcnow() - timedelta(minutes=10)
    event = seed_seminar(client, admin.headers, guests=12, starts_at=started.isoformat(),
                         checkin_opens_at=(started - timedelta(minutes=30)).isoformat())
    busy, quiet = (_device(client, admin, event.event_id, gate) for gate in ("A", "B"))
    previous = None
    for n, code in enumerate(event.codes[:6]):  # gate A: each code 0.5 s after it was free
        _scan(client, busy, event.event_id, code=code, scan_id=f"a{n}", idle_ms=500,
              previous={"scan_id": previous, "result_ms": 100 + n} if previous else None)
        previous = f"a{n}"
    for n, code in enumerate(event.codes[6:8]):  # gate B: guests come now and then
        _scan(client, quiet, event.event_id, code=code, scan_id=f"b{n}", idle_ms=45_000)
    # Another caller cannot report on gate A's scans.
    _scan(client, quiet, event.event_id, code="bad", previous={"scan_id": "a5", "result_ms": 9})
    with db.session() as session:
        stats = event_stats(session, event_id=event.event_id, now=utcnow())
        later = event_stats(session, event_id=event.event_id,
                            now=utcnow() + timedelta(minutes=20))
    a, b = stats.gates
    assert (a.gate, a.checked_in, a.scans, b.gate, b.checked_in, b.scans) == (
        "A", 6, 6, "B", 2, 3)
    assert a.median_result_ms == 103 and b.median_result_ms is None  # a0..a4: 101..105
    assert a.queue and not b.queue and a.median_idle_ms == 500
    # All 8 check-ins came within the first minute: 8 per minute, too few to forecast from.
    assert stats.last_seq == 9  # eight check-ins and one bad code
    plan = stats.planning
    assert (plan.remaining, plan.per_minute, plan.minutes_to_clear) == (4, 8.0, None)
    assert plan.forecast_gap == "few_arrivals" and plan.late_by_minutes is None
    assert plan.queue_building
    assert later.planning.per_minute == 0 and later.planning.minutes_to_clear is None
    assert later.planning.forecast_gap == "no_arrivals"
    assert not later.planning.queue_building  # the reports are old


def test_the_time_to_clear_is_forecast_only_on_enough_arrivals_over_enough_time(
        client, admin, db):
    from kiosk_server.checkin.stats import event_stats

    event = seed_seminar(client, admin.headers, guests=40,
                         starts_at=(utcnow() + timedelta(minutes=5)).isoformat())
    for code in event.codes[:3]:
        _scan(client, admin.headers, event.event_id, code=code, gate="A")
    with db.session() as session:
        few = event_stats(session, event_id=event.event_id).planning
    assert (few.minutes_to_clear, few.late_by_minutes, few.forecast_gap) == (
        None, None, "few_arrivals")  # 3 guests in a minute say nothing about 37 more
    for code in event.codes[3:12]:
        _scan(client, admin.headers, event.event_id, code=code, gate="A")
    answer = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers)
    early = answer.json()["planning"]
    assert (early["minutes_to_clear"], early["forecast_gap"]) == (None, "too_early")
    with db.session() as session:
        # Four minutes on: 12 guests in 4 minutes is 3 a minute; 28 left take 9.3 minutes.
        paced = event_stats(session, event_id=event.event_id,
                            now=utcnow() + timedelta(minutes=4)).planning
        quiet = event_stats(session, event_id=event.event_id,
                            now=utcnow() + timedelta(minutes=10)).planning
    assert (paced.per_minute, paced.minutes_to_clear, paced.forecast_gap) == (3.0, 9.3, None)
    assert paced.late_by_minutes is not None and 8 < paced.late_by_minutes < 9
    assert (quiet.minutes_to_clear, quiet.forecast_gap) == (None, "no_arrivals")


def test_the_queue_warning_goes_once_the_gate_stops_scanning(client, admin, db):
    from kiosk_server.checkin.stats import event_stats

    event = seed_seminar(client, admin.headers, guests=8)
    kiosk = _device(client, admin, event.event_id, "A")
    for n, code in enumerate(event.codes[:6]):  # each code 0.4 s after the kiosk was ready
        _scan(client, kiosk, event.event_id, code=code, scan_id=f"q{n}", idle_ms=400)
    moments = [timedelta(0), timedelta(seconds=30), timedelta(seconds=70)]
    with db.session() as session:
        plans = [event_stats(session, event_id=event.event_id, now=utcnow() + after)
                 for after in moments]
    assert [plan.planning.queue_building for plan in plans] == [True, False, False]
    assert [plan.gates[0].queue for plan in plans] == [True, False, False]


def _live_visits_url(live_server, customer_id):
    return live_server.replace("http://", "ws://") + f"/api/v1/customers/{customer_id}/live"


def test_a_page_showing_a_customer_gets_their_new_visits_live(http, live_server, admin):
    event = seed_seminar(http, admin.headers, guests=2)
    customer_id = event.customer_ids[0]
    with connect(_live_visits_url(live_server, customer_id),
                 additional_headers=admin.headers) as page:
        assert json.loads(page.recv(timeout=10)) == {"type": "ready"}
        _scan(http, admin.headers, event.event_id, code=event.codes[1])  # someone else
        _scan(http, admin.headers, event.event_id, code=event.codes[0], gate="Cổng A")
        update = json.loads(page.recv(timeout=10))
        with pytest.raises(TimeoutError):
            page.recv(timeout=0.5)
    [visit] = http.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers).json()
    assert update == {"type": "visit", "visit": visit, "visit_count": 1}
    assert visit["gate"] == "Cổng A" and visit["event_id"] == event.event_id


def test_only_staff_follow_a_customer(http, live_server, admin, seminar):
    for headers, code in (({}, 4401), (admin.headers, 4404)):
        customer_id = seminar.customer_ids[0] if headers == {} else 999_999
        with connect(_live_visits_url(live_server, customer_id),
                     additional_headers=headers) as socket, pytest.raises(Exception) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd.code == code
