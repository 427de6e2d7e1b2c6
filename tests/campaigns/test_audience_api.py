"""POST /api/v1/campaigns/audience: the live count under the segment builder, for staff;
bad rules are 422s that say which rule and why. GET /api/v1/campaigns/tiers."""

import pytest

from tests.campaigns.audience_helpers import plant


def ask(client, headers, segment, channel="email", **extra_headers):
    return client.post("/api/v1/campaigns/audience", headers={**headers, **extra_headers},
                       json={"segment": segment, "channel": channel})


def test_staff_see_who_is_reached_and_who_is_left_out_and_why(client, db, clerk):
    shop = plant(db)
    counted = ask(client, clerk.headers, {"rules": [{"kind": "all"}]})
    assert counted.status_code == 200, counted.text
    assert counted.json() == {"matched": 6, "reachable": 1, "left_out": {
        "no_consent": 1, "no_address": 1, "unsubscribed": 1, "erased": 1, "call_hold_out": 1}}
    silver_or_event = {"join": "or", "rules": [
        {"kind": "tier", "tiers": ["Bạc"]},
        {"kind": "attended", "event_id": shop.event_ids[0]}]}
    by_phone = ask(client, clerk.headers, silver_or_event, channel="sms").json()
    # An (reached), Chi (no SMS consent), Bình (no SMS consent), Giang (no phone)
    assert by_phone == {"matched": 4, "reachable": 1, "left_out": {
        "no_consent": 2, "no_address": 1, "unsubscribed": 0, "erased": 0, "call_hold_out": 0}}


def test_only_staff_may_count(client, db):
    refused = client.post("/api/v1/campaigns/audience",
                          json={"segment": {"rules": [{"kind": "all"}]}})
    assert refused.status_code == 401
    assert client.get("/api/v1/campaigns/tiers").status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_rules_are_422_with_a_code_and_the_rules_path(client, db, clerk):
    plant(db)
    unknown = ask(client, clerk.headers, {"rules": [{"kind": "all"}, {"kind": "tier",
                                                                      "tiers": ["Kim cương"]}]},
                  **{"Accept-Language": "en"})
    assert unknown.status_code == 422
    assert unknown.json()["error"] == {"code": "segment_unknown_tier",
                                       "message": "There is no tier Kim cương.",
                                       "field": "rules.1.tiers"}
    assert ask(client, clerk.headers, {"rules": [{"kind": "attended", "event_id": 4242}]}
               ).json()["error"]["code"] == "segment_unknown_event"
    reversed_days = ask(client, clerk.headers, {"rules": [
        {"kind": "registered", "from_day": "2026-05-02", "to_day": "2026-05-01"}]})
    assert reversed_days.status_code == 422
    assert reversed_days.json()["error"]["message"] == "Ngày bắt đầu ở sau ngày kết thúc."
    too_deep = {"rules": [{"kind": "group", "rules": [{"kind": "group", "rules": [
        {"kind": "group", "rules": [{"kind": "all"}]}]}]}]}
    assert ask(client, clerk.headers, too_deep).json()["error"]["code"] == "segment_too_deep"
    shape = ask(client, clerk.headers, {"rules": [{"kind": "spent", "min_vnd": -1}]})
    assert shape.status_code == 422
    assert [(item["type"], item["loc"][-1]) for item in shape.json()["detail"]] == [
        ("greater_than_equal", "min_vnd")]
    unknown_kind = ask(client, clerk.headers, {"rules": [{"kind": "weather"}]})
    assert unknown_kind.json()["detail"][0]["type"] == "union_tag_invalid"
    assert ask(client, clerk.headers, {"rules": [{"kind": "all"}]}, channel="fax"
               ).status_code == 422


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_segment_nested_beyond_reason_is_a_422_not_a_crash(client, clerk):
    nested: dict = {"kind": "all"}
    for _ in range(400):
        nested = {"kind": "group", "rules": [nested]}
    answer = ask(client, clerk.headers, nested)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "segment_too_deep"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_tiers_a_rule_may_name_lowest_first(client, clerk):
    tiers = client.get("/api/v1/campaigns/tiers", headers=clerk.headers)
    assert tiers.status_code == 200
    assert tiers.json() == [{"name": "Thành viên", "threshold_vnd": 0},
                            {"name": "Bạc", "threshold_vnd": 5_000_000},
                            {"name": "Vàng", "threshold_vnd": 20_000_000}]
