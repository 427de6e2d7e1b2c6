"""Another site's page makes a signed-in staff member's browser write to Kiosk (CSRF)."""

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.security.conftest import EVIL


def _arrived(http, admin, event) -> int:
    stats = http.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers)
    return stats.json()["checked_in"]


def test_a_form_post_from_another_site_checks_nobody_in(victim, http, admin, event):
    body = json.dumps({"code": event.codes[0], "event_id": event.event_id})
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.post("/api/v1/checkins", content=body,
                             headers={"Content-Type": "text/plain", **headers})
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    assert _arrived(http, admin, event) == 0


def test_a_text_plain_csv_from_another_site_imports_nothing(victim, http, admin, event):
    csv = "full_name,phone\nKẻ Lạ Mặt,0987654321\n"
    answer = victim.post("/api/v1/customers/import", content=csv.encode(),
                         headers={"Content-Type": "text/plain", "Origin": EVIL})
    assert answer.status_code == 403
    found = http.get("/api/v1/customers", params={"q": "ke la mat"}, headers=admin.headers)
    assert found.json()["items"] == []
    invited = victim.post(f"/api/v1/events/{event.event_id}/invitations/import",
                          content=csv.encode(), headers={"Content-Type": "text/plain",
                                                         "Origin": EVIL})
    assert invited.status_code == 403


def test_an_empty_post_from_another_site_reissues_no_card(victim, http, admin, event):
    customer = event.customer_ids[0]
    card = http.post(f"/api/v1/customers/{customer}/card", headers=admin.headers).json()
    answer = victim.post(f"/api/v1/customers/{customer}/card", headers={"Origin": EVIL})
    assert answer.status_code == 403
    still = http.get(f"/api/v1/customers/{customer}/card", headers=admin.headers).json()
    assert still["code"] == card["code"]


def test_our_own_pages_may_write_but_not_as_a_form(victim, live_server, http, admin, event):
    own = {"Origin": live_server}
    body = {"code": event.codes[0], "event_id": event.event_id}
    assert victim.post("/api/v1/checkins", json=body, headers=own).json()["status"] == "ok"
    referred = victim.post("/api/v1/checkins", json={**body, "code": event.codes[1]},
                           headers={"Referer": f"{live_server}/monitor?event=1"})
    assert referred.status_code == 200
    as_form = victim.post("/api/v1/checkins", content=json.dumps(body),
                          headers={**own, "Content-Type": "text/plain"})
    assert as_form.status_code == 415
    assert as_form.json()["error"]["code"] == "unsupported_media_type"
    assert _arrived(http, admin, event) == 2


def test_the_check_in_endpoint_reads_only_json(http, admin, event):
    body = json.dumps({"code": event.codes[0], "event_id": event.event_id})
    answer = http.post("/api/v1/checkins", content=body,
                       headers={**admin.headers, "Content-Type": "text/plain"})
    assert answer.status_code == 422
    assert _arrived(http, admin, event) == 0


def test_a_token_caller_is_not_concerned(http, admin, event):
    answer = http.post("/api/v1/checkins", headers={**admin.headers, "Origin": EVIL},
                       json={"code": event.codes[0], "event_id": event.event_id})
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def _socket(live_server, victim, event, origin):
    url = live_server.replace("http://", "ws://") + f"/api/v1/events/{event.event_id}/live"
    cookie = f"kiosk_session={victim.cookies['kiosk_session']}"
    return connect(url, additional_headers={"Cookie": cookie}, origin=origin)


def test_another_site_cannot_listen_to_the_gates(victim, live_server, http, admin, event):
    with pytest.raises(InvalidStatus) as refused:
        _socket(live_server, victim, event, EVIL)
    assert refused.value.response.status_code == 403
    with _socket(live_server, victim, event, live_server) as monitor:
        http.post("/api/v1/checkins", headers=admin.headers,
                  json={"code": event.codes[0], "event_id": event.event_id})
        assert json.loads(monitor.recv(timeout=10))["status"] == "ok"
