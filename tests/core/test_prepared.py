"""Prepared statements give back exactly what SQLAlchemy's own execution gives."""

from datetime import UTC, datetime

from sqlalchemy import bindparam, select

from kiosk_server.core.db import Prepared, prepared_insert
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
