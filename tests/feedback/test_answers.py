"""The feedback page's API: one answer per visit by its signed link, changed within a day,
a low rating opening a complaint."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select, update

from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.feedback import service as feedback
from kiosk_server.feedback.models import Feedback
from tests.conftest import TEST_SECRET
from tests.feedback.helpers import named_staff, sale_link

PUBLIC = {"Origin": "https://elsewhere.example"}  # no cookie: the link is the credential


def test_the_page_names_the_visit_and_who_served_by_given_name(client, admin, seminar, db):
    lan = named_staff(db, "lan", "Trần Thị Lan")
    token = sale_link(client, lan.headers, seminar.customer_ids[0])
    page = client.get(f"/api/v1/feedback/{token}", headers=PUBLIC)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["visit_kind"] == "purchase"
    assert body["staff_first_name"] == "Lan"
    assert body["editable"] is True and body["visit_rating"] is None
    assert "Trần" not in page.text and "lan" not in page.text.replace("Lan", "")


def test_forged_altered_or_unknown_links_are_not_found(client, admin, seminar):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    unknown = TokenSigner(TEST_SECRET.encode()).sign(TokenKind.FEEDBACK, new_serial())
    card_kind = TokenSigner(TEST_SECRET.encode()).sign(TokenKind.CARD, token.split(".")[1])
    for bad in (altered, unknown, card_kind, "nothing", "x" * 64):
        for method in ("get", "put"):
            answer = client.request(method.upper(), f"/api/v1/feedback/{bad}",
                                    json={"visit_rating": 5})
            assert answer.status_code == 404, (bad, answer.text)
            assert answer.json()["error"]["code"] == "feedback_not_found"
    assert client.get(f"/api/v1/feedback/{'A' * 65}").status_code == 422


def test_an_answer_is_kept_and_can_be_changed_for_a_day_then_not(client, admin, seminar, db):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])
    given = client.put(f"/api/v1/feedback/{token}", headers=PUBLIC, json={
        "visit_rating": 4, "staff_rating": 5, "comment": "  Nhân viên rất nhiệt tình  "})
    assert given.status_code == 200, given.text
    assert given.json()["comment"] == "Nhân viên rất nhiệt tình"
    changed = client.put(f"/api/v1/feedback/{token.lower()}", json={"visit_rating": 5})
    assert changed.status_code == 200, changed.text
    body = client.get(f"/api/v1/feedback/{token}").json()
    assert (body["visit_rating"], body["staff_rating"], body["comment"]) == (5, None, "")
    assert body["editable"] is True
    with db.session() as session:
        (answered_at,) = session.execute(select(Feedback.answered_at)).scalars().all()
        session.execute(update(Feedback).values(  # one answer per visit, given a day ago
            answered_at=answered_at - timedelta(hours=24, seconds=1)))
    late = client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1})
    assert late.status_code == 409 and late.json()["error"]["code"] == "feedback_closed"
    body = client.get(f"/api/v1/feedback/{token}").json()
    assert body["editable"] is False and body["visit_rating"] == 5


def test_bad_answers_are_refused_with_codes(client, admin, seminar):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])
    for body in ({"visit_rating": 0}, {"visit_rating": 6}, {"visit_rating": 3, "staff_rating": 9},
                 {}, {"visit_rating": 3, "comment": "x" * 1001},
                 {"visit_rating": 3, "comment": "a\x00b"}):
        answer = client.put(f"/api/v1/feedback/{token}", json=body)
        assert answer.status_code == 422, body
    huge = client.put(f"/api/v1/feedback/{token}", content=b'{"comment":"' + b"x" * 20_000
                      + b'"}', headers={"Content-Type": "application/json"})
    assert huge.status_code == 413
    assert client.get(f"/api/v1/feedback/{token}").json()["answered_at"] is None


def test_a_link_may_be_changed_only_so_many_times(client, admin, seminar):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])
    codes = [client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 3 + n % 2})
             .status_code for n in range(23)]
    assert codes[:21] == [200] * 21 and codes[21:] == [429, 429]


def test_a_low_rating_opens_one_complaint_about_the_visit_and_who_served(client, admin,
                                                                         seminar, db):
    hoa = named_staff(db, "hoa", "Lê Thị Hoa")
    customer_id = seminar.customer_ids[0]
    token = sale_link(client, hoa.headers, customer_id)
    client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 4, "staff_rating": 2,
                                                   "comment": "Chờ quá lâu"})
    client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "staff_rating": 1,
                                                   "comment": "Chờ quá lâu, không ai hỏi"})
    complaints = client.get(f"/api/v1/customers/{customer_id}/complaints",
                            headers=admin.headers).json()
    assert len(complaints) == 1
    complaint = complaints[0]
    assert complaint["source"] == "feedback" and complaint["status"] == "open"
    assert complaint["about_staff_id"] == hoa.staff_id
    assert complaint["about_staff_name"] == "Lê Thị Hoa"
    assert complaint["visit_id"] is not None
    assert complaint["text"] == "Chờ quá lâu, không ai hỏi"
    assert (complaint["visit_rating"], complaint["staff_rating"]) == (1, 1)
    assert [step["status"] for step in complaint["steps"]] == ["open"]


def test_a_good_rating_opens_no_complaint(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    token = sale_link(client, admin.headers, customer_id)
    assert client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 3, "staff_rating": 3}
                      ).status_code == 200
    assert client.get(f"/api/v1/customers/{customer_id}/complaints",
                      headers=admin.headers).json() == []


def test_the_same_link_answered_at_once_twice_keeps_one_answer_and_one_complaint(
        client, admin, seminar, served, http):
    customer_id = seminar.customer_ids[0]
    token = sale_link(client, admin.headers, customer_id)

    def answer(n):
        return http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 1, "comment": f"{n}"})

    with ThreadPoolExecutor(6) as pool:
        codes = [r.status_code for r in pool.map(answer, range(6))]
    assert codes == [200] * 6
    complaints = client.get(f"/api/v1/customers/{customer_id}/complaints",
                            headers=admin.headers).json()
    assert len(complaints) == 1


def test_the_customer_sees_what_the_shop_did(client, admin, seminar):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])
    client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 2})
    assert client.get(f"/api/v1/feedback/{token}").json()["reply"]["status"] == "open"
    complaint_id = client.get("/api/v1/complaints", headers=admin.headers).json()[0]["id"]
    client.post(f"/api/v1/complaints/{complaint_id}/status", headers=admin.headers,
                json={"status": "resolved", "note": "Đã xin lỗi và tặng phiếu cà phê."})
    reply = client.get(f"/api/v1/feedback/{token}").json()["reply"]
    assert reply["status"] == "resolved"
    assert reply["note"] == "Đã xin lỗi và tặng phiếu cà phê."


def test_a_staff_member_without_a_name_is_still_rated_and_a_visit_without_one_is_not(
        client, admin, seminar, db):
    token = sale_link(client, admin.headers, seminar.customer_ids[0])  # "admin" has no name
    page = client.get(f"/api/v1/feedback/{token}").json()
    assert page["staff_served"] is True and page["staff_first_name"] is None
    assert client.put(f"/api/v1/feedback/{token}", json={"visit_rating": 4, "staff_rating": 3}
                      ).json()["staff_rating"] == 3
    customer_id = seminar.customer_ids[1]
    checked = client.post("/api/v1/checkins", headers=admin.headers,
                          json={"code": seminar.codes[1], "event_id": seminar.event_id})
    assert checked.status_code == 200, checked.text
    [visit] = client.get(f"/api/v1/customers/{customer_id}/visits", headers=admin.headers).json()
    with db.session() as session:  # a visit nobody is named for
        serial = feedback.request_feedback(session, customer_id=customer_id,
                                           visit_id=visit["id"], staff_id=None)
    unnamed = TokenSigner(TEST_SECRET.encode()).sign(TokenKind.FEEDBACK, serial)
    assert client.get(f"/api/v1/feedback/{unnamed}").json()["staff_served"] is False
    given = client.put(f"/api/v1/feedback/{unnamed}", json={"visit_rating": 5,
                                                             "staff_rating": 1})
    assert given.status_code == 200 and given.json()["staff_rating"] is None
    assert client.get(f"/api/v1/customers/{customer_id}/complaints",
                      headers=admin.headers).json() == []  # the dropped 1 opened nothing
