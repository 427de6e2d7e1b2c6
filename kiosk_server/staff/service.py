"""Staff users, kiosk devices, and the bearer tokens and sessions that identify them."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, bindparam, func, select, update
from sqlmodel import Session, col

from kiosk_server.core.db import Database, Executor, Prepared, flush_unique, id_slots
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.types import utcnow
from kiosk_server.staff import throttle
from kiosk_server.staff.models import (
    AuthToken,
    Device,
    DevicePairing,
    Role,
    StaffCreate,
    StaffName,
    StaffUpdate,
    StaffUser,
    TokenKind,
)

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown user as slow as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
STAFF_TOKEN_PREFIX = "kst_"
DEVICE_TOKEN_PREFIX = "ksd_"
SESSION_PREFIX = "kss_"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request: a staff member or a kiosk device."""

    staff_id: int | None = None
    role: Role | None = None
    username: str = ""
    device_id: int | None = None
    device_event_id: int | None = None
    device_gate: str = ""

    @property
    def is_device(self) -> bool:
        return self.device_id is not None

    @property
    def staff_member_id(self) -> int:
        """`staff_id` of a caller that a dependency has checked is a staff member."""
        if self.staff_id is None:
            raise RuntimeError("the caller is a kiosk device, not a staff member")
        return self.staff_id

    def serves_event(self, event_id: int) -> bool:
        """Whether the caller may act for this event: staff always, a kiosk device only for
        the event it belongs to (or any, if it belongs to none)."""
        return not self.is_device or self.device_event_id in (None, event_id)

    @property
    def key(self) -> str:
        """A stable name for the caller, used to scope client scan ids."""
        return f"device:{self.device_id}" if self.is_device else f"staff:{self.staff_id}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PasswordHash:
    """A new password's argon2 hash, made by `hash_password`.

    A hash costs tens of milliseconds of CPU on purpose. It is computed before the write
    transaction that stores it opens, never inside it: on SQLite a write transaction holds
    the database's one write lock, and every gate's check-in would wait behind the hash.
    The services that store a password therefore take this, not the password."""

    value: str


def hash_password(password: str) -> PasswordHash:
    """The argon2 hash of `password` (call it outside any write transaction)."""
    return PasswordHash(_hasher.hash(password))


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one `stored_hash` was made from (argon2: outside any write
    transaction, like `hash_password`)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_staff(session: Session, *, data: StaffCreate, password_hash: PasswordHash
                 ) -> StaffUser:
    """Create a staff user with the argon2 hash of `data.password` (`hash_password`)."""
    user = StaffUser(
        username=data.username,
        full_name=data.full_name,
        role=data.role,
        password_hash=password_hash.value,
    )
    session.add(user)
    flush_unique(session, conflict(
        "username_taken", "Tên đăng nhập đã có người dùng.", "That username is taken.",
        field="username",
    ))
    return user


def stored_password_hash(session: Session, *, staff_id: int) -> str:
    """The staff member's password hash as stored now (to check a password against it
    outside the write transaction, then `change_password`)."""
    return get_staff(session, staff_id=staff_id).password_hash


def wrong_password() -> DomainError:
    return invalid("wrong_password", "Mật khẩu hiện tại không đúng.",
                   "The current password is wrong.", field="current_password")


def change_password(session: Session, *, staff_id: int, checked_against: str,
                    password_hash: PasswordHash) -> None:
    """A staff member's new password, once their current one was checked against
    `checked_against` (`stored_password_hash`, `password_matches`). If the password was
    changed in between, the check no longer holds: refused as a wrong password."""
    changed = session.execute(
        update(StaffUser)
        .where(col(StaffUser.id) == staff_id, col(StaffUser.password_hash) == checked_against)
        .values(password_hash=password_hash.value)
    )
    if cast(CursorResult, changed).rowcount != 1:
        raise wrong_password()


