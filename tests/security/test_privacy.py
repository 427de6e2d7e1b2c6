"""A customer's data is handed over or erased only by an admin, only from Kiosk's pages:
attacks against a running server."""

import pytest

from tests.privacy.helpers import NAME, known_customer
from tests.security.conftest import EVIL


@pytest.fixture
def known(http, admin):
    return known_customer(http, admin.headers)


def _name(http, admin, customer_id: int) -> str:
    return http.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()["full_name"]


def test_a_staff_member_who_is_not_an_admin_gets_no_export_and_erases_nobody(
        http, admin, clerk, known):
    cid = known.customer_id
    export = http.get(f"/api/v1/customers/{cid}/export", headers=clerk.headers)
    assert (export.status_code, export.json()["error"]["code"]) == (403, "forbidden")
    erase = http.post(f"/api/v1/customers/{cid}/erase", headers=clerk.headers,
                      json={"confirm": True})
    assert (erase.status_code, erase.json()["error"]["code"]) == (403, "forbidden")
    assert http.get(f"/api/v1/customers/{cid}/export").status_code == 401
    assert http.post(f"/api/v1/customers/{cid}/erase", json={"confirm": True}).status_code == 401
    assert _name(http, admin, cid) == NAME


def test_another_site_cannot_make_an_admins_browser_erase_a_customer(
        victim, live_server, http, admin, known):
    cid = known.customer_id
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.post(f"/api/v1/customers/{cid}/erase", json={"confirm": True},
                             headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    as_form = victim.post(f"/api/v1/customers/{cid}/erase", content='{"confirm": true}',
                          headers={"Origin": live_server, "Content-Type": "text/plain"})
    assert as_form.status_code == 415
    assert _name(http, admin, cid) == NAME


def test_another_site_cannot_make_an_admins_browser_download_a_customers_data(
        victim, http, admin, known):
    path = f"/api/v1/customers/{known.customer_id}/export"
    for site in ("cross-site", "same-site"):
        answer = victim.get(path, headers={"Sec-Fetch-Site": site})
        assert (answer.status_code, answer.json()["error"]["code"]) == (
            403, "cross_site_request")
    log = http.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert "customer.export" not in {entry["action"] for entry in log}
    # From Kiosk's own page (or typed in the address bar), the admin gets it.
    for site in ("same-origin", "none"):
        own = victim.get(path, headers={"Sec-Fetch-Site": site})
        assert own.status_code == 200 and own.content.startswith(b"PK")
