"""Sign-in, staff users, their API tokens, and kiosk devices."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from kiosk_server.audit import service as audit
from kiosk_server.audit.models import AuditKind, AuditPage
from kiosk_server.core.db import Access
from kiosk_server.core.deps import DatabaseDep, SessionDep, SettingsDep, client_address
from kiosk_server.core.errors import DomainError, error_response, forbidden
from kiosk_server.core.types import Id
from kiosk_server.staff import service
from kiosk_server.staff.deps import (
    SESSION_COOKIE,
    AdminOnly,
    Audit,
    AuditLabels,
    CurrentStaff,
    StaffWorkDep,
    admin_only,
)
from kiosk_server.staff.models import (
    ApiTokenCreated,
    ApiTokenPublic,
    DevicePublic,
    DeviceRename,
    DeviceWithToken,
    LoginRequest,
    PairRequest,
    PasswordChange,
    PasswordReset,
    StaffCreate,
    StaffName,
    StaffPublic,
    StaffUpdate,
    TokenRequest,
)

router = APIRouter(prefix="/api/v1", tags=["staff"])



TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many wrong attempts from here lately: `Retry-After` "
                         "says when to try again"}}


@router.post("/auth/login", response_model=StaffPublic, responses=TOO_MANY)
def login(body: LoginRequest, request: Request, response: Response, database: DatabaseDep,
          settings: SettingsDep):
    """Public. Check a staff password and set the session cookie (HttpOnly, SameSite=Lax).
    Five wrong passwords for one username from one address within 15 minutes (or 30 for
    any usernames) and attempts are refused with 429 for a while."""
    user, secret = service.login(database, username=body.username, password=body.password,
                                 days=settings.session_days, address=client_address(request))
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=settings.session_days * 86400, httponly=True,
        samesite="lax", secure=settings.public_url.startswith("https://"), path="/",
    )
    return user


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, session: SessionDep, caller: CurrentStaff):
    """Staff. End this browser session."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.revoke_secret(session, secret=secret)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=StaffPublic)
def me(session: SessionDep, caller: CurrentStaff):
    """Staff. The signed-in staff member."""
    return service.get_staff(session, staff_id=caller.staff_member_id)


# The password endpoints check the caller, hash (argon2: tens of milliseconds of CPU), and
# only then open the write transaction that stores the hash: on SQLite a write transaction
# holds the one write lock every gate's check-in needs. So they open their units of work
# themselves (`StaffWorkDep`) instead of holding the request's write session throughout.

@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, work: StaffWorkDep):
    """Staff. Change one's own password (the current one is asked first)."""
    with work.open(Access.READ) as unit:
        stored = service.stored_password_hash(unit.session, staff_id=unit.caller.staff_member_id)
    if not service.password_matches(stored, body.current_password):
        raise service.wrong_password()
    password_hash = service.hash_password(body.new_password)
    with work.open() as unit:
        service.change_password(unit.session, staff_id=unit.caller.staff_member_id,
                                checked_against=stored, password_hash=password_hash)
        unit.log.record("staff.password_change", ("staff_users", unit.caller.staff_member_id))


@router.get("/staff", response_model=list[StaffPublic])
def list_staff(session: SessionDep, caller: AdminOnly):
    """Admin. All staff users."""
    return service.list_staff(session)


@router.get("/staff/names", response_model=list[StaffName])
def staff_directory(session: SessionDep, caller: CurrentStaff):
    """Staff. The active staff members' names (to say who served a customer)."""
    return service.directory(session)


@router.post("/staff", response_model=StaffPublic, status_code=status.HTTP_201_CREATED)
def create_staff(body: StaffCreate, work: StaffWorkDep):
    """Admin. Add a staff user."""
    with work.open(Access.READ) as unit:
        admin_only(unit.caller)
    password_hash = service.hash_password(body.password)
    with work.open() as unit:
        admin_only(unit.caller)
        user = service.create_staff(unit.session, data=body, password_hash=password_hash)
        unit.log.record("staff.create", user, details=body.model_dump(exclude={"password"}))
        return StaffPublic.model_validate(user)


@router.patch("/staff/{staff_id}", response_model=StaffPublic)
def update_staff(staff_id: Id, body: StaffUpdate, session: SessionDep, caller: AdminOnly,
                 log: Audit):
    """Admin. Change a staff user's name or role, or disable them (signed out at once; they
    cannot sign in until enabled again). The last active admin cannot be demoted."""
    user = service.update_staff(session, staff_id=staff_id, data=body, by=caller.staff_id)
    log.record("staff.update", user, details=body)
    return user


