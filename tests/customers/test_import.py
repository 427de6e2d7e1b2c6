"""CSV import: a preview of the first rows with their problems, the good rows imported and
the bad ones skipped, existing customers matched, in short transactions that a retry of the
same file carries on from."""

import threading
import time
from collections import OrderedDict

import pytest
from sqlalchemy import select, text

from kiosk_server.core.db import SqliteWriteLock
from kiosk_server.customers import imports
from kiosk_server.customers.models import Customer, CustomerImport
from tests.conftest import open_event_body

HEADER = "Họ tên,Số điện thoại,Email,Đồng ý liên hệ\n"


def _import(client, headers, data, path="/api/v1/customers/import", **params):
    return client.post(path, params=params, headers={**headers, "Content-Type": "text/csv"},
                       content=data.encode("utf-8"))


def _add(client, headers, **body):
    response = client.post("/api/v1/customers", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _all_customers(db):
    with db.session() as session:
        return session.scalars(select(Customer).order_by(Customer.id)).all()


def _people(count, start=0):
    return "".join(f"Khách Số {n},09{n:08d},,có\n" if n % 3 else f"Khách Không Số {n},,,\n"
                   for n in range(start, start + count))


def test_preview_shows_the_first_50_rows_with_their_problems_and_saves_nothing(
        client, admin, db):
    known = _add(client, admin.headers, full_name="Nguyễn Văn An", phone="0903123456")
    rows = (HEADER + "Nguyễn Văn An,0903 123 456,,có\n" + "Ngô Bảo,12345,,\n"
            + ",0903999999,,\n" + "Vũ Lan,,not-an-email,\n" + "Đỗ Hà,0903123456,,\n"
            + "Lê Hà,,,có lẽ\n" + _people(60, start=100))
    report = _import(client, admin.headers, rows, dry_run="true").json()
    assert (report["rows"], report["good"], report["bad"], report["saved"]) == (66, 61, 5, False)
    assert (report["created"], report["existing"]) == (60, 1)
    shown = report["preview"]
    assert len(shown) == 50 and [r["row"] for r in shown[:3]] == [2, 3, 4]
    assert shown[0]["status"] == "existing" and shown[0]["customer_id"] == known["id"]
    assert [(r["row"], r["status"], [p["code"] for p in r["problems"]]) for r in shown[1:6]] == [
        (3, "bad", ["invalid_phone"]), (4, "bad", ["invalid_full_name"]),
        (5, "bad", ["invalid_email"]), (6, "bad", ["duplicate_in_file"]),
        (7, "bad", ["invalid_consent"])]
    assert shown[6]["status"] == "new" and shown[6]["full_name"] == "Khách Số 100"
    assert report["matched"] == [{"row": 2, "customer_id": known["id"],
                                  "full_name": "Nguyễn Văn An", "matched_by": "phone"}]
    assert len(_all_customers(db)) == 1


def test_the_good_rows_are_imported_the_bad_skipped_and_matches_named(client, admin, db):
    known = _add(client, admin.headers, full_name="Trần Thị Bích", phone="0912345678",
                 email="bich@example.com")
    by_mail = _add(client, admin.headers, full_name="Lê Hoàng Nam", email="nam@example.com")
    rows = (HEADER + "Trần Bích,+84 912 345 678,,\n" + "Ngô Bảo,12345,,\n"
            + "Nam Lê,,NAM@example.com,\n" + "Phạm Hà,0903000111,ha@example.com,có\n")
    preview = _import(client, admin.headers, rows, dry_run="true").json()
    refused = _import(client, admin.headers, rows, preview=preview["digest"]).json()
    assert not refused["saved"] and len(_all_customers(db)) == 2  # bad rows: not without skip
    report = _import(client, admin.headers, rows, skip_bad_rows="true",
                     preview=preview["digest"]).json()
    assert report["saved"] and (report["created"], report["existing"], report["bad"]) == (1, 2, 1)
    assert [(m["row"], m["customer_id"], m["matched_by"]) for m in report["matched"]] == [
        (2, known["id"], "phone"), (4, by_mail["id"], "email")]
    customers = _all_customers(db)
    assert [c.full_name for c in customers] == ["Trần Thị Bích", "Lê Hoàng Nam", "Phạm Hà"]
    assert report["customer_ids"] == [known["id"], by_mail["id"], customers[2].id]
    assert customers[2].phone == "+84903000111" and customers[2].consent_email


def test_a_file_other_than_the_one_previewed_is_refused(client, admin, db):
    preview = _import(client, admin.headers, HEADER + "Phạm Hà,0903000111,,\n",
                      dry_run="true").json()
    changed = _import(client, admin.headers, HEADER + "Phạm Hà,0903000112,,\n",
                      skip_bad_rows="true", preview=preview["digest"])
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "file_changed"
    assert _all_customers(db) == []


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 40)


