"""Managers' live alerts: a low rating reaches the admins' websocket, and the event's feed
when the visit was an event, once committed; only admins may follow them."""

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.feedback import service as feedback
from tests.conftest import TEST_SECRET
from tests.feedback.helpers import named_staff, sale_link


def _ws(live_server: str, path: str) -> str:
    return live_server.replace("http://", "ws://") + f"/api/v1{path}"


def _next(socket, timeout=5):
    return json.loads(socket.recv(timeout=timeout))


def test_a_low_rating_reaches_the_managers_within_a_second(http, live_server, admin, db):
    hoa = named_staff(db, "hoa", "Lê Thị Hoa")
    customer = http.post("/api/v1/customers", headers=admin.headers,
                         json={"full_name": "Đỗ Minh Châu", "phone": "0987000111"}).json()
    token = sale_link(http, hoa.headers, customer["id"])
    with connect(_ws(live_server, "/alerts/live"), additional_headers=admin.headers) as alerts:
        assert _next(alerts) == {"type": "ready"}
        http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 4, "staff_rating": 5})
        started = time.monotonic()
        http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "staff_rating": 2,
                                                     "comment": "Không ai tiếp"})
        alert = _next(alerts)
        assert time.monotonic() - started < 1.0
        http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "comment": "Tệ"})
        with pytest.raises(TimeoutError):
            alerts.recv(timeout=0.5)  # one alert per complaint, not per change
    assert alert["type"] == "feedback_alert"
    assert (alert["visit_rating"], alert["staff_rating"]) == (1, 2)
    assert alert["customer_name"] == "Đỗ Minh Châu" and alert["staff_name"] == "Lê Thị Hoa"
    assert alert["comment"] == "Không ai tiếp" and alert["event_id"] is None
    queue = http.get("/api/v1/complaints?status=open", headers=admin.headers).json()
    assert [c["id"] for c in queue] == [alert["complaint_id"]]


def test_an_event_guests_low_rating_reaches_the_events_feed_when_asked(
        http, live_server, admin, db, seminar):
    checked = http.post("/api/v1/checkins", headers=admin.headers,
                        json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert checked.status_code == 200, checked.text
    customer_id = seminar.customer_ids[0]
    [visit] = http.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers).json()
    with db.session() as session:  # check-ins issue no link yet: the visit is asked about
        serial = feedback.request_feedback(session, customer_id=customer_id,
                                           visit_id=visit["id"], staff_id=admin.staff_id)
    token = TokenSigner(TEST_SECRET.encode()).sign(TokenKind.FEEDBACK, serial)
    feed = f"/events/{seminar.event_id}/live?after=1"
    with connect(_ws(live_server, feed + "&alerts=true"), additional_headers=admin.headers
                 ) as monitor, connect(_ws(live_server, feed), additional_headers=admin.headers
                                       ) as plain:
        page = http.get(f"/api/v1/feedback/{token}").json()
        assert page["visit_kind"] == "event"
        http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 2})
        alert = _next(monitor)
        with pytest.raises(TimeoutError):
            plain.recv(timeout=0.5)  # a feed that did not ask gets scans only
    assert alert["type"] == "feedback_alert" and alert["event_id"] == seminar.event_id


def test_only_admins_follow_the_alerts(live_server, clerk):
    for headers, code in (({}, 4401), (clerk.headers, 4403)):
        with (connect(_ws(live_server, "/alerts/live"), additional_headers=headers) as socket,
              pytest.raises(ConnectionClosed)):
            socket.recv(timeout=5)
        assert socket.close_code == code


def test_a_refused_answer_alerts_nobody(http, live_server, admin, seminar):
    token = sale_link(http, admin.headers, seminar.customer_ids[0])
    with connect(_ws(live_server, "/alerts/live"), additional_headers=admin.headers) as alerts:
        assert _next(alerts) == {"type": "ready"}
        refused = http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1,
                                                               "comment": "x" * 1001})
        assert refused.status_code == 422
        with pytest.raises(TimeoutError):
            alerts.recv(timeout=0.5)


def test_an_event_visit_gets_its_feedback_link_when_asked_and_the_same_one_again(
        client, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    client.post("/api/v1/checkins", headers=admin.headers,
                json={"code": seminar.codes[0], "event_id": seminar.event_id})
    [visit] = client.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers).json()
    path = f"/api/v1/customers/{customer_id}/visits/{visit['id']}/feedback-link"
    first = client.post(path, headers=clerk.headers)
    again = client.post(path, headers=admin.headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["url"].endswith(f"/F/{first.json()['code']}")
    page = client.get(f"/api/v1/feedback/{first.json()['code']}").json()
    assert page["visit_kind"] == "event" and page["staff_served"] is True
    other = seminar.customer_ids[1]
    assert client.post(f"/api/v1/customers/{other}/visits/{visit['id']}/feedback-link",
                       headers=admin.headers).status_code == 404  # not their visit
    assert client.post(path).status_code == 401
