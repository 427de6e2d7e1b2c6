"""Customers' statuses and their thresholds, attacked against a running server: nobody
signed out, no kiosk device and no customer reads who is drifting away; another site cannot
change the thresholds through an admin's browser, nor a staff member; the list's paging
refuses what is not a cursor."""

from tests.retention.test_status import SETTINGS
from tests.security.conftest import EVIL
from tests.security.test_kiosk_reads import _device

READS = ["/api/v1/customers/{id}/status", "/api/v1/customer-statuses?status=at_risk",
         "/api/v1/status-changes?since=2026-01-01T00:00:00Z", "/api/v1/retention-settings"]


def test_only_staff_read_statuses(http, admin, event):
    device = _device(http, admin, event.event_id)
    customer_id = event.customer_ids[0]
    for path in READS:
        url = path.format(id=customer_id)
        assert http.get(url).status_code == 401, url
        refused = http.get(url, headers=device)
        assert refused.status_code in (401, 403), (url, refused.text)
        assert http.get(url, headers=admin.headers).status_code == 200, url


def test_another_site_or_a_staff_member_cannot_change_the_thresholds(victim, http, admin,
                                                                     clerk):
    lower = {**SETTINGS, "lapsed_after_days": 7}
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.put("/api/v1/retention-settings", json=lower, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    assert http.put("/api/v1/retention-settings", json=lower,
                    headers=clerk.headers).status_code == 403
    now = http.get("/api/v1/retention-settings", headers=admin.headers).json()
    assert now["lapsed_after_days"] == 180 and now["updated_by"] is None


def test_paging_and_times_out_of_range_are_refused_not_failed(http, admin):
    for query in ("status=at_risk&after=-1", "status=at_risk&after=99999999999",
                  "status=at_risk&limit=100000", "status=at_risk&after=abc", "status=%00"):
        answer = http.get(f"/api/v1/customer-statuses?{query}", headers=admin.headers)
        assert answer.status_code == 422, (query, answer.text)
    for since in ("1900-01-01T00:00:00Z", "2026-01-01T00:00:00", "yesterday"):
        answer = http.get("/api/v1/status-changes", headers=admin.headers,
                          params={"since": since})
        assert answer.status_code == 422, (since, answer.text)
    assert http.get("/api/v1/customers/99999999999/status",
                    headers=admin.headers).status_code == 422
