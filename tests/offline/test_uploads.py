"""Scans judged by a kiosk offline, uploaded later: recorded once each, at their own time,
judged as live scans are, and a guest let in twice flagged, not hidden."""

import json
from datetime import timedelta

import pytest

from kiosk_server.core.types import utcnow
from kiosk_server.offline import copy as offline_copy
from tests.conftest import seed_seminar
from tests.offline.conftest import (
    by_code,
    by_lookup,
    device,
    kiosk_copy,
    moment,
    scan_log,
    sealed,
    unb64,
    upload,
)

KIOSK_AHEAD = timedelta(minutes=2)  # the kiosk's clock runs two minutes fast


def _guests(client, admin, event_id):
    return client.get(f"/api/v1/events/{event_id}/guests", headers=admin.headers).json()["items"]


def test_scans_are_recorded_at_their_own_time_on_the_servers_clock(client, admin):
    event = seed_seminar(client, admin.headers, guests=3)
    gate = device(client, admin, event.event_id, gate="B")
    copy = kiosk_copy(client, gate)
    kiosk_now = utcnow() + KIOSK_AHEAD
    results = upload(client, gate, [
        by_lookup(copy, event.codes[0], kiosk_now - timedelta(minutes=5)),
        by_lookup(copy, event.codes[1], kiosk_now - timedelta(minutes=4)),
        # Before check-in opened (10 minutes ago): judged at that time.
        by_lookup(copy, event.codes[2], kiosk_now - timedelta(minutes=15)),
    ], sent_at=kiosk_now)
    assert [r["result"]["status"] for r in results] == ["ok", "ok", "not_open"]
    assert [r["conflict"] for r in results] == [False, False, False]
    first, second, early = scan_log(client, admin, event.event_id)
    received = moment(first["received_at"])
    assert moment(first["scanned_at"]) == received - timedelta(minutes=5)
    assert moment(second["scanned_at"]) == received - timedelta(minutes=4)
    assert moment(early["scanned_at"]) == received - timedelta(minutes=15)
    assert first["offline_status"] == "ok" and first["gate"] == "B"
    assert moment(results[0]["result"]["checked_in_at"]) == moment(first["scanned_at"])
    assert results[0]["result"]["customer"]["name"] == "Nguyễn Thị Hương 0"
    arrived = {g["customer_id"]: g for g in _guests(client, admin, event.event_id)}
    assert moment(arrived[event.customer_ids[0]]["checked_in_at"]) == moment(
        first["scanned_at"])
    assert arrived[event.customer_ids[2]]["checked_in_at"] is None


