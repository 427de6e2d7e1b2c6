"""Prepared statements give back exactly what SQLAlchemy's own execution gives."""

from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select

from kiosk_server.core.db import ID_SLOTS, Prepared, id_of, id_slots, prepared_insert
from kiosk_server.staff.models import AuthToken, Role, StaffUser, TokenKind


def test_values_round_trip_like_core(db):
    at = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)
    with db.session() as session:
        user = StaffUser(username="lan", full_name="Trần Thị Lan", role=Role.ADMIN,
                         password_hash="x")
        session.add(user)
        session.flush()
        add_token = prepared_insert(AuthToken, [
            "digest", "kind", "label", "staff_id", "created_at", "expires_at",
        ], ignore_conflicts=True, returning=(AuthToken.id,))
        values = {"digest": "d" * 64, "kind": TokenKind.API, "label": "máy quét",
                  "staff_id": user.id, "created_at": at, "expires_at": None}
        token_id = add_token.scalar(session, values)
        assert token_id is not None
        assert add_token.scalar(session, values) is None  # the unique digest: skipped

    query = (select(AuthToken.id, AuthToken.kind, AuthToken.label, AuthToken.created_at,
                    AuthToken.expires_at, StaffUser.role, StaffUser.active, StaffUser.full_name)
             .join(StaffUser, StaffUser.id == AuthToken.staff_id)
             .where(AuthToken.digest == bindparam("digest")))
    with db.session() as session:
        through_core = tuple(session.execute(query, {"digest": "d" * 64}).one())
        prepared = Prepared(query).first(session, {"digest": "d" * 64})
        missing = Prepared(query).first(session, {"digest": "nope"})
    assert prepared == through_core
    assert prepared == (token_id, TokenKind.API, "máy quét", at, None, Role.ADMIN, True,
                        "Trần Thị Lan")
    assert prepared[3].tzinfo is not None
    assert missing is None


def _staff(session, count: int) -> list[int]:
    users = [StaffUser(username=f"nv{n}", full_name=f"Nhân viên {n}", role=Role.STAFF,
                       password_hash="x") for n in range(count)]
    session.add_all(users)
    session.flush()
    return [id_of(user) for user in users]


def test_records_are_named_by_the_statements_columns(db):
    with db.session() as session:
        [staff_id] = _staff(session, 1)
        [record] = Prepared(select(StaffUser.id, StaffUser.full_name, StaffUser.role,
                                   func.upper(StaffUser.username))
                            .where(StaffUser.id == bindparam("id"))).records(
            session, {"id": staff_id})
    assert (record.id, record.full_name, record.role) == (staff_id, "Nhân viên 0", Role.STAFF)
    assert record._asdict()["full_name"] == "Nhân viên 0"
    assert record[3] == "NV0"  # an unlabelled expression: by position


def test_rows_for_ids_takes_any_number_of_ids(db):
    names = Prepared(select(StaffUser.id, StaffUser.username)
                     .where(StaffUser.id.in_(id_slots()), StaffUser.active == bindparam("on")))
    with db.session() as session:
        ids = _staff(session, 2 * ID_SLOTS + 3)
        wanted = [None, *ids, ids[0], ids[-1], 10**9]  # a None, repeats and an unknown id
        found = names.rows_for_ids(session, wanted, {"on": True})
        assert sorted(found) == [(staff_id, f"nv{n}") for n, staff_id in enumerate(ids)]
        assert names.rows_for_ids(session, ids, {"on": False}) == []
        assert names.rows_for_ids(session, [None], {"on": True}) == []
        assert names.rows_for_ids(session, [], {"on": True}) == []


def test_a_sessions_pending_changes_are_seen(db):
    """Like the ORM's autoflush: what the session holds unsaved is flushed first."""
    count = Prepared(select(func.count()).select_from(StaffUser)
                     .where(StaffUser.username == bindparam("username")))
    with db.session() as session:
        session.add(StaffUser(username="mai", full_name="Mai", role=Role.STAFF,
                              password_hash="x"))
        assert count.scalar(session, {"username": "mai"}) == 1


def test_many_rows_go_in_through_their_types_like_one_row_does(db):
    from kiosk_server.customers.models import Customer

    at = datetime(2026, 12, 6, 9, 0, 1, 5, tzinfo=UTC)
    insert_many = prepared_insert(Customer, ["full_name", "name_folded", "consent_email",
                                             "consent_sms", "notes", "tags", "visit_count",
                                             "created_at"])
    with db.session() as session:
        insert_many.many(session, [
            {"full_name": "Lê Văn Tám", "name_folded": "le van tam", "consent_email": True},
            {"full_name": "Đỗ Thị Chín", "name_folded": "do thi chin", "consent_email": False},
        ], shared={"tags": ["vip"], "visit_count": 0, "created_at": at, "notes": "",
                   "consent_sms": False})
    with db.session() as session:
        rows = session.execute(select(Customer.full_name, Customer.consent_email, Customer.tags,
                                      Customer.created_at).order_by(Customer.id)).all()
    assert [tuple(row) for row in rows] == [("Lê Văn Tám", True, ["vip"], at),
                                            ("Đỗ Thị Chín", False, ["vip"], at)]


def test_rows_given_as_tuples_go_in_as_the_same_rows(db):
    """`many(columns=...)`: tuples in the columns' order, as they are when nothing needs
    converting (the retention pass's status rows), through the types when something does
    (here the JSON tags and the time, in the shared values and in the rows)."""
    from kiosk_server.customers.models import Customer

    at = datetime(2026, 12, 6, 9, 0, 1, 5, tzinfo=UTC)
    plain = prepared_insert(Customer, ["full_name", "name_folded", "visit_count",
                                       "created_at", "tags"])
    typed = prepared_insert(Customer, ["full_name", "name_folded", "created_at", "tags"])
    with db.session() as session:
        plain.many(session, [("Lê Văn Tám", "le van tam", 3), ("Đỗ Thị Chín", "do thi chin", 0)],
                   shared={"created_at": at, "tags": []},
                   columns=["full_name", "name_folded", "visit_count"])
        typed.many(session, [("Phạm Thị Mười", "pham thi muoi", at)],
                   shared={"tags": ["vip"]}, columns=["full_name", "name_folded", "created_at"])
    with db.session() as session:
        rows = session.execute(select(Customer.full_name, Customer.visit_count, Customer.tags)
                               .order_by(Customer.id)).all()
        added = session.scalars(select(Customer.created_at).order_by(Customer.id.desc())).first()
    assert [tuple(row) for row in rows] == [("Lê Văn Tám", 3, []), ("Đỗ Thị Chín", 0, []),
                                            ("Phạm Thị Mười", 0, ["vip"])]
    assert added == at
