"""The audit log as the admin area reads it: who did each change by their name, what it was
done to by what people call it (a customer's full name, an event's name), and filters by
person, kind and the shop's calendar days."""

import re
from datetime import UTC, datetime
from pathlib import Path

from kiosk_server.audit.models import AuditEntry, AuditKind
from tests.conftest import open_event_body

HANG = "Nguyễn Thị Hằng"


def _log(client, admin, **params):
    answer = client.get("/api/v1/audit", headers=admin.headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _changes(client, h, admin_h):
    """One change to each kind of thing a staff member changes (a reward by an admin)."""
    customer = client.post("/api/v1/customers", headers=h,
                           json={"full_name": HANG, "phone": "0912 345 678"}).json()
    cid = customer["id"]
    assert client.post(f"/api/v1/customers/{cid}/card", headers=h).status_code == 201
    event = client.post("/api/v1/events", headers=h, json=open_event_body(
        name="Hội thảo mùa thu")).json()
    [invitation] = client.post(f"/api/v1/events/{event['id']}/invitations", headers=h,
                               json={"customer_ids": [cid]}).json()
    assert client.post(f"/api/v1/events/{event['id']}/pairings", headers=h,
                       json={"gate": "A"}).status_code == 201
    assert client.post(f"/api/v1/events/{event['id']}/devices", headers=h,
                       json={"name": "Máy cổng B", "gate": "B"}).status_code == 201
    assert client.delete(f"/api/v1/events/{event['id']}/invitations/{invitation['id']}",
                         headers=h).status_code == 200
    assert client.post(f"/api/v1/customers/{cid}/purchases", headers=h, json={
        "amount_vnd": 1_000_000, "items": "Áo dài", "request_id": "r1"}).status_code == 201
    reward = client.post("/api/v1/rewards", headers=admin_h,
                         json={"name": "Bánh kem", "points_cost": 10}).json()
    assert client.post(f"/api/v1/customers/{cid}/redemptions", headers=h, json={
        "reward_id": reward["id"], "request_id": "r2"}).status_code == 201
    assert client.post(f"/api/v1/customers/{cid}/coupons", headers=h,
                       json={"benefit": "Giảm 10%"}).status_code == 201
    assert client.post(f"/api/v1/customers/{cid}/complaints", headers=h,
                       json={"text": "Chờ lâu"}).status_code == 201


def test_each_entry_names_who_did_it_and_what_it_was_done_to(client, admin):
    renamed = client.patch(f"/api/v1/staff/{admin.staff_id}", headers=admin.headers,
                           json={"full_name": "Trần Thị Lan"})
    assert renamed.status_code == 200
    token = client.post(f"/api/v1/staff/{admin.staff_id}/tokens", headers=admin.headers,
                        json={"label": "máy tính bảng"})
    assert token.status_code == 201, token.text
    _changes(client, admin.headers, admin.headers)
    labels = {entry["action"]: (entry["staff_name"], entry["target_label"])
              for entry in _log(client, admin)}
    lan = "Trần Thị Lan"
    assert labels == {
        "complaint.open": (lan, HANG), "coupon.issue": (lan, HANG),
        "reward.redeem": (lan, HANG), "reward.create": (lan, "Bánh kem"),
        "purchase.create": (lan, HANG), "invitation.cancel": (lan, HANG),
        "device.create": (lan, "Máy cổng B"), "pairing.create": (lan, "Hội thảo mùa thu"),
        "event.invite": (lan, "Hội thảo mùa thu"), "event.create": (lan, "Hội thảo mùa thu"),
        "card.issue": (lan, HANG), "customer.create": (lan, HANG),
        "token.create": (lan, lan), "staff.update": (lan, lan),
    }
    assert _log(client, admin)[0]["staff_username"] == "admin"  # kept as it was


def test_the_log_is_filtered_by_person_and_kind(client, admin, clerk):
    _changes(client, clerk.headers, admin.headers)
    client.post("/api/v1/customers", headers=admin.headers, json={"full_name": "Lê Văn Tám"})
    mine = _log(client, admin, staff_id=clerk.staff_id)
    assert len(mine) == 11 and {e["staff_username"] for e in mine} == {"clerk"}
    assert [e["target_label"] for e in _log(client, admin, staff_id=admin.staff_id)] == [
        "Lê Văn Tám", "Bánh kem"]
    customers = _log(client, admin, kind="customer")
    assert [(e["action"], e["target_label"]) for e in customers] == [
        ("customer.create", "Lê Văn Tám"), ("customer.create", HANG)]
    assert [e["action"] for e in _log(client, admin, kind="reward")] == [
        "reward.redeem", "reward.create"]
    both = _log(client, admin, kind="customer", staff_id=clerk.staff_id, limit=1)
    assert [e["target_label"] for e in both] == [HANG]


def test_days_are_the_shops_calendar_days(client, admin, db):
    # Asia/Ho_Chi_Minh is UTC+7: 16:59:59 UTC is 23:59:59 there, 17:00 UTC the next day.
    with db.session() as session:
        for moment in ("2026-12-04T16:59:59", "2026-12-04T17:00:00", "2026-12-05T16:59:59",
                       "2026-12-05T17:00:00"):
            session.add(AuditEntry(at=datetime.fromisoformat(moment).replace(tzinfo=UTC),
                                   staff_id=admin.staff_id, staff_username="admin",
                                   action="event.update", target_type="events",
                                   target_id=None, details={"at": moment}))

    def moments(**params):
        return [e["details"]["at"] for e in _log(client, admin, **params)]
    assert moments(**{"from": "2026-12-05", "to": "2026-12-05"}) == [
        "2026-12-05T16:59:59", "2026-12-04T17:00:00"]
    assert moments(**{"from": "2026-12-06"}) == ["2026-12-05T17:00:00"]
    assert moments(to="2026-12-04") == ["2026-12-04T16:59:59"]
    assert len(moments(**{"from": "2026-12-04", "to": "2026-12-06"})) == 4
    assert len(moments(**{"from": "0001-01-01", "to": "9999-12-31"})) == 4  # no overflow
    assert moments(**{"from": "9999-12-31"}) == [] and moments(to="0001-01-01") == []


def test_a_filter_that_means_nothing_is_refused_with_its_code(client, admin):

    def refused(**params):
        return client.get("/api/v1/audit", headers=admin.headers, params=params)
    for params in ({"kind": "cards"}, {"from": "2026-13-01"}, {"to": "yesterday"},
                   {"staff_id": 0}, {"staff_id": "lan"}):
        answer = refused(**params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["detail"][0]["loc"][0] == "query"
    backwards = refused(**{"from": "2026-12-06", "to": "2026-12-05"})
    assert backwards.status_code == 400
    assert backwards.json()["error"]["code"] == "date_range"
    assert backwards.json()["error"]["field"] == "from"


def test_every_action_recorded_is_of_a_known_kind():
    source = Path(__file__).resolve().parents[2] / "kiosk_server"
    actions = {match for path in source.rglob("*.py")
               for match in re.findall(r'\.record\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text())}
    assert len(actions) >= 30
    assert {action.split(".")[0] for action in actions} == {kind.value for kind in AuditKind}


def _ok(response, status=(200, 201, 202, 204)):
    assert response.status_code in status, response.text
    return response.json() if response.status_code != 204 else None


def _every_other_change(client, admin):
    """The changes `_changes` leaves out, each by the admin."""
    h = admin.headers
    cid = client.get("/api/v1/customers", headers=h, params={"q": "hang"}).json()["items"][0]["id"]
    _ok(client.post(f"/api/v1/customers/{cid}/notes", headers=h, json={"text": "Thích trà"}))
    _ok(client.patch(f"/api/v1/customers/{cid}", headers=h, json={"tags": ["vip"]}))
    _ok(client.post(f"/api/v1/customers/{cid}/portal-link", headers=h))
    sale = _ok(client.post(f"/api/v1/customers/{cid}/purchases", headers=h, json={
        "amount_vnd": 500_000, "items": "Khăn", "request_id": "r3"}))
    _ok(client.post(f"/api/v1/purchases/{sale['purchase']['id']}/void", headers=h,
                    json={"reason": "Nhập nhầm"}))
    reward = client.get("/api/v1/rewards", headers=h).json()[0]
    _ok(client.patch(f"/api/v1/rewards/{reward['id']}", headers=h, json={"points_cost": 5}))
    redeemed = _ok(client.post(f"/api/v1/customers/{cid}/redemptions", headers=h, json={
        "reward_id": reward["id"], "request_id": "r4"}))
    _ok(client.post(f"/api/v1/redemptions/{redeemed['redemption']['id']}/void", headers=h,
                    json={"reason": "Khách đổi ý"}))
    coupon = _ok(client.post(f"/api/v1/customers/{cid}/coupons", headers=h,
                             json={"benefit": "Tặng nước"}))
    _ok(client.post("/api/v1/coupons/redeem", headers=h, json={
        "code": coupon["code"], "customer_id": cid, "request_id": "r5"}))
    complaint = _ok(client.post(f"/api/v1/customers/{cid}/complaints", headers=h,
                                json={"text": "Ồn"}))
    _ok(client.post(f"/api/v1/complaints/{complaint['id']}/status", headers=h,
                    json={"status": "contacted", "note": "Đã gọi"}))
    _ok(client.post(f"/api/v1/complaints/{complaint['id']}/resolve", headers=h,
                    json={"resolution": "Đã xin lỗi"}))
    event = client.get("/api/v1/events", headers=h).json()[0]
    _ok(client.patch(f"/api/v1/events/{event['id']}", headers=h, json={"capacity": 300}))
    _ok(client.post(f"/api/v1/events/{event['id']}/exports", headers=h,
                    json={"kind": "invitations_zip"}))
    assert client.get("/api/v1/reports/customers.csv", headers=h).status_code == 200
    _ok(client.post(f"/api/v1/events/{event['id']}/invitation-sends", headers=h, json={}))
    other = _ok(client.post("/api/v1/customers", headers=h, json={
        "full_name": "Vũ Thị Lan Anh", "phone": "0911 222 333"}))
    _ok(client.post(f"/api/v1/events/{event['id']}/invitations", headers=h,
                    json={"customer_ids": [other["id"]]}))
    _ok(client.post("/api/v1/checkins", headers=h, json={
        "customer_id": other["id"], "event_id": event["id"], "gate": "A"}))
    _ok(client.post(f"/api/v1/events/{event['id']}/guests/{other['id']}/checkin/undo",
                    headers=h))
    staff = _ok(client.post("/api/v1/staff", headers=h, json={
        "username": "thungan", "full_name": "Phạm Thu Ngân", "password": "thu ngân 2026"}))
    _ok(client.patch(f"/api/v1/staff/{staff['id']}", headers=h, json={"role": "admin"}))
    _ok(client.post(f"/api/v1/staff/{staff['id']}/password", headers=h,
                    json={"password": "mật khẩu mới"}))
    token = _ok(client.post(f"/api/v1/staff/{staff['id']}/tokens", headers=h,
                            json={"label": "quầy 2"}))
    _ok(client.delete(f"/api/v1/staff/{staff['id']}/tokens/{token['id']}", headers=h))
    device = client.get("/api/v1/devices", headers=h).json()[0]
    _ok(client.patch(f"/api/v1/devices/{device['id']}", headers=h, json={"name": "Cổng chính"}))
    _ok(client.delete(f"/api/v1/devices/{device['id']}", headers=h))
    _ok(client.post("/api/v1/checkout/customers", headers=h, json={
        "full_name": "Đỗ Văn Bình", "phone": "0987 654 321"}))
    leaving = _ok(client.post("/api/v1/customers", headers=h, json={
        "full_name": "Hồ Thị Thu", "phone": "0911 222 444"}))
    assert client.get(f"/api/v1/customers/{leaving['id']}/export", headers=h).status_code == 200
    _ok(client.post(f"/api/v1/customers/{leaving['id']}/erase", headers=h,
                    json={"confirm": True}))
    _ok(client.put("/api/v1/feedback-settings", headers=h, json={
        "followup_enabled": True, "followup_delay_minutes": 60, "thanks_enabled": False,
        "thanks_kind": "percent", "thanks_value": 10, "thanks_valid_days": 30}))
    # Recorded whether the fit succeeds or is refused (this short history): an admin tried.
    _ok(client.post("/api/v1/retention/model/fit", headers=h), status=(200, 409))
    _ok(client.put("/api/v1/retention-settings", headers=h, json={
        "min_intervals": 3, "watch_overdue": 1.5, "at_risk_overdue": 2.0, "lapsed_overdue": 3.0,
        "watch_spend_drop_pct": 20, "at_risk_spend_drop_pct": 50, "lapsed_after_days": 120}))
    flag = _ok(client.post(f"/api/v1/customers/{cid}/leaving-flags", headers=h, json={
        "words": "Chê giá cao", "place": "customer_page", "client_key": "flag-0001"}))
    case = f"/api/v1/calls/cases/{flag['case_id']}"
    _ok(client.put(f"{case}/assignee", headers=h, json={"staff_id": admin.staff_id}))
    _ok(client.post(f"{case}/calls", headers=h, json={"outcome": "no_answer",
                                                     "client_key": "call-0001"}))
    _ok(client.post(f"{case}/close", headers=h))
    _ok(client.put("/api/v1/calls/settings", headers=h, json={
        "script": "Vì sao?", "hold_out_pct": 5, "win_back_days": 30, "exit_survey": False}))
    campaign = _ok(client.post("/api/v1/campaigns", headers=h, json={"name": "Tri ân Tết"}))
    _ok(client.patch(f"/api/v1/campaigns/{campaign['id']}", headers=h, json={
        "subject_vi": "Chúc mừng năm mới", "text_vi": "Chào {{name}}, cảm ơn anh/chị."}))
    dropped = _ok(client.post("/api/v1/campaigns", headers=h, json={"name": "Nháp bỏ"}))
    _ok(client.delete(f"/api/v1/campaigns/{dropped['id']}", headers=h))
    for step in ("start", "pause", "resume", "cancel"):
        _ok(client.post(f"/api/v1/campaigns/{campaign['id']}/{step}", headers=h))
    _ok(client.post("/api/v1/auth/password", headers=h, json={
        "current_password": "correct horse battery", "new_password": "ngựa đúng pin"}))


def test_every_action_names_its_target(client, admin):
    _changes(client, admin.headers, admin.headers)
    _every_other_change(client, admin)
    log = _log(client, admin, limit=200)
    # A deleted draft is gone: the entry of its deletion keeps its name in the details.
    deleted = {e["target_id"] for e in log if e["action"] == "campaign.delete"}
    # A report of the whole shop (the customers, the sales) is about no one in particular.
    unnamed = [(e["action"], e["target_type"]) for e in log if not e["target_label"]
               and not (e["target_type"] == "campaigns" and e["target_id"] in deleted)
               and e["target_type"] != "reports"]
    assert unnamed == []
    recorded = {e["action"] for e in log}
    source = Path(__file__).resolve().parents[2] / "kiosk_server"
    every = {match for path in source.rglob("*.py")
             for match in re.findall(r'\.record\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text())}
    # The two CSV imports are about many rows at once: their entries name no one.
    assert recorded == every - {"customer.import", "event.import_invitations"}
    labels = {e["action"]: e["target_label"] for e in log}
    assert labels["device.revoke"] == "Cổng chính" and labels["export.create"] == "Hội thảo mùa thu"
    assert labels["token.revoke"] == "Phạm Thu Ngân" and labels["coupon.use"] == HANG
    assert labels["customer.sign_up"] == "Đỗ Văn Bình"
    assert labels["checkin.undo"] == "Vũ Thị Lan Anh"
    assert labels["campaign.update"] == "Tri ân Tết"
