"""Guessing passwords and pairing codes is slowed down to a few tries per quarter hour.

Each failed attempt is recorded under keys naming what was tried from where: a staff
sign-in under the username at the client's address and under the address alone, a
kiosk pairing under the address. Once a key holds its limit of failures within
`WINDOW`, further attempts under it are refused (429, with `Retry-After`) before any
password or code is checked, until its oldest failure leaves the window. Keying on
the username *at an address* means that someone guessing an admin's password from
elsewhere cannot lock the admin out of their own desk; the address alone caps what
one machine can try across all usernames.

Failures are rows of `failed_attempts`, so every server process sharing the database
counts the same attempts. Counting and refusing is atomic: `check` first locks the
keys for the rest of its transaction (SQLite's writer lock does that for the whole
database; on PostgreSQL a transaction-level advisory lock per key), so of 25 wrong
passwords sent at once exactly the limit are looked at. A sign-in counts itself as a
failure *before* the password is checked (`claim`), in a short transaction of its own,
and takes the count back if the password was right: the slow password hash runs with
no lock held, and a burst of guesses cannot all pass the count while their hashes run."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, text
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, id_slots, prepared_insert
from kiosk_server.core.errors import DomainError
from kiosk_server.core.types import utcnow
from kiosk_server.staff.models import FailedAttempt

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    key: str
    most: int  # failures within WINDOW before attempts under `key` are refused


def sign_in_limits(username: str, address: str) -> list[Limit]:
    name = username.strip().lower()
    return [Limit(f"login:{name}@{address}", 5), Limit(f"login:@{address}", 30)]


def pairing_limits(address: str) -> list[Limit]:
    return [Limit(f"pair:@{address}", 10)]


_RECENT = Prepared(select(func.count(), func.min(FailedAttempt.at)).where(
    col(FailedAttempt.key) == bindparam("key"), col(FailedAttempt.at) > bindparam("since")))
_ADD = prepared_insert(FailedAttempt, ["key", "at"], returning=(FailedAttempt.id,))
_RELEASE = Prepared(delete(FailedAttempt).where(col(FailedAttempt.id).in_(id_slots())))
_FORGET = Prepared(delete(FailedAttempt).where(col(FailedAttempt.key) == bindparam("key")))
_EXPIRE = Prepared(delete(FailedAttempt).where(col(FailedAttempt.at) <= bindparam("since")))


def _too_many(what: tuple[str, str], retry_after: timedelta) -> DomainError:
    """`what`: what was tried, in Vietnamese and English (`SIGN_IN`, `PAIRING`)."""
    seconds = max(1, math.ceil(retry_after.total_seconds()))
    minutes = math.ceil(seconds / 60)
    return DomainError(
        "too_many_attempts",
        f"Nhập sai {what[0]} quá nhiều lần. Hãy thử lại sau {minutes} phút.",
        f"Too many wrong {what[1]}. Try again in {minutes} min.",
        status=429, extra={"retry_after_s": seconds}, headers={"Retry-After": str(seconds)})


SIGN_IN = ("mật khẩu", "passwords")
PAIRING = ("mã ghép nối", "pairing codes")


_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def check(db: Executor, limits: list[Limit], *, what: tuple[str, str],
          now: datetime | None = None) -> None:
    """Refuse (429) an attempt under a key that holds its limit of recent failures. The
    keys stay locked until the transaction ends, so a failure recorded in it is counted
    by the next attempt under them."""
    now = now or utcnow()
    if (db.get_bind() if isinstance(db, Session) else db).dialect.name == "postgresql":
        for key in sorted(limit.key for limit in limits):  # one order: no deadlock
            db.execute(_LOCK, {"key": key})
    for limit in limits:
        count, oldest = _RECENT.one(db, {"key": limit.key, "since": now - WINDOW})
        if count >= limit.most:
            raise _too_many(what, oldest + WINDOW - now)


def record_failure(db: Executor, limits: list[Limit], *, now: datetime | None = None
                   ) -> list[int]:
    """Count a failed attempt under every key (the rows' ids); failures that no longer
    count are dropped."""
    now = now or utcnow()
    _EXPIRE.rows(db, {"since": now - WINDOW})
    return [_ADD.scalar(db, {"key": limit.key, "at": now}) for limit in limits]


def claim(db: Executor, limits: list[Limit], *, what: tuple[str, str]) -> list[int]:
    """`check`, then count this attempt as a failure until it proves otherwise (`release`)."""
    check(db, limits, what=what)
    return record_failure(db, limits)


def release(db: Executor, claimed: list[int]) -> None:
    """Take back the failures `claim` counted for an attempt that succeeded."""
    _RELEASE.rows_for_ids(db, claimed)


def forget(db: Executor, limit: Limit) -> None:
    """Clear a key's failures (a successful sign-in clears its username's)."""
    _FORGET.rows(db, {"key": limit.key})
