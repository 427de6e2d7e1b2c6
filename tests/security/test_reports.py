"""The reports hand out the whole customer list: only an admin gets them, never a staff
member, a kiosk device, a caller without credentials, or another site riding on an admin's
browser session."""

import pytest

from tests.security.conftest import EVIL
from tests.security.test_kiosk_reads import _device

REPORTS = ["customers.csv", "customers.xlsx", "attendance.csv?event_id={event}",
           "attendance.xlsx?event_id={event}", "sales.csv?from=2026-11-01&to=2026-11-02",
           "sales_by_staff.xlsx?from=2026-11-01&to=2026-11-02"]


@pytest.mark.parametrize("report", REPORTS)
def test_only_an_admin_downloads_a_report(http, admin, clerk, event, report):
    path = "/api/v1/reports/" + report.format(event=event.event_id)
    kiosk = _device(http, admin, event.event_id)
    assert http.get(path, headers=admin.headers).status_code == 200
    for headers, status in [(clerk.headers, 403), (kiosk, 403), ({}, 401),
                            ({"Authorization": "Bearer nonsense"}, 401)]:
        refused = http.get(path, headers=headers)
        assert refused.status_code == status, (headers, refused.text)
        assert refused.json()["error"]["code"] in ("forbidden", "not_authenticated")
        assert "Nguyễn" not in refused.text


def test_another_site_cannot_have_an_admins_browser_download_the_customers(victim, event):
    refused = victim.get("/api/v1/reports/customers.csv",
                         headers={"Sec-Fetch-Site": "cross-site", "Origin": EVIL})
    assert refused.status_code == 403, refused.text
    assert "Nguyễn" not in refused.text
    own = victim.get("/api/v1/reports/customers.csv", headers={"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200 and "Nguyễn Thị Hương 0" in own.content.decode("utf-8-sig")
