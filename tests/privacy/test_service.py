"""Export and erasure, through the services the portal and the admin pages call."""

import csv
import io
import json
import threading
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, cast, func, or_, select
from sqlmodel import col

from kiosk_server.audit.models import AuditEntry
from kiosk_server.customers.models import ConsentChange, Customer
from kiosk_server.messaging import service as outbox
from kiosk_server.models import metadata
from kiosk_server.privacy import service as privacy
from tests.privacy.helpers import (
    COMMENT,
    COMPLAINT,
    EMAIL,
    NAME,
    PHONE,
    known_customer,
    made_export,
)


@pytest.fixture
def known(client, admin):
    return known_customer(client, admin.headers)


def _zip(db, customer_id: int) -> zipfile.ZipFile:
    with db.session() as session:
        data = privacy.export_zip(session, customer_id=customer_id)
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_export_holds_everything_the_shop_knows(db, known):
    archive = _zip(db, known.customer_id)
    document = json.loads(archive.read("customer.json"))
    profile = document["profile"]
    assert (profile["full_name"], profile["phone"], profile["email"]) == (NAME, PHONE, EMAIL)
    assert profile["tags"] == ["vip"] and profile["erased_at"] is None
    assert [(c["channel"], c["granted"], c["source"]) for c in document["consents"]] == [
        ("email", True, "till"), ("sms", True, "staff")]
    assert len(document["cards"]) == 1 and document["cards"][0]["active"] is True
    assert sorted(v["kind"] for v in document["visits"]) == ["event", "purchase"]
    assert len(document["checkins"]) == 1
    assert {i["event"] for i in document["invitations"]} == {"Hội thảo mùa thu",
                                                             "Ra mắt sản phẩm"}
    assert [(p["amount_vnd"], p["items"]) for p in document["purchases"]] == [
        (250_000, "Cà phê sữa đá")]
    assert document["points"] == [{"balance": 25}]
    assert [c["status"] for c in document["coupons"]] == ["valid"]
    assert [(f["visit_rating"], f["comment"]) for f in document["feedback"]] == [(4, COMMENT)]
    assert [c["text"] for c in document["complaints"]] == [COMPLAINT]
    assert [(a["status"], a["note"]) for a in document["complaint_answers"]] == [
        ("open", ""), ("resolved", f"Đã gọi điện xin lỗi {NAME}")]
    [message] = document["messages"]
    assert NAME in message["subject"] and message["channel"] == "email"
    assert message["state"] == "pending" and message["to"] == EMAIL
    assert any(NAME in note["note"] for note in document["notes"])
    # One CSV per part, readable by a spreadsheet: diacritics kept, no formulas.
    names = set(archive.namelist())
    assert {"visits.csv", "purchases.csv", "consents.csv", "messages.csv",
            "feedback.csv", "complaints.csv", "profile.csv"} <= names
    assert _csv(archive, "profile.csv")[0]["full_name"] == NAME
    assert _csv(archive, "purchases.csv")[0]["items"] == "Cà phê sữa đá"
    assert _csv(archive, "feedback.csv")[0]["comment"] == COMMENT
    assert [row["granted"] for row in _csv(archive, "consents.csv")] == ["true", "true"]
    assert _csv(archive, "profile.csv")[0]["phone"] == "'" + PHONE  # "+84…": not a formula
    assert _csv(archive, "messages.csv")[0]["subject"] == message["subject"]


def _text_columns():
    for table in metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl_instance", column.type)  # AutoString: a String
            if isinstance(kind, String | Text | JSON):
                yield table, column


def _holding(session, words: list[str]) -> list[str]:
    """Every table.column where one of `words` is found (as stored, or JSON-escaped)."""
    forms = {form for word in words for form in (word, json.dumps(word)[1:-1])}
    found = []
    for table, column in _text_columns():
        text = cast(column, Text)
        hits = session.scalar(select(func.count()).select_from(table).where(
            or_(*(text.contains(form, autoescape=True) for form in forms))))
        if hits:
            found.append(f"{table.name}.{column.name}")
    return found


