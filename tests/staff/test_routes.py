"""Who may call what: sessions, API tokens, roles, kiosk device scope."""

from tests.conftest import seed_seminar


def test_login_sets_an_httponly_lax_cookie_that_opens_staff_pages(client, admin):
    response = client.post("/api/v1/auth/login",
                           json={"username": "admin", "password": "correct horse battery"})
    assert response.status_code == 200 and response.json()["role"] == "admin"
    cookie = response.headers["set-cookie"]
    assert "kiosk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/auth/me").json()["username"] == "admin"
    assert client.post("/api/v1/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_logged_out_session_secret_no_longer_works(client, admin):
    client.post("/api/v1/auth/login",
                json={"username": "admin", "password": "correct horse battery"})
    secret = client.cookies.get("kiosk_session")
    client.post("/api/v1/auth/logout")
    client.cookies.set("kiosk_session", secret)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_401(client, admin):
    for body in ({"username": "admin", "password": "nope nope"},
                 {"username": "ghost", "password": "correct horse battery"}):
        response = client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "bad_credentials"


def test_anonymous_calls_get_401_everywhere_but_public_endpoints(client, seminar):
    for method, path in [("GET", "/api/v1/customers"), ("POST", "/api/v1/events"),
                         ("GET", f"/api/v1/events/{seminar.event_id}/stats"),
                         ("POST", "/api/v1/checkins"), ("GET", "/api/v1/staff")]:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "not_authenticated"
    assert client.get("/healthz").status_code == 200
    bogus = client.get("/api/v1/customers", headers={"Authorization": "Bearer kst_forged"})
    assert bogus.status_code == 401


def test_staff_role_cannot_manage_staff(client, clerk):
    assert client.get("/api/v1/staff", headers=clerk.headers).status_code == 403
    created = client.post("/api/v1/staff", headers=clerk.headers,
                          json={"username": "x1", "password": "12345678"})
    assert created.status_code == 403


def test_admin_creates_staff_who_can_then_sign_in(client, admin):
    created = client.post("/api/v1/staff", headers=admin.headers, json={
        "username": "Thu.Ngan", "password": "mật khẩu dài", "role": "staff",
        "full_name": "Trần Thu Ngân"})
    assert created.status_code == 201 and created.json()["username"] == "thu.ngan"
    assert "password_hash" not in created.json()
    again = client.post("/api/v1/staff", headers=admin.headers,
                        json={"username": "thu.ngan", "password": "12345678"})
    assert again.status_code == 409 and again.json()["error"]["field"] == "username"
    login = client.post("/api/v1/auth/login", json={"username": "thu.ngan",
                                                    "password": "mật khẩu dài"})
    assert login.status_code == 200


def test_api_tokens_are_listed_and_revocable(client, admin, clerk):
    made = client.post(f"/api/v1/staff/{clerk.staff_id}/tokens", headers=clerk.headers,
                       json={"label": "script"})
    assert made.status_code == 201
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get("/api/v1/customers", headers=token).status_code == 200
    listed = client.get(f"/api/v1/staff/{clerk.staff_id}/tokens", headers=admin.headers).json()
    assert "script" in [t["label"] for t in listed] and "token" not in listed[0]
    assert client.get(f"/api/v1/staff/{admin.staff_id}/tokens",
                      headers=clerk.headers).status_code == 403
    client.delete(f"/api/v1/staff/{clerk.staff_id}/tokens/{made.json()['id']}",
                  headers=clerk.headers)
    assert client.get("/api/v1/customers", headers=token).status_code == 401


def test_device_checks_in_only_for_its_event_and_reads_nothing(client, admin, seminar):
    other = seed_seminar(client, admin.headers, guests=1)
    device = client.post(f"/api/v1/events/{seminar.event_id}/devices", headers=admin.headers,
                         json={"name": "Kiosk A", "gate": "A"}).json()
    headers = {"Authorization": f"Bearer {device['token']}"}
    ok = client.post("/api/v1/checkins", headers=headers,
                     json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert ok.json()["status"] == "ok" and ok.json()["gate"] == "A"
    elsewhere = client.post("/api/v1/checkins", headers=headers,
                            json={"code": other.codes[0], "event_id": other.event_id})
    assert elsewhere.status_code == 403
    for path in ("/api/v1/customers", f"/api/v1/events/{seminar.event_id}/stats",
                 f"/api/v1/customers/{seminar.customer_ids[0]}"):
        assert client.get(path, headers=headers).status_code == 403
    client.delete(f"/api/v1/devices/{device['id']}", headers=admin.headers)
    revoked = client.post("/api/v1/checkins", headers=headers,
                          json={"code": seminar.codes[1], "event_id": seminar.event_id})
    assert revoked.status_code == 401


def test_passwords_are_stored_as_argon2_hashes(db, admin):
    from kiosk_server.staff import service

    with db.session() as session:
        user = service.get_staff_by_username(session, username="admin")
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash


def test_ids_beyond_the_database_are_422_on_staff_and_device_paths(client, admin):
    for number in (0, 2**31, 2**63, 2**70):
        for method, path, kwargs in [
            ("GET", f"/api/v1/staff/{number}/tokens", {}),
            ("POST", f"/api/v1/staff/{number}/tokens", {"json": {"label": "x"}}),
            ("DELETE", f"/api/v1/staff/{admin.staff_id}/tokens/{number}", {}),
            ("DELETE", f"/api/v1/devices/{number}", {}),
            ("GET", "/api/v1/devices", {"params": {"event_id": number}}),
            ("POST", f"/api/v1/events/{number}/devices", {"json": {"name": "Kiosk A"}}),
        ]:
            response = client.request(method, path, headers=admin.headers, **kwargs)
            assert response.status_code == 422, (method, path, response.text)


def test_control_characters_in_sign_in_and_staff_text_are_422_and_save_nothing(
        client, admin, seminar):
    for body in ({"username": "admin\x00", "password": "correct horse battery"},
                 {"username": "admin", "password": "correct horse battery\x00"}):
        login = client.post("/api/v1/auth/login", json=body)
        assert login.status_code == 422, login.text
        assert "kiosk_session" not in client.cookies
    for body in ({"username": "lan", "password": "12345678", "full_name": "Lan\x00"},
                 {"username": "lan", "password": "1234\x005678"}):
        created = client.post("/api/v1/staff", headers=admin.headers, json=body)
        assert created.status_code == 422, created.text
    assert [s["username"] for s in client.get("/api/v1/staff", headers=admin.headers).json()] \
        == ["admin"]
    tokens = client.get(f"/api/v1/staff/{admin.staff_id}/tokens", headers=admin.headers).json()
    label = client.post(f"/api/v1/staff/{admin.staff_id}/tokens", headers=admin.headers,
                        json={"label": "script\x00"})
    assert label.status_code == 422, label.text
    assert client.get(f"/api/v1/staff/{admin.staff_id}/tokens",
                      headers=admin.headers).json() == tokens
    for body in ({"name": "Kiosk\x00A"}, {"name": "Kiosk A", "gate": "A\x00"}):
        device = client.post(f"/api/v1/events/{seminar.event_id}/devices",
                             headers=admin.headers, json=body)
        assert device.status_code == 422, device.text
    assert client.get("/api/v1/devices", headers=admin.headers).json() == []
