"""An admin at the counter: a customer's data handed over as a ZIP, or erased; what the staff
see afterwards."""

import io
import json
import uuid
import zipfile

import pytest

from tests.privacy.helpers import EMAIL, NAME, PHONE_NATIONAL, PHONE_TYPED, known_customer


@pytest.fixture
def known(client, admin):
    return known_customer(client, admin.headers)


def _erase(client, headers, customer_id: int, confirm: object = True):
    return client.post(f"/api/v1/customers/{customer_id}/erase", headers=headers,
                       json={"confirm": confirm})


def test_an_admin_downloads_the_customers_zip_and_it_is_audited(client, admin, known):
    answer = client.get(f"/api/v1/customers/{known.customer_id}/export", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert f"customer-{known.customer_id}.zip" in answer.headers["content-disposition"]
    document = json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("customer.json"))
    assert document["profile"]["full_name"] == NAME
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert (log[0]["action"], log[0]["target_id"], log[0]["target_label"]) == (
        "customer.export", known.customer_id, NAME)


def test_a_staff_member_who_is_not_an_admin_can_neither_export_nor_erase(client, clerk, known):
    assert client.get(f"/api/v1/customers/{known.customer_id}/export",
                      headers=clerk.headers).status_code == 403
    assert _erase(client, clerk.headers, known.customer_id).status_code == 403
    assert client.get(f"/api/v1/customers/{known.customer_id}/export").status_code == 401


def test_erasure_needs_its_confirmation(client, admin, known):
    refused = _erase(client, admin.headers, known.customer_id, confirm=False)
    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        "erasure_not_confirmed", "confirm")
    assert _erase(client, admin.headers, known.customer_id, confirm="yes").status_code == 422
    missing = _erase(client, admin.headers, 999)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "customer_not_found")
    assert client.get(f"/api/v1/customers/{known.customer_id}",
                      headers=admin.headers).json()["full_name"] == NAME


def test_staff_see_that_an_erased_customer_existed_not_who(client, admin, known):
    erased = _erase(client, admin.headers, known.customer_id)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert (body["full_name"], body["phone"], body["email"], body["notes"], body["tags"]) == (
        "", None, None, "", [])
    assert body["erased_at"] and body["visit_count"] == 2
    assert _erase(client, admin.headers, known.customer_id).json() == body  # once
    listed = client.get("/api/v1/customers", headers=admin.headers).json()["items"]
    assert [(c["id"], c["full_name"], c["erased_at"]) for c in listed] == [
        (known.customer_id, "", body["erased_at"])]
    for query in ("tran thi anh duong", "Dương", PHONE_TYPED, PHONE_NATIONAL, "654321"):
        found = client.get("/api/v1/customers", params={"q": query}, headers=admin.headers)
        assert found.json()["items"] == [], query
    log = client.get("/api/v1/audit", params={"limit": 200}, headers=admin.headers)
    assert NAME not in log.text and EMAIL not in log.text and "Dương" not in log.text
    entries = log.json()["items"]
    assert entries[0]["action"] == "customer.erase"
    assert entries[0]["details"] == {"member_number": known.customer_id, "by_customer": False}
    assert {e["target_label"] for e in entries if e["target_type"] == "customers"} == {
        f"#{known.customer_id}"}
    changed = next(e for e in entries if e["action"] == "customer.update")
    assert changed["details"] == {"consent_sms": True, "tags": []}  # which fields, not what


def test_an_erased_customer_cannot_be_changed_carded_invited_or_served(client, admin, known):
    reward = client.post("/api/v1/rewards", headers=admin.headers,
                         json={"name": "Ly cà phê", "points_cost": 1}).json()
    _erase(client, admin.headers, known.customer_id)
    h, cid = admin.headers, known.customer_id
    refused = [
        client.patch(f"/api/v1/customers/{cid}", headers=h, json={"full_name": NAME}),
        client.post(f"/api/v1/customers/{cid}/notes", headers=h, json={"text": "Quay lại"}),
        client.post(f"/api/v1/customers/{cid}/card", headers=h),
        client.post(f"/api/v1/events/{known.future_event_id}/invitations", headers=h,
                    json={"customer_ids": [cid]}),
        client.post(f"/api/v1/customers/{cid}/purchases", headers=h, json={
            "amount_vnd": 50_000, "request_id": uuid.uuid4().hex}),
        client.post(f"/api/v1/customers/{cid}/coupons", headers=h, json={"benefit": "Tặng bánh"}),
        client.post(f"/api/v1/customers/{cid}/redemptions", headers=h, json={
            "reward_id": reward["id"], "request_id": uuid.uuid4().hex}),
        client.get(f"/api/v1/customers/{cid}/checkout", headers=h),  # the till's panel
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in refused] == [
        (409, "customer_erased")] * len(refused)
    english = client.patch(f"/api/v1/customers/{cid}", headers={**h, "Accept-Language": "en"},
                           json={"notes": "x"})
    assert english.json()["error"]["message"].startswith("This customer's data was erased")
