"""What the admin area does on the server: staff management, passwords, devices, the audit
log, and the lists it filters."""

from datetime import timedelta

from fastapi.routing import APIRoute

from kiosk_server.core.types import utcnow
from kiosk_server.staff.deps import _audit_log, _staff_work
from tests.conftest import open_event_body, seed_seminar

PASSWORD = "correct horse battery"


def _login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _audit(client, admin):
    return client.get("/api/v1/audit", headers=admin.headers).json()["items"]


# Changes that are not staff changes: signing in and out, check-ins (the scan log keeps
# them), a kiosk pairing itself; and POSTs that change nothing (a scanned code sent in a
# body rather than a URL: the till's lookup, a coupon check; a campaign segment's count);
# a customer's own feedback and exit-survey answer (no staff member did them), and the
# feedback link of a visit (the same link however often it is asked for, as the receipt's
# is). A customer's own doings
# (asking for a sign-in link and signing in with it, signing up on a poster's form, changing
# their details, signing out): no staff member did them; a consent they change is kept in
# its own history, with where. An erasure is recorded by privacy's service itself, whoever
# asked (an admin, or the customer deleting their account), so that both are written the
# same way.
NOT_AUDITED = {"login", "logout", "check_in", "pair_device", "lookup", "check_coupon",
               "give_feedback", "feedback_link", "request_sign_in", "open_session", "sign_up",
               "update_me", "sign_out", "answer_exit_survey", "count_audience",
               # a recipient's unsubscribe link (their consent history keeps it, with where),
               # and a campaign's preview, which changes nothing
               "unsubscribe_one_click", "preview_campaign",
               # a kiosk's report of itself, and its scans judged offline (in the scan log)
               "kiosk_sync", "kiosk_uploads"}
AUDITED_BY_THE_SERVICE = {"erase_customer", "delete_me"}


def _depends_on(dependant, call) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def _api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router, as FastAPI keeps it
            yield from _api_routes(route.original_router.routes)


def test_every_route_that_changes_something_records_it_in_the_audit_log(app):
    changing = [(method, route.path, route) for route in _api_routes(app.routes)
                for method in route.methods if method in {"POST", "PATCH", "PUT", "DELETE"}]
    assert len(changing) > 15
    missing = [(method, path) for method, path, route in changing
               if route.endpoint.__name__ not in NOT_AUDITED | AUDITED_BY_THE_SERVICE
               and not _depends_on(route.dependant, _audit_log)
               and not _depends_on(route.dependant, _staff_work)]  # logs with `unit.log`
    assert missing == []


def test_admin_disables_a_user_who_is_signed_out_at_once_and_cannot_sign_in(client, admin,
                                                                           clerk):
    assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 200
    answer = client.patch(f"/api/v1/staff/{clerk.staff_id}", headers=admin.headers,
                          json={"active": False, "full_name": "Lê Thu Hà"})
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 401
    assert _login(client, "clerk").status_code == 401
    client.patch(f"/api/v1/staff/{clerk.staff_id}", headers=admin.headers, json={"active": True})
    assert _login(client, "clerk").status_code == 200
    assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 401  # revoked
    [enabled, disabled] = _audit(client, admin)[:2]
    assert (enabled["action"], enabled["details"]) == ("staff.update", {"active": True})
    assert disabled["details"] == {"active": False, "full_name": "Lê Thu Hà"}
    assert disabled["staff_username"] == "admin" and disabled["target_id"] == clerk.staff_id


def test_the_last_active_admin_stays_and_nobody_disables_themselves(client, admin, clerk):
    demote = client.patch(f"/api/v1/staff/{admin.staff_id}", headers=admin.headers,
                          json={"role": "staff"})
    assert demote.status_code == 409 and demote.json()["error"]["field"] == "role"
    client.patch(f"/api/v1/staff/{clerk.staff_id}", headers=admin.headers, json={"role": "admin"})
    itself = client.patch(f"/api/v1/staff/{admin.staff_id}", headers=admin.headers,
                          json={"active": False})
    assert itself.status_code == 400 and itself.json()["error"]["field"] == "active"
    assert client.patch(f"/api/v1/staff/{admin.staff_id}", headers=admin.headers,
                        json={"role": "staff"}).status_code == 200  # another admin remains
    assert client.get("/api/v1/staff", headers=admin.headers).status_code == 403


def test_only_admins_manage_staff_devices_and_read_the_audit_log(client, admin, clerk, seminar):
    device = client.post(f"/api/v1/events/{seminar.event_id}/devices", headers=admin.headers,
                         json={"name": "Máy 1", "gate": "A"}).json()["id"]
    for method, path, body in [
        ("PATCH", f"/api/v1/staff/{admin.staff_id}", {"full_name": "x"}),
        ("POST", f"/api/v1/staff/{admin.staff_id}/password", {"password": "a new password"}),
        ("PATCH", f"/api/v1/devices/{device}", {"name": "y"}),
        ("DELETE", f"/api/v1/devices/{device}", None),
        ("GET", "/api/v1/audit", None),
    ]:
        answer = client.request(method, path, headers=clerk.headers, json=body)
        assert answer.status_code == 403, (method, path)
    renamed = client.patch(f"/api/v1/devices/{device}", headers=admin.headers,
                           json={"name": "Máy cổng chính"})
    assert renamed.json()["name"] == "Máy cổng chính"
    assert client.patch(f"/api/v1/devices/{device}", headers=admin.headers,
                        json={"name": ""}).status_code == 422
    assert client.delete(f"/api/v1/devices/{device}",
                         headers=admin.headers).json()["revoked_at"] is not None
    actions = [entry["action"] for entry in _audit(client, admin)]
    assert actions[:3] == ["device.revoke", "device.rename", "device.create"]