def update_staff(session: Session, *, staff_id: int, data: StaffUpdate, by: int | None
                 ) -> StaffUser:
    """Change a staff user's name, role or whether they may sign in. A user disabled is
    signed out everywhere; the last active admin stays an active admin."""
    user = get_staff(session, staff_id=staff_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    stays_admin = (changes.get("role", user.role) is Role.ADMIN
                   and changes.get("active", user.active))
    if (user.role is Role.ADMIN and user.active and not stays_admin
            and _active_admins(session) == 1):
        raise conflict("last_admin", "Phải còn ít nhất một quản trị viên đang hoạt động.",
                       "At least one active admin must remain.",
                       field="role" if "role" in changes else "active")
    if staff_id == by and changes.get("active") is False:
        raise invalid("disable_self", "Bạn không thể tự khóa tài khoản của mình.",
                      "You cannot disable your own account.", field="active")
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    if changes.get("active") is False:
        _revoke_all(session, staff_id=staff_id)
    return user


def reset_password(session: Session, *, staff_id: int, password_hash: PasswordHash
                   ) -> StaffUser:
    """An admin sets a new password for someone: their sessions end (their API tokens stay)."""
    user = get_staff(session, staff_id=staff_id)
    user.password_hash = password_hash.value
    session.add(user)
    _revoke_all(session, staff_id=staff_id, kind=TokenKind.SESSION)
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffUser).where(
        col(StaffUser.role) == Role.ADMIN, col(StaffUser.active).is_(True))) or 0


def _revoke_all(session: Session, *, staff_id: int, kind: TokenKind | None = None) -> None:
    query = (update(AuthToken)
             .where(col(AuthToken.staff_id) == staff_id, col(AuthToken.revoked_at).is_(None))
             .values(revoked_at=utcnow()))
    if kind is not None:
        query = query.where(col(AuthToken.kind) == kind)
    session.execute(query)


def get_staff_by_username(session: Session, *, username: str) -> StaffUser | None:
    return session.scalars(
        select(StaffUser).where(col(StaffUser.username) == username.strip().lower())
    ).first()


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def get_staff(session: Session, *, staff_id: int) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise not_found("nhân viên", "Staff user")
    return user


# What colleagues and customers' histories call a staff member: their name, else their
# username.
_NAME = func.coalesce(func.nullif(StaffUser.full_name, ""), StaffUser.username)


def directory(session: Session) -> list[StaffName]:
    """The active staff members' names, for any staff member to pick one."""
    rows = session.execute(select(col(StaffUser.id), _NAME)
                           .where(col(StaffUser.active).is_(True)).order_by(StaffUser.username))
    return [StaffName(id=staff_id, name=name) for staff_id, name in rows]


def active_staff_member(session: Session, *, staff_id: int) -> StaffUser:
    """A staff member who may be named as serving a customer (404 if not, or disabled)."""
    user = session.get(StaffUser, staff_id)
    if user is None or not user.active:
        raise not_found("nhân viên", "Staff user", code="staff_not_found")
    return user


_NAMES = Prepared(select(col(StaffUser.id), _NAME).where(col(StaffUser.id).in_(id_slots())))


def staff_names(db: Executor, *, staff_ids: Iterable[int | None]) -> dict[int | None, str]:
    """What a customer's history calls each of these staff members (`_NAME`)."""
    return dict(_NAMES.rows_for_ids(db, staff_ids))


def _bad_credentials() -> DomainError:
    return DomainError("bad_credentials", "Sai tên đăng nhập hoặc mật khẩu.",
                       "Wrong username or password.", status=401)


def login(database: Database, *, username: str, password: str, days: int, address: str
          ) -> tuple[StaffUser, str]:
    """Check a password and open a browser session: the staff member and the session's
    secret. Past `throttle`'s limits for this username at this client `address`, refused
    (429) without checking the password; a wrong password is refused (401) and counted.

    Three steps, so that the slow password hash runs with no transaction open: the
    attempt is counted as a failure first (committed), the password is checked, and a
    right one takes the count back and opens the session."""
    limits = throttle.sign_in_limits(username, address)
    with database.session() as session:
        claimed = throttle.claim(session, limits, what=throttle.SIGN_IN)
        user = get_staff_by_username(session, username=username)
    if not password_matches(user.password_hash if user else _DUMMY_HASH, password):
        user = None
    if user is None or not user.active:
        raise _bad_credentials()
    rehashed = (hash_password(password) if _hasher.check_needs_rehash(user.password_hash)
                else None)
    secret = _new_secret(SESSION_PREFIX)
    with database.session() as session:
        throttle.release(session, claimed)
        throttle.forget(session, limits[0])
        user = session.get(StaffUser, user.id)
        if user is None or not user.active:  # disabled while the password was checked
            raise _bad_credentials()
        if rehashed is not None:
            user.password_hash = rehashed.value
        session.add(AuthToken(digest=_digest(secret), kind=TokenKind.SESSION, staff_id=user.id,
                              expires_at=utcnow() + timedelta(days=days)))
    return user, secret


