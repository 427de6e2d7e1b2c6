"""What a client can send never becomes a 500: ids, times and text out of range are refused."""

import pytest

from kiosk_server.core.signing import TokenKind
from tests.conftest import open_event_body

HUGE = [2**31, 2**63, 2**70]


@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_the_database_are_422(client, admin, seminar, number):
    h = admin.headers
    for method, url, kwargs in [
        ("GET", f"/api/v1/customers/{number}", {}),
        ("GET", f"/api/v1/events/{number}/stats", {}),
        ("DELETE", f"/api/v1/events/{seminar.event_id}/invitations/{number}", {}),
        ("GET", "/api/v1/customers", {"params": {"after": number}}),
        ("GET", f"/api/v1/events/{seminar.event_id}/scans", {"params": {"before": number}}),
        ("POST", "/api/v1/checkins", {"json": {"code": "x", "event_id": number}}),
        ("POST", f"/api/v1/events/{seminar.event_id}/invitations",
         {"json": {"customer_ids": [seminar.customer_ids[0], number]}}),
    ]:
        response = client.request(method, url, headers=h, **kwargs)
        assert response.status_code == 422, (method, url, response.text)


@pytest.mark.parametrize("year", ["0001", "1999", "2100", "9999"])
def test_times_outside_2000_to_2099_are_422(client, admin, year):
    body = open_event_body(starts_at=f"{year}-01-01T08:00:00+07:00",
                           ends_at=f"{year}-01-01T17:00:00+07:00",
                           checkin_opens_at=f"{year}-01-01T07:00:00+07:00",
                           checkin_closes_at=f"{year}-01-01T17:00:00+07:00")
    response = client.post("/api/v1/events", headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert "2000" in response.text
    assert client.get("/api/v1/events", headers=admin.headers).json() == []


def test_text_with_a_nul_is_422_and_saves_nothing(client, admin, seminar):
    h = admin.headers
    for method, url, kwargs in [
        ("POST", "/api/v1/auth/login", {"json": {"username": "a\x00", "password": "x"}}),
        ("GET", "/api/v1/customers", {"params": {"q": "Nguy\x00"}}),
        ("POST", "/api/v1/customers", {"json": {"full_name": "Lan\x00"}}),
        ("POST", "/api/v1/customers", {"json": {"full_name": "Lan", "notes": "a\x00b"}}),
        ("POST", "/api/v1/events", {"json": open_event_body(name="Hội thảo\x00")}),
        ("POST", f"/api/v1/events/{seminar.event_id}/devices", {"json": {"name": "Cổng\x00"}}),
        ("POST", f"/api/v1/staff/{admin.staff_id}/tokens", {"json": {"label": "\x00"}}),
        ("POST", "/api/v1/checkins",
         {"json": {"code": "x", "event_id": seminar.event_id, "gate": "A\x00"}}),
    ]:
        response = client.request(method, url, headers=h, **kwargs)
        assert response.status_code == 422, (method, url, response.text)
    customers = client.get("/api/v1/customers", headers=h).json()["items"]
    assert len(customers) == len(seminar.customer_ids)


def test_notes_keep_their_lines(client, admin):
    response = client.post("/api/v1/customers", headers=admin.headers,
                           json={"full_name": "Lan", "notes": "thích trà\n\tkhông đường"})
    assert response.status_code == 201 and response.json()["notes"] == "thích trà\n\tkhông đường"


def test_a_csv_row_with_a_nul_is_a_row_error(client, admin):
    csv = "Họ tên,Ghi chú\nNguyễn Văn An,khách quen\nTrần\x00Bích,\n"
    report = client.post("/api/v1/customers/import",
                         headers={**admin.headers, "Content-Type": "text/csv"},
                         content=csv.encode()).json()
    assert not report["saved"]
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "full_name")]


def test_a_scanned_code_with_a_nul_is_just_invalid(client, admin, seminar, app):
    code = seminar.codes[0]
    response = client.post("/api/v1/checkins", headers=admin.headers,
                           json={"code": code[:10] + "\x00" + code[11:],
                                 "event_id": seminar.event_id})
    assert response.status_code == 200 and response.json()["status"] == "invalid"
    logged = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert logged[0]["status"] == "invalid" and "\x00" not in logged[0]["unknown_code"]


def test_look_alike_letters_do_not_make_a_token(app):
    signer = app.state.signer
    token = signer.sign(TokenKind.INVITATION, "SSSSSSSSSSSSSSSS")
    assert signer.verify(token.lower()) is not None  # Caps Lock on a keyboard scanner
    assert signer.verify(token.lower().replace("s", "ſ")) is None  # 'ſ'.upper() == 'S'
    assert signer.verify(token.lower().replace("i", "ı", 1)) is None  # 'ı'.upper() == 'I'


@pytest.mark.parametrize("path, raw, content_type", [
    ("/api/v1/customers", b'{"full_name": "Lan\\ud800"}', "application/json"),
    ("/api/v1/customers", b'{"full_name": "Lan", "notes": NaN}', "application/json"),
    ("/api/v1/customers", b'{"\\ud800": Infinity}', "application/json"),
    ("/api/v1/customers", b'[-Infinity, "\\udfff"]', "application/json"),
    ("/api/v1/customers", b'\xff\xfe', "text/plain"),
    ("/api/v1/checkins", b'{"code": "x", "event_id": NaN}', "application/json"),
    ("/api/v1/checkins", b'{"code": "x", "event_id": 1e400}', "application/json"),
    ("/api/v1/events/{event}/invitations", b'{"customer_ids": [1, 1e400]}', "application/json"),
])
def test_what_json_cannot_carry_is_echoed_safely_in_a_422(client, admin, seminar, path, raw,
                                                          content_type):
    # NaN, Infinity and lone surrogates parse, but an error echoing them could not be rendered.
    response = client.post(path.format(event=seminar.event_id), content=raw,
                           headers={**admin.headers, "Content-Type": content_type})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"]
    customers = client.get("/api/v1/customers", headers=admin.headers).json()["items"]
    assert len(customers) == len(seminar.customer_ids)
    scans = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert scans == []