def _erase(app, customer_id: int, *, staff_id: int | None = None) -> None:
    """As the portal (no staff member) or an admin erases, with the hooks of start-up."""
    with app.state.db.session() as session:
        privacy.erase(session, customer_id=customer_id, by_customer=staff_id is None,
                      staff_id=staff_id, hooks=app.state.erasure_hooks)


def _files_holding(directory: Path, words: list[str]) -> list[Path]:
    """Every file under `directory` where one of `words` is found as UTF-8 bytes."""
    return [path for path in directory.rglob("*") if path.is_file()
            and any(word.encode() in path.read_bytes() for word in words)]


def test_after_erasure_no_column_of_any_table_or_file_says_who_they_were(
        app, client, db, known, admin, settings):
    made_export(client, admin.headers, known.event_id)  # a batch of badges on disk
    exports = app.state.exports.directory
    with db.session() as session:
        # The check is real: before erasure it finds them in many places.
        before = _holding(session, known.identifying)
    assert {"customers.full_name", "customers.phone", "customers.email", "customers.notes",
            "outbox_messages.to_address", "feedback.comment", "complaints.text",
            "scans.result", "audit_entries.details"} <= set(before)
    assert len(list(exports.iterdir())) == 1
    _erase(app, known.customer_id, staff_id=admin.staff_id)
    # A PDF's text is compressed, so no search finds the name in it: the file is gone.
    assert list(exports.iterdir()) == []
    assert _files_holding(settings.data_dir, [*known.identifying, "Dương"]) == []
    with db.session() as session:
        assert _holding(session, [*known.identifying, "Dương"]) == []
        customer = session.get(Customer, known.customer_id)
        assert customer is not None and customer.erased_at is not None
        assert (customer.full_name, customer.phone, customer.email, customer.notes,
                customer.tags, customer.consent_email, customer.consent_sms) == (
            "", None, None, "", [], False, False)
        withdrawn = session.scalars(select(ConsentChange).where(
            ConsentChange.customer_id == known.customer_id, ConsentChange.granted.is_(False)))
        assert sorted((c.channel.value, c.source.value) for c in withdrawn) == [
            ("email", "staff"), ("sms", "staff")]


def test_erasure_revokes_card_coupons_links_and_coming_invitations(client, app, db, known, admin):
    _erase(app, known.customer_id)  # as the customer asks in their portal
    till = client.post("/api/v1/checkout/lookup", headers=admin.headers,
                       json={"code": known.card_code})
    assert (till.status_code, till.json()["error"]["code"]) == (404, "card_revoked")
    gate = client.post("/api/v1/checkins", headers=admin.headers, json={
        "event_id": known.event_id, "code": known.card_code, "scan_id": "after-erasure"})
    assert gate.json()["status"] == "revoked" and gate.json()["customer"]["name"] == ""
    by_hand = client.post("/api/v1/checkins", headers=admin.headers, json={
        "event_id": known.event_id, "customer_id": known.customer_id, "scan_id": "by-hand"})
    assert by_hand.json()["status"] == "revoked"
    coupon = client.post("/api/v1/coupons/check", headers=admin.headers,
                         json={"code": known.coupon_code})
    assert (coupon.status_code, coupon.json()["error"]["code"]) == (409, "coupon_revoked")
    link = client.get(f"/api/v1/feedback/{known.feedback_code}")
    assert (link.status_code, link.json()["error"]["code"]) == (410, "feedback_link_revoked")
    future = client.get(f"/api/v1/events/{known.future_event_id}/invitations",
                        headers=admin.headers).json()["items"]
    assert [i["status"] for i in future] == ["cancelled"]
    messages = client.get("/api/v1/messages", headers=admin.headers).json()["items"]
    assert [(m["state"], m["to_address"], m["subject"]) for m in messages] == [
        ("cancelled", "", "")]
    cancelled = client.get("/api/v1/messages", params={"state": "cancelled"},
                           headers=admin.headers).json()["items"]
    assert len(cancelled) == 1
    with db.session() as session:
        assert outbox.read_due(session) == []  # a sender never takes it
    with db.session() as session:
        consents = session.scalars(select(ConsentChange).where(
            ConsentChange.customer_id == known.customer_id, ConsentChange.granted.is_(False)))
        assert {c.source.value for c in consents} == {"portal"}