def revoke_secret(session: Session, *, secret: str) -> None:
    """End a session or revoke a token given its secret (logout)."""
    session.execute(
        update(AuthToken)
        .where(col(AuthToken.digest) == _digest(secret), col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def create_api_token(session: Session, *, staff_id: int, label: str = "") -> tuple[AuthToken, str]:
    """A new long-lived bearer token for a staff user; the secret is returned once."""
    get_staff(session, staff_id=staff_id)
    secret = _new_secret(STAFF_TOKEN_PREFIX)
    token = AuthToken(digest=_digest(secret), kind=TokenKind.API, staff_id=staff_id, label=label)
    session.add(token)
    session.flush()
    return token, secret


def list_api_tokens(session: Session, *, staff_id: int) -> list[AuthToken]:
    return list(session.scalars(
        select(AuthToken)
        .where(col(AuthToken.staff_id) == staff_id, col(AuthToken.kind) == TokenKind.API)
        .order_by(col(AuthToken.id))
    ))


def revoke_api_token(session: Session, *, staff_id: int, token_id: int) -> AuthToken:
    token = session.get(AuthToken, token_id)
    if token is None or token.staff_id != staff_id or token.kind != TokenKind.API:
        raise not_found("mã truy cập", "API token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
    return token


def create_device(
    session: Session, *, name: str, event_id: int | None, gate: str, created_by: int | None
) -> tuple[Device, str]:
    """Register a kiosk device and return it with its bearer secret (shown once)."""
    device = Device(name=name, event_id=event_id, gate=gate, created_by=created_by)
    session.add(device)
    session.flush()
    secret = _new_secret(DEVICE_TOKEN_PREFIX)
    session.add(AuthToken(
        digest=_digest(secret), kind=TokenKind.API, device_id=device.id, label=name
    ))
    return device, secret


def list_devices(session: Session, *, event_id: int | None = None) -> list[Device]:
    query = select(Device).order_by(col(Device.id))
    if event_id is not None:
        query = query.where(col(Device.event_id) == event_id)
    return list(session.scalars(query))


_KIOSKS_OF_EVENT = Prepared(
    select(col(Device.id), col(Device.name), col(Device.gate))
    .where(col(Device.event_id) == bindparam("event_id"), col(Device.revoked_at).is_(None))
    .order_by(col(Device.id)))
_DEVICE_NAME = Prepared(select(col(Device.name)).where(col(Device.id) == bindparam("device_id")))


def kiosks_of_event(db: Executor, *, event_id: int) -> list[tuple[int, str, str]]:
    """The event's kiosk devices not revoked: (id, name, gate), by id."""
    return [(device_id, name, gate)
            for device_id, name, gate in _KIOSKS_OF_EVENT.rows(db, {"event_id": event_id})]


def device_name(db: Executor, *, device_id: int) -> str:
    """What the kiosk device is called ("" for an unknown id)."""
    return _DEVICE_NAME.scalar(db, {"device_id": device_id}) or ""


def _device(session: Session, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise not_found("thiết bị", "Device")
    return device


def rename_device(session: Session, *, device_id: int, name: str) -> Device:
    device = _device(session, device_id)
    device.name = name
    session.add(device)
    return device


def revoke_device(session: Session, *, device_id: int) -> Device:
    device = _device(session, device_id)
    if device.revoked_at is None:
        now = utcnow()
        device.revoked_at = now
        session.add(device)
        session.execute(
            update(AuthToken)
            .where(col(AuthToken.device_id) == device_id, col(AuthToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )
    return device


# Built once: authentication runs on every request, check-ins included.
_CALLER = Prepared(
    select(
        col(AuthToken.expires_at), col(AuthToken.staff_id), col(StaffUser.role),
        col(StaffUser.active), col(StaffUser.username), col(AuthToken.device_id),
        col(Device.event_id), col(Device.gate), col(Device.revoked_at),
    )
    .outerjoin(StaffUser, col(StaffUser.id) == AuthToken.staff_id)
    .outerjoin(Device, col(Device.id) == AuthToken.device_id)
    .where(col(AuthToken.digest) == bindparam("digest"), col(AuthToken.revoked_at).is_(None))
)


def authenticate(db: Executor, *, secret: str) -> Principal | None:
    """The caller a bearer token or session secret belongs to, if it is still valid."""
    if not secret or len(secret) > 200:
        return None
    row = _CALLER.first(db, {"digest": _digest(secret)})
    if row is None:
        return None
    (expires_at, staff_id, role, active, username, device_id, event_id, gate,
     device_revoked_at) = row
    if expires_at is not None and expires_at <= utcnow():
        return None
    if staff_id is not None:
        return Principal(staff_id=staff_id, role=Role(role), username=username) if active else None
    if device_id is None or device_revoked_at is not None:
        return None
    return Principal(device_id=device_id, device_event_id=event_id, device_gate=gate)


PAIRING_MINUTES = 10
PAIRING_LENGTH = 8
# Letters and digits that cannot be mistaken for one another when read off a screen.
_PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _pairing_digest(code: str) -> str:
    """Codes are typed by people: case, spaces and dashes do not matter."""
    return _digest("".join(ch for ch in code.upper() if ch.isalnum()))


def create_pairing(session: Session, *, event_id: int, gate: str, created_by: int | None
                   ) -> tuple[DevicePairing, str]:
    """A code (shown once, like `K7QM-4XPA`) that turns one kiosk into a device of this
    event's gate; it works once, for `PAIRING_MINUTES`."""
    raw = "".join(secrets.choice(_PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    pairing = DevicePairing(
        digest=_pairing_digest(raw), event_id=event_id, gate=gate, created_by=created_by,
        expires_at=utcnow() + timedelta(minutes=PAIRING_MINUTES),
    )
    session.add(pairing)
    session.flush()
    return pairing, f"{raw[:4]}-{raw[4:]}"


def redeem_pairing(session: Session, *, code: str, name: str, address: str
                   ) -> tuple[Device, str] | DomainError:
    """The device a pairing code makes, with its token (shown once). Past `throttle`'s
    limit of wrong codes from this client `address`, refused (429) without looking the
    code up; a wrong, used or expired code is counted, and its refusal returned for the
    route to answer once the count is saved."""
    refused = invalid("pairing_code_invalid", "Mã ghép nối sai, đã dùng hoặc đã hết hạn.",
                      "This pairing code is wrong, already used, or expired.", field="code")
    limits = throttle.pairing_limits(address)
    throttle.check(session, limits, what=throttle.PAIRING)
    pairing = session.scalars(
        select(DevicePairing).where(col(DevicePairing.digest) == _pairing_digest(code))
    ).first()
    now = utcnow()
    if pairing is None or pairing.used_at is not None or pairing.expires_at <= now:
        throttle.record_failure(session, limits, now=now)
        return refused
    device, secret = create_device(session, name=name or f"Kiosk {pairing.gate}".strip(),
                                   event_id=pairing.event_id, gate=pairing.gate,
                                   created_by=pairing.created_by)
    # Used once, even by two kiosks at the same moment: the loser's device is rolled back.
    claimed = cast(CursorResult, session.execute(
        update(DevicePairing)
        .where(col(DevicePairing.id) == pairing.id, col(DevicePairing.used_at).is_(None))
        .values(used_at=now, device_id=device.id)
    )).rowcount
    if claimed != 1:
        raise refused
    return device, secret
