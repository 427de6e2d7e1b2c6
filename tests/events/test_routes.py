"""Events and invitations."""

from datetime import timedelta

from kiosk_server.core.types import utcnow
from tests.conftest import open_event_body


def _customers(client, headers, n):
    return [client.post("/api/v1/customers", headers=headers, json={
        "full_name": f"Đặng Văn Long {i}", "phone": f"0977{i:06d}"}).json()["id"]
        for i in range(n)]


def test_event_gets_a_default_checkin_window(client, admin):
    body = open_event_body()
    del body["checkin_opens_at"], body["checkin_closes_at"]
    event = client.post("/api/v1/events", json=body, headers=admin.headers).json()
    assert event["allow_walk_in"] is False and event["allow_reentry"] is False
    starts = event["starts_at"]
    opens = client.get(f"/api/v1/events/{event['id']}", headers=admin.headers).json()
    assert opens["checkin_closes_at"] == event["ends_at"] and opens["starts_at"] == starts


def test_times_must_be_in_order_and_carry_a_timezone(client, admin):
    now = utcnow()
    backwards = open_event_body(ends_at=(now - timedelta(days=1)).isoformat())
    assert client.post("/api/v1/events", json=backwards, headers=admin.headers).status_code == 422
    naive = open_event_body(starts_at="2026-12-01T09:00:00")
    assert client.post("/api/v1/events", json=naive, headers=admin.headers).status_code == 422
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    bad = client.patch(f"/api/v1/events/{event['id']}", headers=admin.headers,
                       json={"checkin_closes_at": (now - timedelta(days=2)).isoformat()})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_window"


def test_inviting_twice_returns_the_same_invitation(client, admin):
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    ids = _customers(client, admin.headers, 3)
    first = client.post(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers,
                        json={"customer_ids": ids}).json()
    again = client.post(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers,
                        json={"customer_ids": [ids[1], ids[1]]}).json()
    assert [i["code"] for i in again] == [first[1]["code"]]
    assert first[0]["customer_name"] == "Đặng Văn Long 0"
    page = client.get(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers).json()
    assert len(page["items"]) == 3 and page["next_cursor"] is None


def test_unknown_customers_and_capacity_are_refused(client, admin):
    event = client.post("/api/v1/events", json=open_event_body(capacity=2),
                        headers=admin.headers).json()
    ids = _customers(client, admin.headers, 3)
    unknown = client.post(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers,
                          json={"customer_ids": [ids[0], 999999]})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_customers"
    full = client.post(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers,
                       json={"customer_ids": ids})
    assert full.status_code == 409 and full.json()["error"]["code"] == "capacity_exceeded"


def test_csv_invites_new_and_known_people(client, admin):
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    known = _customers(client, admin.headers, 1)[0]
    csv = "name,phone\nĐặng Văn Long 0,+84977000000\nBùi Thị Xuân,0903555111\n"
    report = client.post(f"/api/v1/events/{event['id']}/invitations/import",
                         headers={**admin.headers, "Content-Type": "text/csv"},
                         content=csv.encode()).json()
    assert report["saved"]
    assert (report["created_customers"], report["existing_customers"]) == (1, 1)
    names = [i["customer_name"] for i in report["invitations"]]
    assert names == ["Đặng Văn Long 0", "Bùi Thị Xuân"]
    assert report["invitations"][0]["customer_id"] == known


def test_cancelling_an_invitation_of_another_event_is_404(client, admin):
    one = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    two = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    invitation = client.post(f"/api/v1/events/{one['id']}/invitations", headers=admin.headers,
                             json={"customer_ids": _customers(client, admin.headers, 1)}).json()
    wrong = client.delete(f"/api/v1/events/{two['id']}/invitations/{invitation[0]['id']}",
                          headers=admin.headers)
    assert wrong.status_code == 404


HUGE_IDS = [0, 2**31, 2**63, 2**70]


def test_ids_beyond_the_database_are_422_in_paths_queries_and_bodies(client, admin):
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    known = _customers(client, admin.headers, 1)[0]
    h = admin.headers
    for number in HUGE_IDS:
        for method, path, kwargs in [
            ("GET", f"/api/v1/events/{number}", {}),
            ("PATCH", f"/api/v1/events/{number}", {"json": {"name": "x"}}),
            ("GET", f"/api/v1/events/{number}/invitations", {}),
            ("GET", f"/api/v1/events/{event['id']}/invitations", {"params": {"after": number}}),
            ("DELETE", f"/api/v1/events/{event['id']}/invitations/{number}", {}),
            ("POST", f"/api/v1/events/{number}/invitations", {"json": {"customer_ids": [known]}}),
            ("POST", f"/api/v1/events/{event['id']}/invitations",
             {"json": {"customer_ids": [known, number]}}),
        ]:
            response = client.request(method, path, headers=h, **kwargs)
            assert response.status_code == 422, (method, path, kwargs, response.text)
    page = client.get(f"/api/v1/events/{event['id']}/invitations", headers=h).json()
    assert page["items"] == []


def test_times_near_year_1_or_9999_are_422_and_change_nothing(client, admin):
    # The default check-in opening is computed (start - 2 h): year 1 would overflow.
    body = open_event_body(starts_at="0001-01-01T00:30:00+00:00")
    del body["checkin_opens_at"]
    created = client.post("/api/v1/events", json=body, headers=admin.headers)
    assert created.status_code == 422, created.text
    assert "2000" in created.json()["detail"][0]["msg"]
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    for field in ("starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"):
        for moment in ("0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-07:00",
                       "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"):
            changed = client.patch(f"/api/v1/events/{event['id']}", headers=admin.headers,
                                   json={field: moment})
            assert changed.status_code == 422, (field, moment, changed.text)
            assert changed.json()["detail"][0]["loc"] == ["body", field]
    assert client.get("/api/v1/events", headers=admin.headers).json() == [event]


def test_control_characters_in_event_text_are_422_and_change_nothing(client, admin):
    for field in ("name", "venue"):
        created = client.post("/api/v1/events", headers=admin.headers,
                              json=open_event_body(**{field: "Hội thảo\x00"}))
        assert created.status_code == 422, (field, created.text)
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    for field, value in [("name", "Hội\x00thảo"), ("venue", "Hà\x1fNội"), ("name", "a\nb")]:
        changed = client.patch(f"/api/v1/events/{event['id']}", headers=admin.headers,
                               json={field: value})
        assert changed.status_code == 422, (field, changed.text)
    assert client.get("/api/v1/events", headers=admin.headers).json() == [event]


def test_invitation_csv_rows_with_a_nul_are_row_errors_and_nothing_is_saved(client, admin):
    event = client.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    csv = "name,phone\nBùi Thị Xuân,0903555111\nĐặng\x00Long,0903555112\n"
    response = client.post(f"/api/v1/events/{event['id']}/invitations/import",
                           headers={**admin.headers, "Content-Type": "text/csv"},
                           content=csv.encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert not report["saved"] and report["invitations"] == []
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "full_name")]
    assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == []
    page = client.get(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers).json()
    assert page["items"] == []
