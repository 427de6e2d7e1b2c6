"""The shop's follow-up settings: off by default, changed by admins only, each change in the
audit log, bad values refused with codes."""

from tests.feedback.test_followup import SETTINGS


def test_off_by_default_and_readable_by_staff(client, clerk):
    answer = client.get("/api/v1/feedback-settings", headers=clerk.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["followup_enabled"] is False and body["thanks_enabled"] is False
    assert body["followup_delay_minutes"] == 120 and body["followup_enabled_since"] is None
    assert body["thanks_benefit"] == "Giảm 10% cho lần ghé tới · 10% off your next visit"
    assert client.get("/api/v1/feedback-settings").status_code == 401


def test_an_admin_changes_them_a_staff_member_cannot(client, admin, clerk):
    refused = client.put("/api/v1/feedback-settings", headers=clerk.headers, json=SETTINGS)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    saved = client.put("/api/v1/feedback-settings", headers=admin.headers, json=SETTINGS)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["followup_enabled"] is True and body["followup_delay_minutes"] == 0
    assert body["followup_enabled_since"] is not None and body["updated_by"] == admin.staff_id
    assert client.get("/api/v1/feedback-settings", headers=clerk.headers).json() == body
    again = client.put("/api/v1/feedback-settings", headers=admin.headers, json=SETTINGS)
    assert again.json()["followup_enabled_since"] == body["followup_enabled_since"]
    thanks = client.put("/api/v1/feedback-settings", headers=admin.headers, json={
        **SETTINGS, "thanks_enabled": True, "thanks_kind": "amount", "thanks_value": 50_000})
    assert thanks.json()["thanks_benefit"] == (
        "Giảm 50.000 ₫ cho lần ghé tới · 50.000 ₫ off your next visit")
    log = client.get("/api/v1/audit", headers=admin.headers, params={"kind": "settings"})
    entries = log.json()["items"]
    assert [entry["action"] for entry in entries] == ["settings.feedback"] * 2  # not the same
    assert entries[0]["details"] == {"thanks_enabled": True, "thanks_kind": "amount",
                                     "thanks_value": 50_000}
    assert entries[1]["details"] == {"followup_enabled": True, "followup_delay_minutes": 0}


def test_bad_values_are_refused_with_codes(client, admin):
    cases = [({"followup_delay_minutes": -1}, "greater_than_equal", "followup_delay_minutes"),
             ({"followup_delay_minutes": 7 * 24 * 60 + 1}, "less_than_equal",
              "followup_delay_minutes"),
             ({"thanks_value": 150}, "percent_too_high", None),
             ({"thanks_value": 0}, "greater_than_equal", "thanks_value"),
             ({"thanks_valid_days": 0}, "greater_than_equal", "thanks_valid_days"),
             ({"thanks_kind": "gift"}, "enum", "thanks_kind"),
             ({"followup_enabled": "yes"}, "bool_type", "followup_enabled"),
             ({"followup_delay_minutes": "60"}, "int_type", "followup_delay_minutes")]
    for change, code, field in cases:
        answer = client.put("/api/v1/feedback-settings", headers=admin.headers,
                            json={**SETTINGS, **change})
        assert answer.status_code == 422, (change, answer.text)
        [problem] = answer.json()["detail"]
        assert problem["type"] == code, (change, problem)
        assert problem["loc"] == (["body", field] if field else ["body"])
    assert client.get("/api/v1/feedback-settings", headers=admin.headers).json()[
        "followup_enabled"] is False
