"""Who is calling: every endpoint names its caller with one of these dependencies."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from kiosk_server.audit.service import AuditLog, Labelers
from kiosk_server.core.db import Access, Database
from kiosk_server.core.deps import SessionDep
from kiosk_server.core.errors import DomainError, forbidden, unauthenticated
from kiosk_server.live.socket import NOT_ALLOWED, SIGN_IN_NEEDED
from kiosk_server.staff import service
from kiosk_server.staff.models import Role
from kiosk_server.staff.service import Principal

SESSION_COOKIE = "kiosk_session"

_bearer = HTTPBearer(auto_error=False, description="Staff API token or kiosk device token")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Staff browser session")


def _secret(bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> str | None:
    """The bearer token, else the session cookie: who the caller says they are."""
    return (bearer.credentials if bearer else cookie) or None


def _required(secret: str | None) -> str:
    if not secret:
        raise unauthenticated()
    return secret


async def _credentials(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str:
    return _required(_secret(bearer, cookie))


async def _connection_secret(connection: HTTPConnection) -> str | None:
    return _secret(await _bearer(connection), await _cookie(connection))


async def credentials_of(request: Request) -> str:
    """What `StaffOrDeviceCredentials` gives, for a route that resolves its own parameters."""
    return _required(await _connection_secret(request))


def _staff_or_none(database: Database, secret: str) -> Principal | None:
    with database.session(Access.READ) as session:
        principal = service.authenticate(session, secret=secret)
    return principal if principal is not None and not principal.is_device else None


async def connection_staff(connection: HTTPConnection) -> Principal | None:
    """The staff member a websocket belongs to, or None (no or bad credentials, a device).

    Websocket routes take no request-scoped session: they check the caller with this."""
    secret = await _connection_secret(connection)
    if secret is None:
        return None
    return await run_in_threadpool(_staff_or_none, connection.app.state.db, secret)


async def admit_staff(websocket: WebSocket) -> bool:
    """Accept a websocket, and close it (4401) unless a staff member opened it.

    Accepted first, so that a refusal reaches the page as a close code it can act on."""
    await websocket.accept()
    if await connection_staff(websocket) is None:
        await websocket.close(code=SIGN_IN_NEEDED, reason="staff sign-in needed")
        return False
    return True


async def admit_manager(websocket: WebSocket) -> bool:
    """Accept a websocket, and close it unless an admin opened it: 4401 for no staff
    sign-in, 4403 for a staff member who is not an admin (managers' alerts)."""
    await websocket.accept()
    principal = await connection_staff(websocket)
    if principal is None:
        await websocket.close(code=SIGN_IN_NEEDED, reason="staff sign-in needed")
        return False
    if principal.role is not Role.ADMIN:
        await websocket.close(code=NOT_ALLOWED, reason="admins only")
        return False
    return True


def _authenticated(session: Session, secret: str) -> Principal:
    """Whose `secret` is (a staff member or a kiosk device); 401 if nobody's (any more)."""
    principal = service.authenticate(session, secret=secret)
    if principal is None:
        raise unauthenticated()
    return principal


def _principal(session: SessionDep, secret: Annotated[str, Depends(_credentials)]) -> Principal:
    return _authenticated(session, secret)


def _not_a_device(principal: Principal) -> Principal:
    if principal.is_device:
        raise forbidden("Thiết bị kiosk chỉ được dùng để check-in.",
                        "A kiosk device may only check guests in.")
    return principal


# The checks on an authenticated caller do no I/O: `async def`, no thread-pool hop (see
# core/deps.py).
async def _staff(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
    return _not_a_device(principal)


def admin_only(principal: Principal) -> Principal:
    """The caller if they are an admin; 403 otherwise (for a `StaffWorkDep` endpoint)."""
    if principal.role is not Role.ADMIN:
        raise forbidden("Chỉ quản trị viên được làm việc này.", "Only an admin may do this.")
    return principal


async def _admin(principal: Annotated[Principal, Depends(_staff)]) -> Principal:
    return admin_only(principal)


def not_a_kiosk() -> DomainError:
    return DomainError("not_a_kiosk", "Chỉ máy kiosk đã ghép nối được dùng việc này.",
                       "Only a paired kiosk device may do this.", status=403)


def _device_or_refused(database: Database, secret: str) -> Principal:
    # A read transaction of its own: the endpoints of kiosk devices write, if at all,
    # through the database's writer (never holding SQLite's write lock for a request).
    with database.session(Access.READ) as session:
        principal = _authenticated(session, secret)
    if not principal.is_device:
        raise not_a_kiosk()
    return principal


async def _kiosk_device(request: Request, secret: Annotated[str, Depends(_credentials)]
                        ) -> Principal:
    return await run_in_threadpool(_device_or_refused, request.app.state.db, secret)


# The credentials of a staff member or a kiosk device, not yet checked: for a
# group-committed write that authenticates inside its own transaction (check-ins).
StaffOrDeviceCredentials = Annotated[str, Depends(_credentials)]
# A signed-in staff member, or a kiosk device (the route checks the device's event).
StaffOrDevice = Annotated[Principal, Depends(_principal)]
# A signed-in staff member of any role.
CurrentStaff = Annotated[Principal, Depends(_staff)]
# A signed-in admin.
AdminOnly = Annotated[Principal, Depends(_admin)]
# A kiosk device (staff are refused: 403 `not_a_kiosk`).
KioskDevice = Annotated[Principal, Depends(_kiosk_device)]


async def _audit_log(session: SessionDep, caller: CurrentStaff) -> AuditLog:
    return AuditLog(session, caller.staff_id, caller.username)


# Where a staff member's request records what it changes (every route that changes
# something declares it; a test checks that none is missing).
Audit = Annotated[AuditLog, Depends(_audit_log)]


async def _audit_labels(request: Request) -> Labelers:
    return request.app.state.audit_labels


# What each domain calls its rows, for reading the audit log (given by `create_app`).
AuditLabels = Annotated[Labelers, Depends(_audit_labels)]


@dataclass(frozen=True)
class StaffUnit:
    """A staff member's unit of work: the session, who they are, where changes are logged."""

    session: Session
    caller: Principal
    log: AuditLog


@dataclass(frozen=True)
class StaffWork:
    """A staff member's request done in one thread-pool hop, for the till's busiest
    endpoints (a scan, a search result, a sale). With `SessionDep` and `CurrentStaff`,
    FastAPI opens the session, checks the caller, runs the endpoint and commits, each in a
    hop of its own; here the endpoint does all of it in its own thread, with `open`
    (measured on the till's lookup: 1.9 ms at the median on the server instead of 2.4,
    3.9 ms at p99 instead of 5.0). The credentials are required before the endpoint runs
    (401 without any); whose they are is checked first thing in `open`, in the request's
    transaction."""

    database: Database
    secret: str

    @contextmanager
    def open(self, access: Access = Access.WRITE) -> Iterator[StaffUnit]:
        """The unit of work of a signed-in staff member (401 for a bad, expired or
        disabled credential, 403 for a kiosk device): committed when the block ends,
        rolled back on an exception."""
        with self.database.session(access) as session:
            caller = _not_a_device(_authenticated(session, self.secret))
            yield StaffUnit(session, caller, AuditLog(session, caller.staff_id, caller.username))


async def _staff_work(request: Request, secret: Annotated[str, Depends(_credentials)]
                      ) -> StaffWork:
    return StaffWork(request.app.state.db, secret)


# A staff member of any role, checked by the endpoint in one hop with its work (it
# records its changes with `unit.log`).
StaffWorkDep = Annotated[StaffWork, Depends(_staff_work)]
