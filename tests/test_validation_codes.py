"""A refused value's 422 names what is wrong by a stable machine code (`type`), never only
by English text: the pages turn each code into a sentence in their language."""

import pytest

from tests.conftest import open_event_body


def _problems(response):
    assert response.status_code == 422, response.text
    return [(item["type"], item["loc"]) for item in response.json()["detail"]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_refusal_of_a_validator_has_its_own_code(client, admin):
    h = admin.headers
    assert _problems(client.post("/api/v1/events", headers=h, json=open_event_body(
        starts_at="2026-12-01T10:00:00Z", ends_at="2026-12-01T09:00:00Z"))) == [
        ("ends_before_start", ["body"])]
    assert _problems(client.post("/api/v1/events", headers=h, json=open_event_body(
        checkin_opens_at="2026-12-01T10:00:00Z", checkin_closes_at="2026-12-01T09:00:00Z"))) == [
        ("checkin_closes_before_opens", ["body"])]
    assert _problems(client.post("/api/v1/events", headers=h, json=open_event_body(
        starts_at="1999-12-31T23:00:00Z"))) == [("time_out_of_range", ["body", "starts_at"])]
    assert _problems(client.post("/api/v1/customers", headers=h, json={
        "full_name": "   ", "phone": "0912000001", "email": "not-an-address",
        "tags": ["x" * 40]})) == [
        ("name_empty", ["body", "full_name"]), ("email_invalid", ["body", "email"]),
        ("tag_length", ["body", "tags", 0])]
    assert _problems(client.post("/api/v1/customers", headers=h, json={
        "full_name": "Lan\x07", "phone": "0912000001"})) == [
        ("control_characters", ["body", "full_name"])]
    assert _problems(client.post("/api/v1/checkins", headers=h, json={
        "event_id": 1, "gate": "A", "scan_id": "s1"})) == [("code_or_customer", ["body"])]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_short_password_is_a_string_too_short_like_any_other_text(client, admin):
    refused = client.post("/api/v1/staff", headers=admin.headers, json={
        "username": "lan", "full_name": "Lan", "password": "short"})
    assert _problems(refused) == [("string_too_short", ["body", "password"])]
    assert refused.json()["detail"][0]["ctx"] == {"min_length": 8}
