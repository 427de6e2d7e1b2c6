"""The return-visit model's fit, attacked against a running server: another site cannot
start one through an admin's browser, a staff member cannot, and fits do not pile up."""

from kiosk_server.retention import fit
from tests.security.conftest import EVIL


def _fits(http, admin) -> list[dict]:
    log = http.get("/api/v1/audit", headers=admin.headers, params={"kind": "retention"})
    return log.json()["items"]


def test_another_site_or_a_staff_member_cannot_start_a_fit(victim, http, admin, clerk):
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {}):
        answer = victim.post("/api/v1/retention/model/fit", headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "cross_site_request"
    answer = http.post("/api/v1/retention/model/fit", headers=clerk.headers)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    assert http.post("/api/v1/retention/model/fit").status_code == 401
    assert _fits(http, admin) == []
    assert http.get("/api/v1/retention/model", headers=clerk.headers).json()["status"] \
        == "not_fitted"


def test_a_fit_asked_for_while_one_runs_is_refused(http, admin):
    with fit._FITTING:  # a fit running in the server's process
        answer = http.post("/api/v1/retention/model/fit", headers=admin.headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "retention_fit_running"
    assert _fits(http, admin) == []
    # Once it is over, an admin's fit runs (refused here: nobody has come back yet).
    answer = http.post("/api/v1/retention/model/fit", headers=admin.headers)
    assert answer.json()["error"]["code"] == "retention_not_enough_history"
    assert len(_fits(http, admin)) == 1