def test_passwords_change_with_the_current_one_and_reset_by_an_admin(client, admin, clerk):
    wrong = client.post("/api/v1/auth/password", headers=clerk.headers,
                        json={"current_password": "not it", "new_password": "a new password"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "current_password"
    short = client.post("/api/v1/auth/password", headers=clerk.headers,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    assert client.post("/api/v1/auth/password", headers=clerk.headers, json={
        "current_password": PASSWORD, "new_password": "a new password"}).status_code == 204
    assert _login(client, "clerk").status_code == 401
    assert _login(client, "clerk", "a new password").status_code == 200
    session = client.cookies.get("kiosk_session")
    client.cookies.clear()
    assert client.post(f"/api/v1/staff/{clerk.staff_id}/password", headers=admin.headers,
                       json={"password": "set by the admin"}).status_code == 204
    client.cookies.set("kiosk_session", session)
    assert client.get("/api/v1/auth/me").status_code == 401  # browser sessions ended
    client.cookies.clear()
    assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 200  # API token
    assert _login(client, "clerk", "set by the admin").status_code == 200
    log = _audit(client, admin)
    assert [e["action"] for e in log[:2]] == ["staff.password_reset", "staff.password_change"]
    assert "password" not in str(log[0]["details"]) + str(log[1]["details"])


def test_staff_changes_to_events_and_customers_are_in_the_log(client, admin, clerk):
    event = client.post("/api/v1/events", headers=clerk.headers, json=open_event_body()).json()
    customer = client.post("/api/v1/customers", headers=clerk.headers,
                           json={"full_name": "Phạm Minh Châu"}).json()
    client.patch(f"/api/v1/customers/{customer['id']}", headers=clerk.headers,
                 json={"tags": ["vip"]})
    client.post(f"/api/v1/events/{event['id']}/invitations", headers=clerk.headers,
                json={"customer_ids": [customer["id"]]})
    refused = client.patch(f"/api/v1/events/{event['id']}", headers=clerk.headers,
                           json={"ends_at": "2001-01-01T00:00:00Z"})
    assert refused.status_code == 400
    log = _audit(client, admin)
    assert [(e["action"], e["target_id"], e["staff_username"]) for e in log] == [
        ("event.invite", event["id"], "clerk"), ("customer.update", customer["id"], "clerk"),
        ("customer.create", customer["id"], "clerk"), ("event.create", event["id"], "clerk"),
    ]  # the refused change left nothing, in the log or the event
    assert log[1]["details"] == {"tags": ["vip"]}
    page = client.get("/api/v1/audit", headers=admin.headers, params={"limit": 3}).json()
    rest = client.get("/api/v1/audit", headers=admin.headers,
                      params={"limit": 3, "before": page["next_cursor"]}).json()
    assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in log]


def test_events_are_listed_as_upcoming_running_or_past(client, admin):
    now = utcnow()

    def event(name, start, end):
        return client.post("/api/v1/events", headers=admin.headers, json=open_event_body(
            name=name, starts_at=(now + start).isoformat(), ends_at=(now + end).isoformat(),
            checkin_opens_at=(now + start - timedelta(hours=1)).isoformat(),
            checkin_closes_at=(now + end).isoformat())).json()["id"]

    ids = {"past": event("Hôm qua", timedelta(days=-1), timedelta(hours=-20)),
           "running": event("Bây giờ", timedelta(hours=-1), timedelta(hours=2)),
           "upcoming": event("Tuần sau", timedelta(days=7), timedelta(days=7, hours=3))}
    for when, event_id in ids.items():
        listed = client.get("/api/v1/events", headers=admin.headers, params={"when": when})
        assert [e["id"] for e in listed.json()] == [event_id], when
    assert len(client.get("/api/v1/events", headers=admin.headers).json()) == 3
    assert client.get("/api/v1/events", headers=admin.headers,
                      params={"when": "soon"}).status_code == 422


def test_the_guest_list_filters_by_tag(client, admin):
    event = seed_seminar(client, admin.headers, guests=3)
    for customer_id, tags in zip(event.customer_ids, (["vip"], ["khách quen"], ["vip2"]),
                                 strict=True):
        client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                     json={"tags": tags})
    url = f"/api/v1/events/{event.event_id}/guests"
    for tag, expected in (("VIP", [0]), ("khách quen", [1]), ("vi", []), ("%", [])):
        found = client.get(url, headers=admin.headers, params={"tag": tag}).json()["items"]
        assert [g["customer_id"] for g in found] == [event.customer_ids[i] for i in expected], tag