def test_an_import_that_fails_half_way_keeps_whole_batches_and_a_retry_carries_on(
        client, admin, db, small_batches):
    if not db.engine.url.drivername.startswith("sqlite"):
        pytest.skip("the failure is made by a SQLite trigger")
    rows = HEADER + _people(100) + "Lỗi Ổ Đĩa,,,\n" + _people(50, start=100)
    with db.engine.begin() as connection:  # the database refuses row 102 (the third batch)
        connection.execute(text(
            "CREATE TRIGGER disk_full BEFORE INSERT ON customers WHEN NEW.full_name = 'Lỗi Ổ Đĩa'"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with pytest.raises(Exception, match="disk full"):
        _import(client, admin.headers, rows, skip_bad_rows="true")
    saved = _all_customers(db)
    assert [c.full_name for c in saved] == [f"Khách {'Số' if n % 3 else 'Không Số'} {n}"
                                            for n in range(80)]  # two whole batches of 40
    with db.session() as session:
        record = session.scalars(select(CustomerImport)).one()
        assert (record.next_line, record.finished_at) == (82, None)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER disk_full"))
    again = _import(client, admin.headers, rows, skip_bad_rows="true").json()
    assert again["saved"] and (again["already_saved"], again["created"]) == (80, 71)
    names = [c.full_name for c in _all_customers(db)]
    assert len(names) == len(set(names)) == 151  # nobody twice, phone or not
    once_more = _import(client, admin.headers, rows, skip_bad_rows="true").json()
    assert once_more["saved"] and (once_more["already_saved"], once_more["created"]) == (151, 0)
    assert len(_all_customers(db)) == 151


def test_a_second_runner_of_the_same_file_is_refused(client, admin, db, small_batches):
    rows = HEADER + _people(100)
    preview = _import(client, admin.headers, rows, dry_run="true").json()
    with db.session() as session:  # another request has claimed the file and saved a batch
        session.add(CustomerImport(scope="customers", digest=preview["digest"], next_line=42))
    ahead = []
    real_advance = imports._advance

    def advance_after_the_other(session, record_id, *, since, to, finished):
        if not ahead:  # the other runner moves on meanwhile
            ahead.append(session.execute(text(
                "UPDATE customer_imports SET next_line = 82")).rowcount)
        real_advance(session, record_id, since=since, to=to, finished=finished)

    imports._advance, saved_advance = advance_after_the_other, real_advance
    try:
        refused = _import(client, admin.headers, rows)
    finally:
        imports._advance = saved_advance
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "import_running"
    assert _all_customers(db) == []


def test_guests_are_invited_with_their_customers_and_a_full_event_refuses_the_file(
        client, admin):
    event = client.post("/api/v1/events", json=open_event_body(capacity=3),
                        headers=admin.headers).json()
    known = _add(client, admin.headers, full_name="Bùi Thị Xuân", phone="0903555111")
    path = f"/api/v1/events/{event['id']}/invitations/import"
    rows = HEADER + "Bùi Xuân,0903555111,,\nĐặng Long,0903555112,,\nNgô Bảo,12345,,\n"
    report = _import(client, admin.headers, rows, path=path, skip_bad_rows="true").json()
    assert report["saved"] and (report["created_customers"], report["existing_customers"],
                                report["bad"]) == (1, 1, 1)
    assert [i["customer_name"] for i in report["invitations"]] == ["Bùi Thị Xuân", "Đặng Long"]
    assert report["matched"][0]["customer_id"] == known["id"]
    more = HEADER + "Hà Anh,0903555113,,\nLý Minh,0903555114,,\n"
    full = _import(client, admin.headers, more, path=path, dry_run="true")
    assert full.status_code == 409 and full.json()["error"]["code"] == "capacity_exceeded"
    missing = _import(client, admin.headers, more, path="/api/v1/events/4242/invitations/import",
                      dry_run="true")
    assert missing.status_code == 404


def test_a_waiting_writer_gets_the_lock_between_two_batches(tmp_path):
    lock = SqliteWriteLock(str(tmp_path / "kiosk.db"))
    order: list[str] = []
    waiting = threading.Event()

    def gate_writer():
        waiting.set()
        with lock:
            order.append("check-in")

    with lock:
        order.append("batch 1")
        writer = threading.Thread(target=gate_writer)
        writer.start()
        waiting.wait()
        time.sleep(0.05)  # the writer is blocked on the lock now
    lock.let_waiting_in()
    with lock:
        order.append("batch 2")
    writer.join()
    lock.close()
    assert order == ["batch 1", "check-in", "batch 2"]


def test_a_large_file_is_read_in_another_process_with_the_same_result(monkeypatch):
    data = (HEADER + "Ngô Bảo,12345,,\n" + _people(300)).encode()
    here = imports.read_plan(data)
    monkeypatch.setattr(imports, "APART_FROM_BYTES", 0)
    apart = imports.read_plan_apart(data)
    assert imports._reader is not None and imports._reader._processes  # it ran over there
    assert (apart.digest, apart.rows, apart.good, apart.errors, apart.shown) == (
        here.digest, here.rows, here.good, here.errors, here.shown)
    assert apart.bad == 1 and len(apart.good) == 300


def test_the_import_after_a_preview_does_not_read_the_file_again(client, admin, monkeypatch):
    reads = []
    real = imports.read_plan_apart
    # The files read are kept per process: not the one the run on another database read.
    monkeypatch.setattr(imports, "_plans", OrderedDict())
    monkeypatch.setattr(imports, "read_plan_apart", lambda data: reads.append(1) or real(data))
    rows = HEADER + _people(30, start=500)
    preview = _import(client, admin.headers, rows, dry_run="true").json()
    report = _import(client, admin.headers, rows, preview=preview["digest"]).json()
    assert report["saved"] and report["created"] == 30 and len(reads) == 1


def test_a_full_event_lets_a_retry_finish_the_guests_it_had_room_for(
        client, admin, db, monkeypatch):
    if not db.engine.url.drivername.startswith("sqlite"):
        pytest.skip("the failure is made by a SQLite trigger")
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    event = client.post("/api/v1/events", json=open_event_body(capacity=3),
                        headers=admin.headers).json()
    path = f"/api/v1/events/{event['id']}/invitations/import"
    rows = HEADER + "Khách Một,,,\nKhách Hai,,,\nKhách Ba,,,\n"  # nothing to match them by
    with db.engine.begin() as connection:
        connection.execute(text(
            "CREATE TRIGGER disk_full BEFORE INSERT ON customers WHEN NEW.full_name = 'Khách Ba'"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with pytest.raises(Exception, match="disk full"):
        _import(client, admin.headers, rows, path=path)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER disk_full"))
    again = _import(client, admin.headers, rows, path=path)
    assert again.status_code == 200, again.text  # 2 invited + the 1 left: room for it
    assert (again.json()["already_saved"], len(again.json()["invitations"])) == (2, 1)
    page = client.get(f"/api/v1/events/{event['id']}/invitations", headers=admin.headers).json()
    assert [i["customer_name"] for i in page["items"]] == ["Khách Một", "Khách Hai", "Khách Ba"]


def test_consent_given_in_a_file_is_recorded_per_channel_as_given_by_import(client, admin):
    rows = ("Họ tên,Số điện thoại,consent_email,consent_sms\n"
            + "Đặng Thu Hà,0905111222,có,không\n" + "Bùi Minh Khoa,0905111333,không,có\n"
            + "Lý Thị Mai,0905111444,,\n")
    report = _import(client, admin.headers, rows).json()
    assert report["saved"] and report["created"] == 3
    history = [client.get(f"/api/v1/customers/{customer_id}/consent",
                          headers=admin.headers).json() for customer_id in report["customer_ids"]]
    assert [[(c["channel"], c["granted"], c["source"], c["staff_id"]) for c in h]
            for h in history] == [[("email", True, "import", admin.staff_id)],
                                  [("sms", True, "import", admin.staff_id)], []]
    mai = client.get(f"/api/v1/customers/{report['customer_ids'][2]}", headers=admin.headers)
    assert (mai.json()["consent_email"], mai.json()["consent_sms"]) == (False, False)
