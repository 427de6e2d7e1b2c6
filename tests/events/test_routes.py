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