@router.post("/staff/{staff_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(staff_id: Id, body: PasswordReset, work: StaffWorkDep):
    """Admin. Set a new password for a staff user; their browser sessions end."""
    with work.open(Access.READ) as unit:
        admin_only(unit.caller)
        service.get_staff(unit.session, staff_id=staff_id)  # 404 before the hash is made
    password_hash = service.hash_password(body.password)
    with work.open() as unit:
        admin_only(unit.caller)
        user = service.reset_password(unit.session, staff_id=staff_id,
                                      password_hash=password_hash)
        unit.log.record("staff.password_reset", user)


def _own_or_admin(caller, staff_id: int) -> None:
    if caller.staff_id != staff_id and caller.role != "admin":
        raise forbidden()


@router.get("/staff/{staff_id}/tokens", response_model=list[ApiTokenPublic])
def list_tokens(staff_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff (their own) or admin. A staff user's API tokens."""
    _own_or_admin(caller, staff_id)
    return service.list_api_tokens(session, staff_id=staff_id)


@router.post(
    "/staff/{staff_id}/tokens", response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
)
def create_token(staff_id: Id, body: TokenRequest, session: SessionDep, caller: CurrentStaff,
                 log: Audit):
    """Staff (their own) or admin. A new API token; its secret is shown only in this answer."""
    _own_or_admin(caller, staff_id)
    token, secret = service.create_api_token(session, staff_id=staff_id, label=body.label)
    log.record("token.create", token, details={"staff_id": staff_id, "label": body.label})
    return ApiTokenCreated(**token.model_dump(), token=secret)


@router.delete("/staff/{staff_id}/tokens/{token_id}", response_model=ApiTokenPublic)
def revoke_token(staff_id: Id, token_id: Id, session: SessionDep, caller: CurrentStaff,
                 log: Audit):
    """Staff (their own) or admin. Revoke an API token."""
    _own_or_admin(caller, staff_id)
    token = service.revoke_api_token(session, staff_id=staff_id, token_id=token_id)
    log.record("token.revoke", token, details={"staff_id": staff_id})
    return token


@router.get("/devices", response_model=list[DevicePublic])
def list_devices(session: SessionDep, caller: CurrentStaff, event_id: Id | None = None):
    """Staff. Kiosk devices, optionally of one event."""
    return service.list_devices(session, event_id=event_id)


@router.post("/devices/pair", response_model=DeviceWithToken,
             status_code=status.HTTP_201_CREATED, responses=TOO_MANY)
def pair_device(body: PairRequest, request: Request, session: SessionDep):
    """Public. A kiosk enters the pairing code staff gave it and becomes a device of that
    event's gate; the device token is shown only in this answer. Ten wrong codes from one
    address within 15 minutes and attempts are refused with 429 for a while."""
    paired = service.redeem_pairing(session, code=body.code, name=body.name,
                                    address=client_address(request))
    if isinstance(paired, DomainError):
        return error_response(request, paired)  # answered once the counted failure is saved
    device, token = paired
    return DeviceWithToken(**device.model_dump(), token=token)


@router.patch("/devices/{device_id}", response_model=DevicePublic)
def rename_device(device_id: Id, body: DeviceRename, session: SessionDep, caller: AdminOnly,
                  log: Audit):
    """Admin. Rename a kiosk device."""
    device = service.rename_device(session, device_id=device_id, name=body.name)
    log.record("device.rename", device, details=body)
    return device


@router.delete("/devices/{device_id}", response_model=DevicePublic)
def revoke_device(device_id: Id, session: SessionDep, caller: AdminOnly, log: Audit):
    """Admin. Revoke a kiosk device: its token stops working at once."""
    device = service.revoke_device(session, device_id=device_id)
    log.record("device.revoke", device)
    return device


@router.get("/audit", response_model=AuditPage)
def audit_log(
    session: SessionDep, settings: SettingsDep, caller: AdminOnly, labelers: AuditLabels,
    before: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 50,
    staff_id: Annotated[Id | None, Query(description="only this staff member's changes")] = None,
    kind: Annotated[AuditKind | None, Query(
        description='only actions of this family (the code before its dot: "card")')] = None,
    first: Annotated[date | None, Query(
        alias="from", description="from this day on (the shop's calendar, KIOSK_TIMEZONE)")
    ] = None,
    last: Annotated[date | None, Query(
        alias="to", description="until this day, included (the shop's calendar)")] = None,
):
    """Admin. Every change made by staff (who, what, to whom, when), newest first;
    optionally only one person's, one kind's, or between two days."""
    since, until = audit.days(first, last, settings.zone)
    where = audit.AuditFilter(staff_id=staff_id, kind=kind, since=since, until=until)
    rows, cursor = audit.list_entries(session, before=before, limit=limit, where=where)
    return AuditPage(items=audit.described(session, rows, labelers), next_cursor=cursor)
