"""Sign-ups at the same moment, against a real server on both databases: one phone makes one
customer, one client key acts once, and the monitor hears of a walk-in live."""

import json
from concurrent.futures import ThreadPoolExecutor

from websockets.sync.client import connect

from kiosk_server.signup import service
from tests.conftest import open_event_body
from tests.signup.helpers import count_customers, form, poster_token

AT_ONCE = service.PER_PHONE  # all within the phone's limit


def _all_at_once(http, bodies):
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda body: http.post("/api/v1/signup", json=body), bodies))


def test_one_phone_sent_at_once_makes_one_customer(http, app):
    token = poster_token(app)
    answers = _all_at_once(http, [form(token, phone="0912 888 001") for _ in range(AT_ONCE)])
    assert sorted(a.status_code for a in answers) == [201] + [202] * (AT_ONCE - 1)
    assert count_customers(app) == 1


def test_one_client_key_sent_at_once_acts_once(http, app):
    body = form(poster_token(app), phone="0912 888 002")
    answers = _all_at_once(http, [body] * AT_ONCE)
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert count_customers(app) == 1


def test_the_monitor_hears_of_a_walk_in_live(http, live_server, app, admin):
    event = http.post("/api/v1/events", json=open_event_body(allow_walk_in=True),
                      headers=admin.headers).json()
    url = live_server.replace("http://", "ws://") + f"/api/v1/events/{event['id']}/live"
    with connect(url, additional_headers=admin.headers) as monitor:
        answer = http.post("/api/v1/signup", json=form(poster_token(app, event["id"]),
                                                       full_name="Lý Thu Trang"))
        assert answer.status_code == 201, answer.text
        update = json.loads(monitor.recv(timeout=10))
    assert (update["status"], update["walk_in"], update["gate"]) == ("ok", True, "walk-in")
    assert update["manual"] is False
    assert update["result"]["customer"]["name"] == "Lý Thu Trang"
    assert update["result"]["walk_in"] is True
    # A monitor that reconnects gets the same update, walk-in and all.
    replayed = http.get(f"/api/v1/events/{event['id']}/scans", headers=admin.headers).json()
    assert len(replayed) == 1