def test_a_scan_time_after_the_upload_is_taken_as_now(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    sent_at = utcnow()
    upload(client, gate, [by_lookup(kiosk_copy(client, gate), event.codes[0],
                                    sent_at + timedelta(hours=1))], sent_at=sent_at)
    [logged] = scan_log(client, admin, event.event_id)
    assert logged["scanned_at"] == logged["received_at"]


def test_a_retried_batch_gets_the_same_answers_and_checks_in_once(client, admin):
    event = seed_seminar(client, admin.headers, guests=2)
    gate = device(client, admin, event.event_id)
    copy = kiosk_copy(client, gate)
    now = utcnow()
    batch = [by_lookup(copy, event.codes[0], now - timedelta(seconds=30)),
             by_code("not a code", now - timedelta(seconds=20)),
             by_lookup(copy, event.codes[0], now - timedelta(seconds=10),
                       shown="already_checked_in")]
    first = upload(client, gate, batch, sent_at=now)
    again = upload(client, gate, batch, sent_at=now + timedelta(seconds=40))
    assert again == first
    assert [r["result"]["status"] for r in first] == ["ok", "invalid", "already_checked_in"]
    assert [r["conflict"] for r in first] == [False, False, False]  # the kiosk said so too
    assert len(scan_log(client, admin, event.event_id)) == 3
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1 and stats["entries"] == 1


def test_a_live_scan_the_kiosk_gave_up_on_is_answered_as_recorded(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    copy = kiosk_copy(client, gate)
    live = client.post("/api/v1/checkins", headers=gate, json={
        "code": event.codes[0], "event_id": event.event_id, "scan_id": "slow-1"}).json()
    [result] = upload(client, gate, [by_lookup(copy, event.codes[0], utcnow(),
                                               scan_id="slow-1")], sent_at=utcnow())
    assert result["result"] == live and result["conflict"] is False
    assert [s["offline_status"] for s in scan_log(client, admin, event.event_id)] == [None]


def test_cards_codes_unknown_to_the_copy_and_forged_lookups(client, admin):
    event = seed_seminar(client, admin.headers, guests=3)
    card = client.post(f"/api/v1/customers/{event.customer_ids[0]}/card",
                       headers=admin.headers).json()
    gate = device(client, admin, event.event_id)
    copy = kiosk_copy(client, gate)
    newcomer = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Trần Văn Mới", "phone": "0987000111"}).json()
    [invited] = client.post(f"/api/v1/events/{event.event_id}/invitations",
                            headers=admin.headers,
                            json={"customer_ids": [newcomer["id"]]}).json()
    forged = by_lookup(copy, event.codes[1], utcnow())
    forged["lookup"] = "A" * 22
    someone_else = by_lookup(copy, event.codes[2], utcnow())
    someone_else["ref"] = by_lookup(copy, event.codes[1], utcnow())["ref"]
    now = utcnow()
    results = upload(client, gate, [
        by_lookup(copy, card["code"], now), by_code(invited["code"], now, shown="invalid"),
        forged, someone_else,
    ], sent_at=now)
    assert [r["result"]["status"] for r in results] == ["ok", "ok", "invalid", "invalid"]
    assert results[0]["result"]["customer"]["id"] == event.customer_ids[0]
    assert results[1]["result"]["customer"]["name"] == "Trần Văn Mới"
    assert all(r["result"]["customer"] is None for r in results[2:])
    log = scan_log(client, admin, event.event_id)
    assert [s["customer_id"] for s in log] == [event.customer_ids[0], newcomer["id"],
                                               None, None]
    assert log[2]["unknown_code"] == f"lookup:{'A' * 22}"
    assert log[1]["unknown_code"] is None  # a valid code is a credential: not kept
    arrived = [g for g in _guests(client, admin, event.event_id) if g["checked_in_at"]]
    assert {g["customer_id"] for g in arrived} == {event.customer_ids[0], newcomer["id"]}


def test_a_code_sealed_by_the_kiosk_is_judged_as_the_code_and_only_the_server_opens_it(
        client, admin):
    """A code the copy did not know comes up sealed to the server's key: opened, it is
    judged as if scanned (a guest invited after the copy is checked in; garbage is kept as
    an unknown code). One that does not open is an invalid scan, and the batch is taken."""
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    copy = kiosk_copy(client, gate)
    assert len(unb64(copy["upload_key"])) == 65  # an uncompressed P-256 point
    newcomer = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Lê Thị Sau", "phone": "0987000222"}).json()
    [invited] = client.post(f"/api/v1/events/{event.event_id}/invitations",
                            headers=admin.headers,
                            json={"customer_ids": [newcomer["id"]]}).json()
    now = utcnow()
    late, garbage, broken = (
        {**by_code("x", now), "code": None, "sealed_code": sealed(text, copy)}
        for text in (invited["code"], "Bánh mì 42", "ignored"))
    broken["sealed_code"] = broken["sealed_code"][:-4] + "AAAA"  # its tag no longer holds
    results = upload(client, gate, [late, garbage, broken], sent_at=now)
    assert [r["result"]["status"] for r in results] == ["ok", "invalid", "invalid"]
    assert results[0]["result"]["customer"]["name"] == "Lê Thị Sau"
    log = scan_log(client, admin, event.event_id)
    assert [s["unknown_code"] for s in log] == [None, "Bánh mì 42", "sealed:?"]
    # The copy's key is the server's alone: the same for every copy, another server's differs.
    assert kiosk_copy(client, device(client, admin, event.event_id, "B"))["upload_key"] == (
        copy["upload_key"])
    assert offline_copy.upload_public_key(b"another server's secret") != copy["upload_key"]


def test_one_guest_let_in_offline_at_two_gates_is_checked_in_once_and_flagged(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate_a = device(client, admin, event.event_id, gate="A")
    gate_b = device(client, admin, event.event_id, gate="B")
    copy_a, copy_b = kiosk_copy(client, gate_a), kiosk_copy(client, gate_b)
    now = utcnow()
    [at_a] = upload(client, gate_a, [by_lookup(copy_a, event.codes[0],
                                               now - timedelta(minutes=3))], sent_at=now)
    [at_b] = upload(client, gate_b, [by_lookup(copy_b, event.codes[0],
                                               now - timedelta(minutes=1))], sent_at=now)
    assert at_a["result"]["status"] == "ok" and at_a["conflict"] is False
    assert at_b["result"]["status"] == "already_checked_in" and at_b["conflict"] is True
    assert at_b["result"]["gate"] == "A"
    assert at_b["result"]["first_checked_in_at"] == at_a["result"]["checked_in_at"]
    stats = client.get(f"/api/v1/events/{event.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1
    first, second = scan_log(client, admin, event.event_id)
    assert (first["conflict"], second["conflict"]) == (False, True)
    assert second["gate"] == "B" and second["offline_status"] == "ok"
    # The monitor's feed, replayed from the record, says both gates and times.
    with client.websocket_connect(f"/api/v1/events/{event.event_id}/live?after=0",
                                  headers=admin.headers) as monitor:
        replayed = [json.loads(monitor.receive_text()) for _ in range(2)]
    ok, duplicate = replayed
    assert ok["offline"] is True and ok["conflict"] is False and ok["gate"] == "A"
    assert duplicate["offline"] is True and duplicate["conflict"] is True
    assert duplicate["offline_status"] == "ok" and duplicate["status"] == "already_checked_in"
    assert duplicate["gate"] == "B" and duplicate["result"]["gate"] == "A"
    assert moment(duplicate["scanned_at"]) == moment(second["scanned_at"])
    assert moment(duplicate["received_at"]) == moment(second["received_at"])
    assert moment(duplicate["result"]["first_checked_in_at"]) == moment(first["scanned_at"])


def test_an_online_scan_in_the_feed_is_marked_as_online(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    client.post("/api/v1/checkins", headers=admin.headers,
                json={"code": event.codes[0], "event_id": event.event_id})
    with client.websocket_connect(f"/api/v1/events/{event.event_id}/live?after=0",
                                  headers=admin.headers) as monitor:
        update = json.loads(monitor.receive_text())
    assert (update["offline"], update["offline_status"], update["received_at"],
            update["conflict"]) == (False, None, None, False)


def _refusal(client, headers, body) -> list[str]:
    answer = client.post("/api/v1/kiosk/uploads", headers=headers, json=body)
    assert answer.status_code == 422, answer.text
    return sorted({error["type"] for error in answer.json()["detail"]})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_bodies_are_refused_with_their_codes(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    gate = device(client, admin, event.event_id)
    copy = kiosk_copy(client, gate)
    now = utcnow()
    good = by_lookup(copy, event.codes[0], now)
    sent = now.isoformat()
    assert _refusal(client, gate, {"sent_at": sent, "scans": [good] * 101}) == ["too_long"]
    assert _refusal(client, gate, {"sent_at": sent, "scans": []}) == ["too_short"]
    assert _refusal(client, gate, {"scans": [good]}) == ["missing"]
    assert _refusal(client, gate, {"sent_at": "2026-05-01T10:00:00", "scans": [good]}) == [
        "timezone_aware"]
    both = {**good, "code": event.codes[0]}
    assert _refusal(client, gate, {"sent_at": sent, "scans": [both]}) == ["code_or_lookup"]
    no_ref = {k: v for k, v in good.items() if k != "ref"}
    assert _refusal(client, gate, {"sent_at": sent, "scans": [no_ref]}) == ["code_or_lookup"]
    twice = {**by_code(event.codes[0], now), "sealed_code": sealed(event.codes[0], copy)}
    assert _refusal(client, gate, {"sent_at": sent, "scans": [twice]}) == ["code_or_lookup"]
    not_sealed = {**by_code("x", now), "code": None, "sealed_code": "not sealed"}
    assert _refusal(client, gate, {"sent_at": sent, "scans": [not_sealed]}) == [
        "string_pattern_mismatch"]
    for field, value, code in [("lookup", "short", "string_pattern_mismatch"),
                               ("ref", 0, "greater_than_equal"),
                               ("offline_status", "maybe", "enum"),
                               ("scan_id", "a b", "string_pattern_mismatch"),
                               ("scanned_at", "yesterday", "datetime_from_date_parsing")]:
        assert _refusal(client, gate, {"sent_at": sent, "scans": [{**good, field: value}]}) == [
            code], field
    long_code = by_code("x" * 513, now)
    assert _refusal(client, gate, {"sent_at": sent, "scans": [long_code]}) == ["string_too_long"]
    assert len(scan_log(client, admin, event.event_id)) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_a_kiosk_device_uploads(client, admin):
    event = seed_seminar(client, admin.headers, guests=1)
    body = {"sent_at": utcnow().isoformat(), "scans": [by_code(event.codes[0], utcnow())]}
    refused = client.post("/api/v1/kiosk/uploads", headers=admin.headers, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_kiosk"
    assert client.post("/api/v1/kiosk/uploads", json=body).status_code == 401
    assert len(scan_log(client, admin, event.event_id)) == 0