def _figures(client, headers, known) -> dict:
    stats = client.get(f"/api/v1/events/{known.event_id}/stats", headers=headers).json()
    ratings = client.get("/api/v1/ratings", headers=headers).json()
    loyalty = client.get(f"/api/v1/customers/{known.customer_id}/loyalty",
                         headers=headers).json()
    return {"checked_in": stats["checked_in"],
            "ratings": [(r["visit"]["answers"], r["visit"]["average"])
                        for r in ratings["per_staff"]],
            "spend": loyalty["total_spend_vnd"], "points": loyalty["points"],
            "visits": client.get(f"/api/v1/customers/{known.customer_id}",
                                 headers=headers).json()["visit_count"]}


def test_their_visits_sales_and_ratings_still_count(client, app, known, admin):
    before = _figures(client, admin.headers, known)
    assert before["checked_in"] == 1 and before["spend"] == 250_000 and before["visits"] == 2
    _erase(app, known.customer_id, staff_id=admin.staff_id)
    assert _figures(client, admin.headers, known) == before
    comments = client.get("/api/v1/ratings", headers=admin.headers).json()["comments"]
    assert all(COMMENT not in c["comment"] and c["customer_name"] != NAME for c in comments)


def _erasures(session, customer_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        col(AuditEntry.action) == "customer.erase", col(AuditEntry.target_id) == customer_id))


def test_erasing_twice_acts_once(app, db, known, admin):
    _erase(app, known.customer_id, staff_id=admin.staff_id)
    with db.session() as session:
        consents = session.scalar(select(func.count()).select_from(ConsentChange))
        erased_at = session.get(Customer, known.customer_id).erased_at
    _erase(app, known.customer_id, staff_id=admin.staff_id)
    with db.session() as session:
        assert _erasures(session, known.customer_id) == 1
        assert session.scalar(select(func.count()).select_from(ConsentChange)) == consents
        assert session.get(Customer, known.customer_id).erased_at == erased_at
        [entry] = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "customer.erase"))
        assert entry.details == {"member_number": known.customer_id, "by_customer": False}
        assert entry.staff_id == admin.staff_id


def test_concurrent_erasures_act_once(app, db, known, admin):
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def erase() -> None:
        try:
            start.wait(timeout=10)
            _erase(app, known.customer_id, staff_id=admin.staff_id)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=erase) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    with db.session() as session:
        assert _erasures(session, known.customer_id) == 1
        withdrawn = session.scalar(select(func.count()).select_from(ConsentChange).where(
            ConsentChange.granted.is_(False)))
        assert withdrawn == 2


def test_they_can_sign_up_again_as_a_new_customer(client, app, known, admin):
    _erase(app, known.customer_id)
    again = client.post("/api/v1/checkout/customers", headers=admin.headers, json={
        "full_name": NAME, "phone": PHONE, "email": EMAIL})
    assert again.status_code == 201, again.text
    assert again.json()["panel"]["customer"]["id"] != known.customer_id
    found = client.get("/api/v1/customers", params={"q": "tran thi anh duong"},
                       headers=admin.headers).json()["items"]
    assert [c["id"] for c in found] == [again.json()["panel"]["customer"]["id"]]


def test_export_of_no_such_customer_is_404(db):
    with db.session() as session, pytest.raises(Exception) as raised:
        privacy.export_zip(session, customer_id=999)
    assert getattr(raised.value, "code", None) == "customer_not_found"
