"""The call list, attacked against a running server: nobody signed out and no kiosk device
reads who is drifting away or flags anyone; another site cannot flag, call, assign or change
the settings through a staff member's browser; staff cannot do an admin's part; the call
log is not read across sites; paging that is not a cursor is refused, not failed."""

from tests.calls.conftest import key
from tests.security.conftest import EVIL
from tests.security.test_kiosk_reads import _device

READS = ["/api/v1/calls/cases", "/api/v1/calls/cases/1", "/api/v1/calls/settings",
         "/api/v1/calls/log.csv?from=2026-01-01&to=2026-01-31"]
SETTINGS = {"script": "Vì sao?", "hold_out_pct": 0, "win_back_days": 60, "exit_survey": False}


def test_nobody_signed_out_and_no_device_reads_or_writes_the_call_list(http, admin, event):
    device = _device(http, admin, event.event_id)
    customer_id = event.customer_ids[0]
    flag = {"words": "sắp bỏ đi", "place": "till", "client_key": key()}
    for method, url, body in [("GET", path, None) for path in READS] + [
            ("POST", f"/api/v1/customers/{customer_id}/leaving-flags", flag),
            ("POST", "/api/v1/calls/cases/1/calls", {"outcome": "no_answer",
                                                     "client_key": key()}),
            ("PUT", "/api/v1/calls/settings", SETTINGS)]:
        assert http.request(method, url, json=body).status_code == 401, url
        refused = http.request(method, url, json=body, headers=device)
        assert refused.status_code in (401, 403), (url, refused.text)


def test_another_site_cannot_act_through_a_browser_and_staff_cannot_do_an_admins_part(
        victim, http, admin, clerk, event):
    customer_id = event.customer_ids[0]
    flag = {"words": "sắp bỏ đi", "place": "till", "client_key": key()}
    for headers in ({"Origin": EVIL}, {}):
        for method, url, body in (
                ("POST", f"/api/v1/customers/{customer_id}/leaving-flags", flag),
                ("PUT", "/api/v1/calls/settings", SETTINGS)):
            answer = victim.request(method, url, json=body, headers=headers)
            assert answer.status_code == 403, (url, answer.text)
            assert answer.json()["error"]["code"] == "cross_site_request"
    read = victim.get(READS[-1], headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert read.status_code == 403
    flagged = http.post(f"/api/v1/customers/{customer_id}/leaving-flags", json=flag,
                        headers=clerk.headers)
    assert flagged.status_code == 201, flagged.text
    case_id = flagged.json()["case_id"]
    for method, url, body in (("PUT", "/api/v1/calls/settings", SETTINGS),
                              ("PUT", f"/api/v1/calls/cases/{case_id}/assignee",
                               {"staff_id": clerk.staff_id}),
                              ("POST", f"/api/v1/calls/cases/{case_id}/close", None),
                              ("GET", READS[-1], None)):
        assert http.request(method, url, json=body, headers=clerk.headers).status_code == 403
    assert http.get("/api/v1/calls/settings", headers=admin.headers).json()["updated_at"] is None


def test_paging_and_keys_that_are_not_what_they_should_be_are_refused(http, admin, event):
    for query in ("cursor=-1", "cursor=abc", "limit=0", "limit=100000", "assigned=everyone"):
        answer = http.get(f"/api/v1/calls/cases?{query}", headers=admin.headers)
        assert answer.status_code == 422, (query, answer.text)
    bad_key = {"words": "x", "place": "till", "client_key": "a b"}
    answer = http.post(f"/api/v1/customers/{event.customer_ids[0]}/leaving-flags",
                       json=bad_key, headers=admin.headers)
    assert answer.status_code == 422
    assert http.get("/api/v1/calls/cases/99999999999", headers=admin.headers).status_code == 422
