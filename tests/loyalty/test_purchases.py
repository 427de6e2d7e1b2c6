"""Purchases at the till: points and tiers at their boundaries, once per request, voids."""

import uuid
from datetime import timedelta

import pytest

from kiosk_server.core.config import Settings
from kiosk_server.core.types import utcnow
from kiosk_server.loyalty.service import add_points, points_for, tier_for, tiers_of


def _buy(client, headers, customer_id, amount, request_id=None, **extra):
    return client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers, json={
        "amount_vnd": amount,
        "request_id": uuid.uuid4().hex if request_id is None else request_id, **extra})


@pytest.mark.parametrize(("amount", "points"), [(1, 0), (9_999, 0), (10_000, 1), (19_999, 1),
                                                (20_000, 2), (10_000_000_000, 1_000_000)])
def test_one_point_per_10000_dong_rounded_down(amount, points):
    assert points_for(amount, Settings(_env_file=None)) == points


@pytest.mark.parametrize(("spend", "tier", "following", "to_next"), [
    (0, "Thành viên", "Bạc", 5_000_000), (4_999_999, "Thành viên", "Bạc", 1),
    (5_000_000, "Bạc", "Vàng", 15_000_000), (19_999_999, "Bạc", "Vàng", 1),
    (20_000_000, "Vàng", None, None), (10**12, "Vàng", None, None)])
def test_tiers_at_their_thresholds(spend, tier, following, to_next):
    current, above = tier_for(spend, tiers_of(Settings(_env_file=None)))
    assert current.name == tier
    assert (above.name if above else None) == following
    assert (above.threshold_vnd - spend if above else None) == to_next


def test_tiers_and_points_are_configurable():
    settings = Settings(_env_file=None, loyalty_tiers="Member:0,Gold:1000",
                        loyalty_vnd_per_point=1000)
    assert [t.name for t in tiers_of(settings)] == ["Member", "Gold"]
    assert points_for(2_500, settings) == 2
    with pytest.raises(ValueError):
        Settings(_env_file=None, loyalty_tiers="Gold:1000")  # the lowest tier starts at 0


def test_a_purchase_earns_points_is_a_visit_and_moves_the_tier(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    first = _buy(client, admin.headers, customer_id, 4_000_000, items="Máy pha cà phê")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["purchase"]["points"] == 400 and body["purchase"]["staff_id"] == admin.staff_id
    assert (body["status"]["tier"], body["new_tier"]) == ("Thành viên", False)
    assert body["status"]["to_next_tier_vnd"] == 1_000_000
    second = _buy(client, admin.headers, customer_id, 1_000_000).json()
    assert (second["tier_before"], second["status"]["tier"], second["new_tier"]) == (
        "Thành viên", "Bạc", True)
    assert second["status"]["points"] == 500
    assert second["status"]["spend_12m_vnd"] == second["status"]["total_spend_vnd"] == 5_000_000
    visits = client.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers).json()
    assert [(v["kind"], v["staff_id"]) for v in visits] == [("purchase", admin.staff_id)] * 2
    customer = client.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
    assert customer["visit_count"] == 2


def test_a_retried_purchase_is_recorded_once(client, admin, seminar):
    customer_id = seminar.customer_ids[1]
    first = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0001")
    again = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["purchase"]["id"] == first.json()["purchase"]["id"]
    assert again.json()["status"]["points"] == 15
    other = _buy(client, admin.headers, customer_id, 999_000, request_id="till-1-0001")
    assert other.status_code == 409 and other.json()["error"]["field"] == "request_id"
    purchases = client.get(f"/api/v1/customers/{customer_id}/purchases",
                           headers=admin.headers).json()
    assert len(purchases) == 1
    visits = client.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers)
    assert len(visits.json()) == 1


def test_a_request_id_sent_again_with_other_items_is_refused(client, admin, seminar):
    customer_id = seminar.customer_ids[1]
    first = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0002",
                 items="Áo dài lụa")
    same = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0002",
                items="Áo dài lụa")
    other = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0002",
                 items="Khăn lụa")
    none = _buy(client, admin.headers, customer_id, 150_000, request_id="till-1-0002")
    assert (first.status_code, same.status_code) == (201, 200)
    for refused in (other, none):
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("request_reused", "request_id")
    purchases = client.get(f"/api/v1/customers/{customer_id}/purchases",
                           headers=admin.headers).json()
    assert [p["items"] for p in purchases] == ["Áo dài lụa"]


def test_a_void_takes_back_points_and_spend_and_only_an_admin_may(client, admin, clerk,
                                                                 seminar):
    customer_id = seminar.customer_ids[2]
    bought = _buy(client, clerk.headers, customer_id, 6_000_000).json()
    assert bought["status"]["tier"] == "Bạc"
    purchase_id = bought["purchase"]["id"]
    refused = client.post(f"/api/v1/purchases/{purchase_id}/void", headers=clerk.headers,
                          json={"reason": "khách trả hàng"})
    assert refused.status_code == 403
    voided = client.post(f"/api/v1/purchases/{purchase_id}/void", headers=admin.headers,
                         json={"reason": "Khách trả hàng"})
    assert voided.status_code == 200 and voided.json()["voided_at"] is not None
    again = client.post(f"/api/v1/purchases/{purchase_id}/void", headers=admin.headers,
                        json={"reason": "lần hai"})
    assert again.json()["void_reason"] == "Khách trả hàng"  # unchanged
    standing = client.get(f"/api/v1/customers/{customer_id}/loyalty",
                          headers=admin.headers).json()
    assert (standing["points"], standing["spend_12m_vnd"], standing["tier"]) == (
        0, 0, "Thành viên")
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [e["action"] for e in log[:3]] == ["purchase.void", "purchase.void",
                                              "purchase.create"]


def test_spend_older_than_a_year_no_longer_counts_for_the_tier(client, admin, seminar, db):
    from kiosk_server.loyalty.models import Purchase

    customer_id = seminar.customer_ids[0]
    with db.session() as session:
        session.add(Purchase(customer_id=customer_id, amount_vnd=30_000_000, points=3_000,
                             request_id="old", occurred_at=utcnow() - timedelta(days=366)))
        add_points(session, customer_id=customer_id, points=3_000)
    standing = client.get(f"/api/v1/customers/{customer_id}/loyalty",
                          headers=admin.headers).json()
    assert standing["tier"] == "Thành viên" and standing["spend_12m_vnd"] == 0
    assert standing["points"] == 3_000 and standing["total_spend_vnd"] == 30_000_000


def test_bad_purchases_are_refused_and_nothing_is_recorded(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    for amount, request_id in ((0, "a"), (-5, "b"), (10_000_000_001, "c"), (1.5, "d"),
                               ("100", "e"), (1000, "có dấu"), (1000, "")):
        answer = _buy(client, admin.headers, customer_id, amount, request_id=request_id)
        assert answer.status_code == 422, (amount, request_id)
    assert _buy(client, admin.headers, 999_999, 1000).status_code == 404
    assert client.get(f"/api/v1/customers/{customer_id}/purchases",
                      headers=admin.headers).json() == []
