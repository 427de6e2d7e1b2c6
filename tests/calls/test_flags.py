"""A staff flag ("may be leaving") puts its customer on the call list with its words,
whatever the numbers say; a retry acts once; a held-out case flagged is released."""

from sqlmodel import select

from kiosk_server.calls.models import Case, CaseSource, Group, LeavingFlag
from kiosk_server.core.db import Access
from kiosk_server.privacy import service as privacy
from tests.calls.conftest import cases_by_customer, key


def _flag(client, headers, customer_id, words="Khách than phiền giá tăng", client_key=None,
          place="customer_page"):
    return client.post(f"/api/v1/customers/{customer_id}/leaving-flags", headers=headers,
                       json={"words": words, "place": place, "client_key": client_key or key()})


def _listed(client, headers, **params):
    answer = client.get("/api/v1/calls/cases", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_flag_puts_an_active_customer_first_on_the_list_with_its_words(shop, client, clerk,
                                                                        admin, db):
    calm = shop.one("1.5x overdue, 14 days")  # active: no case by the numbers
    flagged = _flag(client, clerk.headers, calm.customer_id)
    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["staff_id"] == clerk.staff_id
    [case] = cases_by_customer(db)[calm.customer_id]
    assert (case.source, case.group) == (CaseSource.FLAG, Group.NOT_DRAWN)
    first = _listed(client, clerk.headers)["items"][0]
    assert (first["customer_id"], first["flagged"], first["flags"]) == (
        calm.customer_id, True, ["Khách than phiền giá tăng"])
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [entry["action"] for entry in log].count("customer.flag_leaving") == 1


def test_a_retried_flag_acts_once_and_a_reused_key_is_refused(shop, client, clerk, admin, db):
    calm = shop.one("1.5x overdue, 14 days")
    same = key()
    first = _flag(client, clerk.headers, calm.customer_id, client_key=same)
    again = _flag(client, clerk.headers, calm.customer_id, client_key=same)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    other = shop.one("2.0x overdue, 19 days")
    reused = _flag(client, clerk.headers, other.customer_id, client_key=same)
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "request_reused"
    with db.session(Access.READ) as session:
        assert len(session.exec(select(LeavingFlag)).all()) == 1
    log = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [entry["action"] for entry in log].count("customer.flag_leaving") == 1


def test_a_flag_on_a_customer_with_an_open_case_joins_it(shop, client, clerk, db):
    lapsed = shop.one("3.0x overdue, 31 days")
    assert _flag(client, clerk.headers, lapsed.customer_id, place="till").status_code == 201
    [case] = cases_by_customer(db)[lapsed.customer_id]
    assert (case.source, case.group) == (CaseSource.STATUS, Group.CONTACT)
    row = next(item for item in _listed(client, clerk.headers)["items"]
               if item["customer_id"] == lapsed.customer_id)
    assert row["flagged"] and row["flags"] == ["Khách than phiền giá tăng"]


def test_a_held_out_case_flagged_is_released_to_the_list(shop, client, clerk, db):
    at_risk = shop.one("2.0x overdue, 21 days")
    [case] = cases_by_customer(db)[at_risk.customer_id]
    with db.session() as session:
        held = session.get(Case, case.id)
        held.group = Group.HOLD_OUT
        session.add(held)
    assert at_risk.customer_id not in [row["customer_id"]
                                       for row in _listed(client, clerk.headers)["items"]]
    assert client.get(f"/api/v1/calls/cases/{case.id}", headers=clerk.headers).json()[
        "error"]["code"] == "case_held_out"
    assert _flag(client, clerk.headers, at_risk.customer_id).status_code == 201
    [released] = cases_by_customer(db)[at_risk.customer_id]
    assert (released.id, released.group) == (case.id, Group.NOT_DRAWN)
    assert at_risk.customer_id in [row["customer_id"]
                                   for row in _listed(client, clerk.headers)["items"]]


def test_a_flag_needs_words_and_a_customer_who_was_not_erased(shop, client, clerk, admin, db,
                                                               app):
    calm = shop.one("1.5x overdue, 14 days")
    assert _flag(client, clerk.headers, calm.customer_id, words="").status_code == 422
    assert _flag(client, clerk.headers, calm.customer_id, words="x" * 1001).status_code == 422
    assert _flag(client, clerk.headers, 999_999).status_code == 404
    with db.session() as session:
        privacy.erase(session, customer_id=calm.customer_id, by_customer=False,
                      staff_id=admin.staff_id, hooks=app.state.erasure_hooks)
    refused = _flag(client, clerk.headers, calm.customer_id)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "customer_erased"


def test_flags_and_calls_are_in_the_export_and_their_words_go_with_an_erasure(
        shop, client, clerk, admin, db, app):
    lapsed = shop.one("3.0x overdue, 31 days")
    _flag(client, clerk.headers, lapsed.customer_id, words="Nói sẽ chuyển nhà")
    [case] = cases_by_customer(db)[lapsed.customer_id]
    called = client.post(f"/api/v1/calls/cases/{case.id}/calls", headers=clerk.headers, json={
        "outcome": "reached", "reason": "other", "words": "Chuyển vào Đà Nẵng",
        "will_return": "no", "notes": "Khách vui vẻ", "client_key": key()})
    assert called.status_code == 201, called.text
    with db.session(Access.READ) as session:
        parts = privacy.collect(session, customer_id=lapsed.customer_id)
    assert [row["words"] for row in parts["leaving_flags"]] == ["Nói sẽ chuyển nhà"]
    assert [row["notes"] for row in parts["calls"]] == ["Khách vui vẻ"]
    assert [(row["reason"], row["words"]) for row in parts["leave_answers"]] == [
        ("other", "Chuyển vào Đà Nẵng")]
    with db.session() as session:
        privacy.erase(session, customer_id=lapsed.customer_id, by_customer=False,
                      staff_id=admin.staff_id, hooks=app.state.erasure_hooks)
    with db.session(Access.READ) as session:
        parts = privacy.collect(session, customer_id=lapsed.customer_id)
    assert [row["words"] for row in parts["leaving_flags"]] == [""]
    assert [row["notes"] for row in parts["calls"]] == [""]
    assert [(row["reason"], row["words"]) for row in parts["leave_answers"]] == [("other", "")]
    assert [(row["state"], row["close_reason"]) for row in parts["call_cases"]] == [
        ("closed", "erased")]
