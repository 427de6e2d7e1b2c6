"""The check-in contract, scenario by scenario: each outcome has its stable status."""

from datetime import timedelta

from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from tests.conftest import TEST_SECRET, open_event_body, seed_seminar


def scan(client, headers, event_id, code, **extra):
    response = client.post("/api/v1/checkins", headers=headers,
                           json={"code": code, "event_id": event_id, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_invitation_checks_in_once_with_greeting(client, admin, seminar):
    first = scan(client, admin.headers, seminar.event_id, seminar.codes[0], gate="A")
    assert first["status"] == "ok" and first["invitation_id"] is not None
    assert first["customer"] == {"id": seminar.customer_ids[0], "name": "Nguyễn Thị Hương 0",
                                 "visit_count": 1, "vip": False}
    assert first["message"] == "Xin chào Nguyễn Thị Hương 0! Mời bạn vào."
    assert first["entry_number"] == 1 and first["gate"] == "A"

    again = scan(client, admin.headers, seminar.event_id, seminar.codes[0], gate="B")
    assert again["status"] == "already_checked_in"
    assert again["first_checked_in_at"] == first["checked_in_at"]
    assert again["gate"] == "A"
    assert again["customer"]["visit_count"] == 1


def test_message_follows_accept_language(client, admin, seminar):
    headers = {**admin.headers, "Accept-Language": "en-US,en;q=0.9,vi;q=0.5"}
    assert scan(client, headers, seminar.event_id, "nonsense")["message"].startswith(
        "This QR code is not valid")
    assert scan(client, admin.headers, seminar.event_id, "nonsense")["message"].startswith(
        "Mã QR không hợp lệ")


def test_token_inside_a_url_and_in_lower_case_is_accepted(client, admin, seminar):
    url = f"http://kiosk.example/C/{seminar.codes[0].lower()}?utm=poster"
    assert scan(client, admin.headers, seminar.event_id, url)["status"] == "ok"


def test_garbage_and_forged_codes_are_invalid(client, admin, seminar):
    forged = seminar.codes[0][:-1] + ("A" if seminar.codes[0][-1] != "A" else "B")
    for code in ("hello", forged, "1I.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA", " " * 3 + "x"):
        result = scan(client, admin.headers, seminar.event_id, code)
        assert result["status"] == "invalid" and result["customer"] is None


def test_cancelled_invitation_is_revoked(client, admin, seminar):
    invitations = client.get(f"/api/v1/events/{seminar.event_id}/invitations",
                             headers=admin.headers).json()["items"]
    cancelled = client.delete(
        f"/api/v1/events/{seminar.event_id}/invitations/{invitations[1]['id']}",
        headers=admin.headers)
    assert cancelled.json()["status"] == "cancelled"
    result = scan(client, admin.headers, seminar.event_id, seminar.codes[1])
    assert result["status"] == "revoked"
    assert result["customer"]["id"] == seminar.customer_ids[1]


def test_invitation_to_another_event_is_wrong_event(client, admin, seminar):
    other = client.post("/api/v1/events", json=open_event_body(name="Khác"),
                        headers=admin.headers).json()
    assert scan(client, admin.headers, other["id"], seminar.codes[0])["status"] == "wrong_event"


def test_outside_the_window_is_not_open(client, admin):
    now = utcnow()
    later = seed_seminar(client, admin.headers, guests=1,
                         checkin_opens_at=(now + timedelta(hours=1)).isoformat(),
                         starts_at=(now + timedelta(hours=2)).isoformat())
    result = scan(client, admin.headers, later.event_id, later.codes[0])
    assert result["status"] == "not_open"
    assert "Mở lúc" in result["message"]
    closed = seed_seminar(client, admin.headers, guests=1,
                          starts_at=(now - timedelta(hours=3)).isoformat(),
                          ends_at=(now - timedelta(hours=1)).isoformat(),
                          checkin_opens_at=(now - timedelta(hours=4)).isoformat(),
                          checkin_closes_at=(now - timedelta(hours=1)).isoformat())
    result = scan(client, {**admin.headers, "Accept-Language": "en"}, closed.event_id,
                  closed.codes[0])
    assert result["status"] == "not_open" and result["message"] == "Check-in has closed."


def _card(client, headers, customer_id):
    response = client.post(f"/api/v1/customers/{customer_id}/card", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def test_member_card_checks_in_the_members_invitation(client, admin, seminar):
    card = _card(client, admin.headers, seminar.customer_ids[2])
    assert scan(client, admin.headers, seminar.event_id, card)["status"] == "ok"
    assert scan(client, admin.headers, seminar.event_id,
                seminar.codes[2])["status"] == "already_checked_in"


def test_member_without_invitation_is_not_invited_unless_walk_in(client, admin, seminar):
    member = client.post("/api/v1/customers", headers=admin.headers,
                         json={"full_name": "Trần Đức Thắng"}).json()
    card = _card(client, admin.headers, member["id"])
    assert scan(client, admin.headers, seminar.event_id, card)["status"] == "not_invited"

    walk_in = seed_seminar(client, admin.headers, guests=1, allow_walk_in=True)
    result = scan(client, admin.headers, walk_in.event_id, card)
    assert result["status"] == "ok" and result["customer"]["name"] == "Trần Đức Thắng"
    invited = client.get(f"/api/v1/events/{walk_in.event_id}/invitations",
                         headers=admin.headers).json()["items"]
    assert member["id"] in [i["customer_id"] for i in invited]


def test_walk_in_refused_when_event_is_full(client, admin):
    full = seed_seminar(client, admin.headers, guests=1, allow_walk_in=True, capacity=1)
    member = client.post("/api/v1/customers", headers=admin.headers,
                         json={"full_name": "Phạm Ngọc Ánh"}).json()
    result = scan(client, admin.headers, full.event_id, _card(client, admin.headers, member["id"]))
    assert result["status"] == "not_invited" and "đủ chỗ" in result["message"]


def test_reissued_card_is_revoked(client, admin, seminar):
    old = _card(client, admin.headers, seminar.customer_ids[0])
    new = _card(client, admin.headers, seminar.customer_ids[0])
    assert old != new
    assert scan(client, admin.headers, seminar.event_id, old)["status"] == "revoked"
    assert scan(client, admin.headers, seminar.event_id, new)["status"] == "ok"
    card = client.get(f"/api/v1/customers/{seminar.customer_ids[0]}/card", headers=admin.headers)
    assert card.json()["code"] == new


def test_reentry_event_counts_every_entry(client, admin):
    event = seed_seminar(client, admin.headers, guests=1, allow_reentry=True)
    results = [scan(client, admin.headers, event.event_id, event.codes[0]) for _ in range(3)]
    assert [r["status"] for r in results] == ["ok", "ok", "ok"]
    assert [r["entry_number"] for r in results] == [1, 2, 3]
    assert results[-1]["customer"]["visit_count"] == 3
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1 and stats["entries"] == 3


def test_same_scan_id_is_answered_again_and_recorded_once(client, admin, seminar):
    first = scan(client, admin.headers, seminar.event_id, seminar.codes[0], scan_id="retry-1")
    retried = scan(client, admin.headers, seminar.event_id, seminar.codes[0], scan_id="retry-1")
    assert retried == first and first["status"] == "ok"
    log = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert len(log) == 1
    visits = client.get(f"/api/v1/customers/{seminar.customer_ids[0]}/visits",
                        headers=admin.headers).json()
    assert len(visits) == 1


def test_every_scan_is_logged_with_gate_and_caller(client, admin, seminar):
    scan(client, admin.headers, seminar.event_id, seminar.codes[0], gate="A")
    scan(client, admin.headers, seminar.event_id, seminar.codes[0], gate="B")
    scan(client, admin.headers, seminar.event_id, "not a code", gate="C")
    log = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [(e["status"], e["gate"]) for e in log] == [
        ("invalid", "C"), ("already_checked_in", "B"), ("ok", "A")]
    assert all(e["staff_id"] == admin.staff_id for e in log)
    assert log[0]["unknown_code"] == "not a code" and log[2]["unknown_code"] is None


def test_checkin_adds_an_event_visit_to_the_history(client, admin, seminar):
    scan(client, admin.headers, seminar.event_id, seminar.codes[1], gate="Cổng 2")
    visits = client.get(f"/api/v1/customers/{seminar.customer_ids[1]}/visits",
                        headers=admin.headers).json()
    assert len(visits) == 1
    assert visits[0]["kind"] == "event" and visits[0]["event_id"] == seminar.event_id
    assert visits[0]["gate"] == "Cổng 2" and visits[0]["staff_id"] == admin.staff_id


def test_stats_count_invited_arrived_and_rate(client, admin):
    event = seed_seminar(client, admin.headers, guests=5)
    for code in event.codes[:3]:
        scan(client, admin.headers, event.event_id, code)
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert (stats["invited"], stats["checked_in"], stats["not_arrived"]) == (5, 3, 2)
    assert stats["arrivals_per_minute"] == 0.2
    assert len(stats["arrivals_by_minute"]) == 15
    assert sum(m["arrivals"] for m in stats["arrivals_by_minute"]) == 3


def test_unknown_event_is_404_and_malformed_body_is_422(client, admin, seminar):
    missing = client.post("/api/v1/checkins", headers=admin.headers,
                          json={"code": seminar.codes[0], "event_id": 999999})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "event_not_found"
    for body in ({"code": "x"}, {"event_id": 1}, {"code": "", "event_id": 1},
                 {"code": "x", "event_id": "one"}, {"code": "x", "event_id": 1, "scan_id": "a b"}):
        assert client.post("/api/v1/checkins", headers=admin.headers,
                           json=body).status_code == 422


def test_checkin_errors_have_the_shape_of_every_other_endpoint(client, admin, seminar):
    # POST /checkins has its own lean handler (`_ScanRoute`); its errors must read like
    # FastAPI's everywhere else: 401 before the body is looked at, 422 with body locations.
    anonymous = client.post("/api/v1/checkins", content=b"not json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    broken = client.post("/api/v1/checkins", headers=admin.headers, content=b"{not json")
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "json_invalid"
    missing = client.post("/api/v1/checkins", headers=admin.headers, json={"code": "x"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "event_id"]
    customers = client.post("/api/v1/customers", headers=admin.headers, json={})
    assert customers.json()["detail"][0]["loc"][0] == "body"  # the same shape


def test_a_staff_browser_session_can_check_in_and_english_is_spoken(client, admin, seminar):
    login = client.post("/api/v1/auth/login",
                        json={"username": "admin", "password": "correct horse battery"})
    assert login.status_code == 200 and "kiosk_session" in client.cookies
    answer = client.post("/api/v1/checkins", headers={"Accept-Language": "en"},
                         json={"code": seminar.codes[0], "event_id": seminar.event_id})
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert answer.json()["message"].startswith("Welcome")


def test_a_body_that_is_not_even_text_is_422(client, admin):
    for content in (b"\x80", b"\xff\xfe{", "{\"code\": \"ổ\"".encode("utf-16")):
        answer = client.post("/api/v1/checkins", headers=admin.headers, content=content)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["type"] == "json_invalid"


def test_member_card_of_a_guest_whose_invitation_was_cancelled_is_revoked(client, admin,
                                                                        seminar):
    card = _card(client, admin.headers, seminar.customer_ids[1])
    invitations = client.get(f"/api/v1/events/{seminar.event_id}/invitations",
                             headers=admin.headers).json()["items"]
    [theirs] = [i for i in invitations if i["customer_id"] == seminar.customer_ids[1]]
    client.delete(f"/api/v1/events/{seminar.event_id}/invitations/{theirs['id']}",
                  headers=admin.headers)
    result = scan(client, admin.headers, seminar.event_id, card)
    assert result["status"] == "revoked"
    assert result["customer"]["id"] == seminar.customer_ids[1]
    stats = client.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 0


def test_a_correctly_signed_code_that_names_nothing_is_invalid(client, admin, seminar):
    signer = TokenSigner(TEST_SECRET.encode())
    for kind in (TokenKind.CARD, TokenKind.INVITATION):
        code = signer.sign(kind, new_serial())
        assert signer.verify(code) is not None  # the signature is right
        result = scan(client, admin.headers, seminar.event_id, code)
        assert result["status"] == "invalid" and result["customer"] is None
    log = client.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [e["status"] for e in log] == ["invalid", "invalid"]


def test_the_scan_log_keeps_the_invitation_of_a_scan_before_the_window(client, admin):
    now = utcnow()
    later = seed_seminar(client, admin.headers, guests=1,
                         checkin_opens_at=(now + timedelta(hours=1)).isoformat(),
                         starts_at=(now + timedelta(hours=2)).isoformat())
    assert scan(client, admin.headers, later.event_id, later.codes[0])["status"] == "not_open"
    [invitation] = client.get(f"/api/v1/events/{later.event_id}/invitations",
                              headers=admin.headers).json()["items"]
    [entry] = client.get(f"/api/v1/events/{later.event_id}/scans", headers=admin.headers).json()
    assert entry["status"] == "not_open"
    assert (entry["invitation_id"], entry["customer_id"]) == (
        invitation["id"], later.customer_ids[0])


def test_a_repeat_names_the_first_gate_once_whatever_the_gate_is_called(client, admin):
    """"tại cổng A" for a gate called "A"; "tại Cổng chính" (not "tại cổng Cổng chính") for
    one whose name says it is a gate, in either language."""
    seminar = seed_seminar(client, admin.headers, guests=3)
    english = {**admin.headers, "Accept-Language": "en"}
    for code, gate, vi, en in ((seminar.codes[0], "A", " tại cổng A.", " at gate A."),
                               (seminar.codes[1], "Cổng chính", " tại Cổng chính.",
                                " at Cổng chính."),
                               (seminar.codes[2], "gate 2", " tại gate 2.", " at gate 2.")):
        assert scan(client, admin.headers, seminar.event_id, code, gate=gate)["status"] == "ok"
        again = scan(client, admin.headers, seminar.event_id, code, gate="B")
        assert again["status"] == "already_checked_in" and again["message"].endswith(vi)
        assert scan(client, english, seminar.event_id, code, gate="B")["message"].endswith(en)
