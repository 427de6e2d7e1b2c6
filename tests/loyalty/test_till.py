"""The till: finding a customer by their card, the panel, rewards, coupons, notes,
complaints and sign-ups at the counter."""

import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from PIL import Image
from sqlalchemy import update

from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.loyalty.models import Coupon
from kiosk_server.staff.models import Role
from tests.badges.helpers import decode
from tests.conftest import TEST_SECRET, make_staff

SIGNER = TokenSigner(TEST_SECRET.encode())


def _card(client, headers, customer_id):
    issued = client.post(f"/api/v1/customers/{customer_id}/card", headers=headers)
    assert issued.status_code == 201, issued.text
    return issued.json()["code"]


def _buy(client, headers, customer_id, amount, **extra):
    return client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers, json={
        "amount_vnd": amount, "request_id": uuid.uuid4().hex, **extra})


def _png_texts(response) -> list[str]:
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    return decode(Image.open(io.BytesIO(response.content)))


def test_a_scanned_card_brings_up_the_whole_customer(client, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    code = _card(client, admin.headers, customer_id)
    checked = client.post("/api/v1/checkins", headers=admin.headers,
                          json={"code": code, "event_id": seminar.event_id})
    assert checked.json()["status"] == "ok", checked.text
    assert _buy(client, clerk.headers, customer_id, 250_000, items="Cà phê").status_code == 201
    # A handheld scanner with Caps Lock off, reading the card's link: still the card.
    scanned = f"http://kiosk.example/c/{code.lower()}"
    panel = client.post("/api/v1/checkout/lookup", headers=clerk.headers, json={"code": scanned})
    assert panel.status_code == 200, panel.text
    body = panel.json()
    assert body["customer"]["full_name"] == "Nguyễn Thị Hương 0"
    assert body["card_code"] == code
    assert body["visit_number"] == 3  # a check-in, a purchase, and now this visit
    assert body["loyalty"]["points"] == 25 and body["loyalty"]["tier"] == "Thành viên"
    sale, entry = body["recent_visits"]
    assert (sale["kind"], sale["amount_vnd"], sale["items"], sale["staff_name"]) == (
        "purchase", 250_000, "Cà phê", "clerk")
    assert (entry["kind"], entry["event_name"], entry["staff_name"]) == (
        "event", "Hội thảo mùa thu", "admin")
    assert body["coupons"] == [] and body["complaints"] == [] and body["rewards"] == []
    listed = client.get(f"/api/v1/customers/{customer_id}/purchases", headers=clerk.headers)
    assert [p["staff_name"] for p in listed.json()] == ["clerk"]
    same = client.get(f"/api/v1/customers/{customer_id}/checkout", headers=clerk.headers)
    assert same.json() == body
    # An event invitation names its guest too.
    by_invitation = client.post("/api/v1/checkout/lookup", headers=clerk.headers,
                                json={"code": seminar.codes[1]})
    assert by_invitation.json()["customer"]["id"] == seminar.customer_ids[1]


def test_codes_the_till_refuses_say_why(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    old = _card(client, admin.headers, customer_id)
    _card(client, admin.headers, customer_id)  # reissued: the old card stops working
    forged = old[:-1] + ("A" if old[-1] != "A" else "B")
    coupon = SIGNER.sign(TokenKind.COUPON, "A" * 16)
    cases = [(forged, 400, "code_forged"), (old, 404, "card_replaced"),
             (coupon, 400, "not_a_card"), ("hello", 400, "code_forged"),
             (SIGNER.sign(TokenKind.CARD, "B" * 16), 404, "card_not_found")]
    for code, status, error in cases:
        answer = client.post("/api/v1/checkout/lookup", headers=admin.headers,
                             json={"code": code})
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, error), code
        assert answer.json()["error"]["message"]
    assert client.post("/api/v1/checkout/lookup", json={"code": old}).status_code == 401


def test_a_receipt_carries_a_feedback_link_for_the_visit(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    sale = _buy(client, admin.headers, customer_id, 120_000, request_id="till-9").json()
    feedback = sale["feedback"]
    token = SIGNER.verify(feedback["code"])
    assert token is not None and token.kind is TokenKind.FEEDBACK
    assert feedback["url"] == f"HTTP://LOCALHOST:8000/F/{feedback['code']}"
    image = client.get(feedback["qr_png"], headers=admin.headers)
    assert _png_texts(image) == [feedback["url"]]
    again = client.post(f"/api/v1/customers/{customer_id}/purchases", headers=admin.headers,
                        json={"amount_vnd": 120_000, "request_id": "till-9"})
    assert again.status_code == 200 and again.json()["feedback"] == feedback
    other = _buy(client, admin.headers, customer_id, 5_000).json()["feedback"]
    assert other["code"] != feedback["code"]


def test_rewards_cost_points_once_and_only_what_the_balance_holds(client, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    denied = client.post("/api/v1/rewards", headers=clerk.headers,
                         json={"name": "Bánh", "points_cost": 10})
    assert denied.status_code == 403
    cake = client.post("/api/v1/rewards", headers=admin.headers,
                       json={"name": "Bánh ngọt", "points_cost": 30}).json()
    mug = client.post("/api/v1/rewards", headers=admin.headers,
                      json={"name": "Cốc sứ", "points_cost": 500}).json()
    sale = _buy(client, clerk.headers, customer_id, 450_000).json()  # 45 points
    redeem = {"reward_id": cake["id"], "request_id": "r-1"}
    first = client.post(f"/api/v1/customers/{customer_id}/redemptions", headers=clerk.headers,
                        json=redeem)
    assert first.status_code == 201, first.text
    assert first.json()["status"]["points"] == 15
    again = client.post(f"/api/v1/customers/{customer_id}/redemptions", headers=clerk.headers,
                        json=redeem)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["status"]["points"] == 15
    short = client.post(f"/api/v1/customers/{customer_id}/redemptions", headers=clerk.headers,
                        json={"reward_id": mug["id"], "request_id": "r-2"})
    assert short.status_code == 409 and short.json()["error"]["code"] == "not_enough_points"
    assert "15" in short.json()["error"]["message"]
    withdrawn = client.patch(f"/api/v1/rewards/{cake['id']}", headers=admin.headers,
                             json={"active": False})
    assert withdrawn.json()["active"] is False
    assert [r["name"] for r in client.get("/api/v1/rewards", headers=clerk.headers).json()] == [
        "Cốc sứ"]
    gone = client.post(f"/api/v1/customers/{customer_id}/redemptions", headers=clerk.headers,
                       json={"reward_id": cake["id"], "request_id": "r-3"})
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "reward_inactive"
    # A void takes back the purchase's points, even those already spent.
    client.post(f"/api/v1/purchases/{sale['purchase']['id']}/void", headers=admin.headers,
                json={"reason": "Khách trả hàng"})
    status = client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=clerk.headers)
    assert status.json()["points"] == -30
    history = client.get(f"/api/v1/customers/{customer_id}/redemptions", headers=clerk.headers)
    assert [(r["reward_name"], r["points"]) for r in history.json()] == [("Bánh ngọt", 30)]


def _points(client, headers, customer_id):
    return client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=headers).json()[
        "points"]


def test_an_admin_voids_a_redemption_and_its_points_come_back_once(client, admin, clerk,
                                                                   seminar):
    customer_id = seminar.customer_ids[1]
    cake = client.post("/api/v1/rewards", headers=admin.headers,
                       json={"name": "Bánh ngọt", "points_cost": 30}).json()
    _buy(client, clerk.headers, customer_id, 450_000)  # 45 points
    redeemed = client.post(f"/api/v1/customers/{customer_id}/redemptions",
                           headers=clerk.headers,
                           json={"reward_id": cake["id"], "request_id": "r-void"}).json()
    redemption_id = redeemed["redemption"]["id"]
    assert redeemed["redemption"]["voided_at"] is None and _points(
        client, clerk.headers, customer_id) == 15
    path = f"/api/v1/redemptions/{redemption_id}/void"
    refused = client.post(path, headers=clerk.headers, json={"reason": "nhầm món"})
    assert refused.status_code == 403
    assert client.post(path, headers=admin.headers, json={"reason": ""}).status_code == 422
    assert _points(client, clerk.headers, customer_id) == 15  # nothing given back yet
    voided = client.post(path, headers=admin.headers, json={"reason": "Thu ngân bấm nhầm"})
    assert voided.status_code == 200, voided.text
    assert voided.json()["voided_at"] is not None
    assert voided.json()["void_reason"] == "Thu ngân bấm nhầm"
    again = client.post(path, headers=admin.headers, json={"reason": "lần nữa"})
    assert again.json()["void_reason"] == "Thu ngân bấm nhầm"
    assert _points(client, clerk.headers, customer_id) == 45  # given back once
    listed = client.get(f"/api/v1/customers/{customer_id}/redemptions",
                        headers=clerk.headers).json()
    assert [(r["id"], r["voided_at"] is not None) for r in listed] == [(redemption_id, True)]
    missing = client.post("/api/v1/redemptions/999999/void", headers=admin.headers,
                          json={"reason": "?"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "redemption_not_found"
    entries = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    voids = [e for e in entries if e["action"] == "redemption.void"]
    assert [(e["target_id"], e["details"]["reason"]) for e in voids] == [
        (redemption_id, "lần nữa"), (redemption_id, "Thu ngân bấm nhầm")]  # newest first


def _issue_coupon(client, headers, customer_id, benefit="Giảm 10% hóa đơn", days=30):
    issued = client.post(f"/api/v1/customers/{customer_id}/coupons", headers=headers,
                         json={"benefit": benefit, "valid_days": days})
    assert issued.status_code == 201, issued.text
    return issued.json()


def test_a_coupon_is_used_once_and_refusals_say_why(client, db, admin, clerk, seminar):
    owner, other = seminar.customer_ids[:2]
    coupon = _issue_coupon(client, clerk.headers, owner)
    assert coupon["status"] == "valid" and SIGNER.verify(coupon["code"]).kind is TokenKind.COUPON
    assert _png_texts(client.get(f"/api/v1/coupons/{coupon['id']}/qr.png",
                                 headers=clerk.headers)) == [coupon["code"]]
    panel = client.get(f"/api/v1/customers/{owner}/checkout", headers=clerk.headers).json()
    assert [c["benefit"] for c in panel["coupons"]] == ["Giảm 10% hóa đơn"]

    def attempt(path, code, customer_id=owner, headers=clerk.headers, **extra):
        return client.post(path, headers=headers,
                           json={"code": code, "customer_id": customer_id, **extra})

    assert attempt("/api/v1/coupons/check", coupon["code"]).json()["status"] == "valid"
    theirs = attempt("/api/v1/coupons/check", coupon["code"], customer_id=other)
    assert theirs.json()["error"]["code"] == "coupon_other_customer"
    forged = coupon["code"][:-2] + ("AA" if coupon["code"][-2:] != "AA" else "BB")
    assert attempt("/api/v1/coupons/check", forged).json()["error"]["code"] == "coupon_forged"
    card = _card(client, admin.headers, owner)
    assert attempt("/api/v1/coupons/check", card).json()["error"]["code"] == "not_a_coupon"

    used = attempt("/api/v1/coupons/redeem", coupon["code"], request_id="c-1")
    assert used.status_code == 200 and used.json()["status"] == "used"
    retry = attempt("/api/v1/coupons/redeem", coupon["code"], request_id="c-1")
    assert retry.status_code == 200 and retry.json()["used_at"] == used.json()["used_at"]
    twice = attempt("/api/v1/coupons/redeem", coupon["code"], request_id="c-2",
                    headers=admin.headers)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "coupon_used"
    assert "đã được dùng lúc" in twice.json()["error"]["message"]

    stale = _issue_coupon(client, clerk.headers, owner)
    with db.session() as session:
        session.execute(update(Coupon).where(Coupon.id == stale["id"])
                        .values(expires_at=utcnow() - timedelta(minutes=1)))
    expired = attempt("/api/v1/coupons/check", stale["code"],
                      headers={**clerk.headers, "Accept-Language": "en"})
    assert expired.status_code == 409 and expired.json()["error"]["code"] == "coupon_expired"
    assert expired.json()["error"]["message"].startswith("This coupon expired at")
    assert client.get(f"/api/v1/customers/{owner}/coupons", headers=clerk.headers).json() == []


def test_a_coupon_used_with_a_sale_goes_with_it_or_not_at_all(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    coupon = _issue_coupon(client, admin.headers, customer_id)
    sale = _buy(client, admin.headers, customer_id, 300_000, coupon_code=coupon["code"])
    assert sale.status_code == 201, sale.text
    assert sale.json()["coupon"]["id"] == coupon["id"]
    assert sale.json()["coupon"]["status"] == "used"
    refused = _buy(client, admin.headers, customer_id, 200_000, coupon_code=coupon["code"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "coupon_used"
    purchases = client.get(f"/api/v1/customers/{customer_id}/purchases", headers=admin.headers)
    assert [p["amount_vnd"] for p in purchases.json()] == [300_000]
    status = client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=admin.headers)
    assert status.json()["points"] == 30
    assert client.get(f"/api/v1/customers/{customer_id}",
                      headers=admin.headers).json()["visit_count"] == 1


def _race(live_server, calls):
    """Send every (path, headers, body) at the same instant; the answers' status codes."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        path, headers, body = call
        with httpx.Client(base_url=live_server, timeout=30) as http:
            barrier.wait()
            return http.post(path, headers=headers, json=body)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def test_two_tills_one_coupon_one_succeeds(client, db, admin, seminar, live_server):
    tills = [admin.headers, make_staff(db, "till2", Role.STAFF).headers]
    customer_id = seminar.customer_ids[0]
    for round_ in range(8):
        coupon = _issue_coupon(client, admin.headers, customer_id)
        answers = _race(live_server, [
            ("/api/v1/coupons/redeem", headers,
             {"code": coupon["code"], "customer_id": customer_id, "request_id": f"r{round_}"})
            for headers in tills])
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json()["error"]["code"] == "coupon_used"


def test_two_tills_spending_the_same_points_one_succeeds(client, db, admin, seminar,
                                                          live_server):
    tills = [admin.headers, make_staff(db, "till2", Role.STAFF).headers]
    customer_id = seminar.customer_ids[0]
    gift = client.post("/api/v1/rewards", headers=admin.headers,
                       json={"name": "Quà", "points_cost": 10}).json()
    for round_ in range(6):
        _buy(client, admin.headers, customer_id, 100_000)  # 10 points: one gift
        answers = _race(live_server, [
            (f"/api/v1/customers/{customer_id}/redemptions", headers,
             {"reward_id": gift["id"], "request_id": f"g{round_}"}) for headers in tills])
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    status = client.get(f"/api/v1/customers/{customer_id}/loyalty", headers=admin.headers)
    assert status.json()["points"] == 0


def test_notes_are_dated_and_signed_newest_first(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    first = client.post(f"/api/v1/customers/{customer_id}/notes", headers=admin.headers,
                        json={"text": "Thích sữa yến mạch"})
    assert first.status_code == 200, first.text
    client.post(f"/api/v1/customers/{customer_id}/notes", headers=admin.headers,
                json={"text": "Dị ứng đậu phộng"})
    notes = client.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()["notes"]
    newest, oldest = notes.split("\n")
    assert newest.endswith("· admin: Dị ứng đậu phộng")
    assert oldest.endswith("· admin: Thích sữa yến mạch")
    assert newest[2] == "/" and newest[5] == "/"  # 29/11/2026 15:40
    blank = client.post(f"/api/v1/customers/{customer_id}/notes", headers=admin.headers,
                        json={"text": ""})
    assert blank.status_code == 422


def test_complaints_stay_on_the_panel_until_resolved(client, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    sale = _buy(client, clerk.headers, customer_id, 90_000).json()
    visit_id = client.get(f"/api/v1/customers/{customer_id}/visits",
                          headers=admin.headers).json()[0]["id"]
    opened = client.post(f"/api/v1/customers/{customer_id}/complaints", headers=admin.headers,
                         json={"text": "Phải chờ 20 phút, không ai hỏi han",
                               "about_staff_id": clerk.staff_id, "visit_id": visit_id})
    assert opened.status_code == 201, opened.text
    complaint = opened.json()
    assert (complaint["about_staff_name"], complaint["opened_by_name"]) == ("clerk", "admin")
    panel = client.get(f"/api/v1/customers/{customer_id}/checkout", headers=clerk.headers)
    assert [c["id"] for c in panel.json()["complaints"]] == [complaint["id"]]
    wrong_visit = client.post(f"/api/v1/customers/{seminar.customer_ids[1]}/complaints",
                              headers=admin.headers, json={"text": "x", "visit_id": visit_id})
    assert wrong_visit.status_code == 404
    nobody = client.post(f"/api/v1/customers/{customer_id}/complaints", headers=admin.headers,
                         json={"text": "x", "about_staff_id": 999_999})
    assert nobody.status_code == 404
    resolved = client.post(f"/api/v1/complaints/{complaint['id']}/resolve",
                           headers=clerk.headers, json={"resolution": "Đã xin lỗi, tặng bánh"})
    assert resolved.json()["resolved_at"] is not None
    panel = client.get(f"/api/v1/customers/{customer_id}/checkout", headers=clerk.headers)
    assert panel.json()["complaints"] == []
    every = client.get(f"/api/v1/customers/{customer_id}/complaints", headers=clerk.headers)
    assert [c["resolution"] for c in every.json()] == ["Đã xin lỗi, tặng bánh"]
    assert sale["purchase"]["staff_id"] == clerk.staff_id


def test_a_new_customer_at_the_counter_leaves_with_a_card(client, admin, settings):
    answer = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": "  Trần   Thị Ánh  ", "phone": "090 123 4567",
        "email": "Anh@Example.com", "consent_email": True})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    customer = body["panel"]["customer"]
    assert (customer["full_name"], customer["phone"], customer["email"]) == (
        "Trần Thị Ánh", "+84901234567", "anh@example.com")
    assert body["panel"]["card_code"] == body["card_code"]
    assert body["card_url"] == f"HTTP://LOCALHOST:8000/C/{body['card_code']}"
    assert body["mail_queued"] is True and body["panel"]["visit_number"] == 1
    # No mail server is set up in these tests: the card waits in the outbox, unsent.
    assert body["card_mail"] == "waiting"
    card = client.get(f"/api/v1/customers/{customer['id']}/card.png", headers=admin.headers)
    assert _png_texts(card) == [body["card_url"]]
    found = client.post("/api/v1/checkout/lookup", headers=admin.headers,
                        json={"code": body["card_url"]})
    assert found.json()["customer"]["id"] == customer["id"]
    again = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": "Người khác", "phone": "+84901234567"})
    assert again.status_code == 409 and again.json()["error"]["field"] == "phone"
    no_mail = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": "Lê Văn Bình", "phone": "0912000999", "language": "en"})
    assert no_mail.json()["mail_queued"] is False
    assert no_mail.json()["card_mail"] == "no_address"
    # The language of their messages: English when they say so, Vietnamese otherwise.
    languages = {c["id"]: client.get(f"/api/v1/customers/{c['id']}", headers=admin.headers
                                     ).json()["language"]
                 for c in (customer, no_mail.json()["panel"]["customer"])}
    assert list(languages.values()) == ["vi", "en"]
    refused = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": "Lê Văn An", "phone": "0912000888", "language": "fr"})
    assert refused.status_code == 422
    assert [item["loc"][-1] for item in refused.json()["detail"]] == ["language"]


def test_the_card_page_shows_the_tier_the_spend_reached(client, admin, seminar):
    customer_id = seminar.customer_ids[0]
    code = _card(client, admin.headers, customer_id)
    assert "Thành viên" in client.get(f"/c/{code}").text
    _buy(client, admin.headers, customer_id, 5_000_000)
    assert "Bạc" in client.get(f"/c/{code}").text


def test_a_sale_may_be_served_by_another_staff_member(client, db, admin, clerk, seminar):
    customer_id = seminar.customer_ids[0]
    names = client.get("/api/v1/staff/names", headers=clerk.headers)
    assert names.status_code == 200
    assert {(n["id"], n["name"]) for n in names.json()} == {
        (admin.staff_id, "admin"), (clerk.staff_id, "clerk")}
    sale = _buy(client, clerk.headers, customer_id, 80_000, served_by=admin.staff_id)
    assert sale.status_code == 201, sale.text
    assert sale.json()["purchase"]["staff_id"] == admin.staff_id
    panel = client.get(f"/api/v1/customers/{customer_id}/checkout", headers=clerk.headers)
    [visit] = panel.json()["recent_visits"]
    assert (visit["staff_id"], visit["staff_name"]) == (admin.staff_id, "admin")
    audit = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    assert [(e["action"], e["staff_id"]) for e in audit[:1]] == [("purchase.create",
                                                                  clerk.staff_id)]
    gone = make_staff(db, "left", Role.STAFF)
    client.patch(f"/api/v1/staff/{gone.staff_id}", headers=admin.headers,
                 json={"active": False})
    refused = _buy(client, clerk.headers, customer_id, 80_000, served_by=gone.staff_id)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "staff_not_found"
    nobody = _buy(client, clerk.headers, customer_id, 80_000, served_by=999_999)
    assert nobody.status_code == 404
    assert [n["name"] for n in client.get("/api/v1/staff/names",
                                          headers=clerk.headers).json()] == ["admin", "clerk"]


def test_the_tills_lookup_panel_and_sale_admit_only_signed_in_staff(client, admin, clerk,
                                                                    seminar):
    """No or a bad credential is 401, a kiosk device or a disabled colleague gets nowhere,
    and a refused sale records nothing."""
    customer_id = seminar.customer_ids[0]
    card = _card(client, admin.headers, customer_id)
    device = client.post(f"/api/v1/events/{seminar.event_id}/devices", headers=admin.headers,
                         json={"name": "Kiosk A", "gate": "A"}).json()["token"]
    disabled = make_staff(client.app.state.db, "former", Role.STAFF)
    assert client.patch(f"/api/v1/staff/{disabled.staff_id}", headers=admin.headers,
                        json={"active": False}).status_code == 200
    calls = [("POST", "/api/v1/checkout/lookup", {"code": card}),
             ("GET", f"/api/v1/customers/{customer_id}/checkout", None),
             ("POST", f"/api/v1/customers/{customer_id}/purchases",
              {"amount_vnd": 50_000, "request_id": "refused-1"})]
    callers = [({}, 401), ({"Authorization": "Bearer not-a-token"}, 401),
               ({"Authorization": f"Bearer {device}"}, 403), (disabled.headers, 401)]
    for method, path, body in calls:
        for headers, status in callers:
            answer = client.request(method, path, headers=headers, json=body)
            assert answer.status_code == status, (path, headers, answer.text)
        assert client.request(method, path, headers=clerk.headers,
                              json=body).status_code in (200, 201)
    purchases = client.get(f"/api/v1/customers/{customer_id}/purchases",
                           headers=admin.headers).json()
    assert [p["staff_id"] for p in purchases] == [clerk.staff_id]  # only the clerk's sale
