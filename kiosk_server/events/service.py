"""Events and invitations: create, change, invite, cancel, and look up by token."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Select, bindparam, func, select, update
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, id_of, id_slots, insert_ignoring_conflicts
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from kiosk_server.customers import imports
from kiosk_server.customers import service as customers
from kiosk_server.events.models import (
    Event,
    EventCreate,
    EventTime,
    EventUpdate,
    GatePass,
    GateRules,
    Invitation,
    InvitationImportReport,
    InvitationPublic,
    InvitationStatus,
)
from kiosk_server.staff.deps import StaffWork

MAX_PAGE = 500
_WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
_WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _no_such_event() -> DomainError:
    return not_found("sự kiện", "Event", code="event_not_found")


def when_text(event: Event, zone: ZoneInfo, language: str) -> str:
    """The event's day and hours as people read them: "Thứ Bảy, 05/12/2026 · 14:00 – 17:00"."""
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    weekday = (_WEEKDAYS_EN if language == "en" else _WEEKDAYS_VI)[start.weekday()]
    hours = f"{start:%H:%M} – {end:%H:%M}"
    if end.date() != start.date():
        hours = f"{start:%H:%M} – {end:%d/%m/%Y %H:%M}"
    return f"{weekday}, {start:%d/%m/%Y} · {hours}"


def create_event(session: Session, *, data: EventCreate) -> Event:
    event = Event(**data.model_dump())
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, *, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise _no_such_event()
    return event


def list_events(session: Session, *, when: EventTime | None = None,
                now: datetime | None = None) -> list[Event]:
    """Events, latest first: all, or those not started, running, or ended (`when`)."""
    now = now or utcnow()
    query = select(Event).order_by(col(Event.starts_at).desc(), col(Event.id).desc())
    if when is EventTime.UPCOMING:
        query = query.where(col(Event.starts_at) > now)
    elif when is EventTime.RUNNING:
        query = query.where(col(Event.starts_at) <= now, col(Event.ends_at) > now)
    elif when is EventTime.PAST:
        query = query.where(col(Event.ends_at) <= now)
    return list(session.scalars(query))


_NAMES = Prepared(select(col(Event.id), col(Event.name)).where(col(Event.id).in_(id_slots())))


def event_names(db: Executor, *, event_ids: Iterable[int | None]) -> dict[int | None, str]:
    return dict(_NAMES.rows_for_ids(db, event_ids))


def update_event(session: Session, *, event_id: int, data: EventUpdate) -> Event:
    """Change an event; the merged times must still be in order."""
    event = get_event(session, event_id=event_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at",
                "allow_walk_in", "allow_reentry"):
        if key in changes and changes[key] is None:
            raise invalid("required", "Trường này không được để trống.",
                          "This field cannot be empty.", field=key)
    for key, value in changes.items():
        setattr(event, key, value)
    if event.ends_at <= event.starts_at:
        raise invalid("bad_times", "Giờ kết thúc phải sau giờ bắt đầu.",
                      "The end must be after the start.", field="ends_at")
    if event.checkin_closes_at <= event.checkin_opens_at:
        raise invalid("bad_window", "Giờ đóng check-in phải sau giờ mở.",
                      "Check-in must close after it opens.", field="checkin_closes_at")
    session.add(event)
    return event


def count_invited(db: Executor, *, event_id: int) -> int:
    """Active invitations of the event."""
    return db.scalar(
        select(func.count()).select_from(Invitation)
        .where(col(Invitation.event_id) == event_id,
               col(Invitation.status) == InvitationStatus.ACTIVE)
    ) or 0


def guests_of(event_id: int) -> Select:
    """The customer ids of the event's active invitations, to select within."""
    return select(col(Invitation.customer_id)).where(
        col(Invitation.event_id) == event_id, col(Invitation.status) == InvitationStatus.ACTIVE
    )


def passes_of(db: Executor, *, event_id: int, customer_ids: list[int]) -> dict[int, GatePass]:
    """These customers' invitations to the event, by customer id."""
    if not customer_ids:
        return {}
    rows = db.execute(select(*_GATE_PASS_COLUMNS).where(
        col(Invitation.event_id) == event_id, col(Invitation.customer_id).in_(customer_ids)
    ))
    return {row.customer_id: GatePass(*row) for row in rows}


def _insert_ignoring_existing(db: Executor, rows: list[dict]) -> None:
    db.execute(insert_ignoring_conflicts(db, Invitation), rows)


def _over_capacity() -> DomainError:
    return conflict("capacity_exceeded", "Vượt quá sức chứa của sự kiện.",
                    "This would invite more guests than the event's capacity.")


def invite(session: Session, *, event_id: int, customer_ids: list[int]) -> list[Invitation]:
    """Invite customers (each once); returns their invitations, new or existing, in order."""
    event = get_event(session, event_id=event_id)
    wanted = list(dict.fromkeys(customer_ids))
    missing = set(wanted) - set(customers.get_customers(session, customer_ids=wanted))
    if missing:
        raise invalid("unknown_customers", "Có khách hàng không tồn tại.",
                      f"Unknown customer ids: {sorted(missing)[:20]}", field="customer_ids")
    customers.refuse_erased(session, customer_ids=wanted)
    already = _invitations_of(session, event_id=event_id, customer_ids=wanted)
    new_ids = [cid for cid in wanted if cid not in already]
    if (event.capacity is not None and new_ids
            and count_invited(session, event_id=event_id) + len(new_ids) > event.capacity):
        raise _over_capacity()
    now = utcnow()
    if new_ids:
        _insert_ignoring_existing(session, [
            {"event_id": event_id, "customer_id": cid, "serial": new_serial(),
             "status": InvitationStatus.ACTIVE, "created_at": now, "walk_in": False}
            for cid in new_ids
        ])
    found = _invitations_of(session, event_id=event_id, customer_ids=wanted)
    return [found[cid] for cid in wanted]


def _invitations_of(session: Session, *, event_id: int, customer_ids: list[int]
                    ) -> dict[int, Invitation]:
    result: dict[int, Invitation] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start:start + 500]
        for invitation in session.scalars(select(Invitation).where(
            col(Invitation.event_id) == event_id, col(Invitation.customer_id).in_(chunk)
        )):
            result[invitation.customer_id] = invitation
    return result


# What a gate needs to know, read with statements built once (the check-in hot path).
_GATE_RULES = Prepared(select(
    col(Event.id), col(Event.checkin_opens_at), col(Event.checkin_closes_at),
    col(Event.capacity), col(Event.allow_walk_in), col(Event.allow_reentry),
).where(col(Event.id) == bindparam("event_id")))
_GATE_PASS_COLUMNS = (col(Invitation.id), col(Invitation.event_id), col(Invitation.customer_id),
                      col(Invitation.status), col(Invitation.walk_in))
_PASS_BY_SERIAL = Prepared(
    select(*_GATE_PASS_COLUMNS).where(col(Invitation.serial) == bindparam("serial"))
)
_PASS_OF_CUSTOMER = Prepared(select(*_GATE_PASS_COLUMNS).where(
    col(Invitation.event_id) == bindparam("event_id"),
    col(Invitation.customer_id) == bindparam("customer_id")
))
_LOCK_INVITATION = Prepared(
    select(col(Invitation.id)).where(col(Invitation.id) == bindparam("id")).with_for_update()
)


def gate_rules(db: Executor, *, event_id: int) -> GateRules:
    row = _GATE_RULES.first(db, {"event_id": event_id})
    if row is None:
        raise _no_such_event()
    return GateRules(*row)


def find_pass_by_serial(db: Executor, *, serial: str) -> GatePass | None:
    """The invitation an invitation token names."""
    row = _PASS_BY_SERIAL.first(db, {"serial": serial})
    return GatePass(*row) if row is not None else None


def pass_of_customer(db: Executor, *, event_id: int, customer_id: int) -> GatePass | None:
    """The customer's invitation to the event, if any."""
    row = _PASS_OF_CUSTOMER.first(db, {"event_id": event_id, "customer_id": customer_id})
    return GatePass(*row) if row is not None else None


def lock_invitation(db: Executor, *, invitation_id: int) -> None:
    """Hold the invitation's row until the transaction ends (PostgreSQL; SQLite writers
    are already serialized)."""
    _LOCK_INVITATION.rows(db, {"id": invitation_id})


def walk_in(db: Executor, *, event: GateRules, customer_id: int) -> GatePass | None:
    """An invitation for a member walking in (marked `walk_in`), or None if the event is
    full; an invitation they already hold is returned as it is."""
    if event.capacity is not None and count_invited(db, event_id=event.id) >= event.capacity:
        return None
    _insert_ignoring_existing(db, [{
        "event_id": event.id, "customer_id": customer_id, "serial": new_serial(),
        "status": InvitationStatus.ACTIVE, "created_at": utcnow(), "walk_in": True,
    }])
    return pass_of_customer(db, event_id=event.id, customer_id=customer_id)


def invited(event_id: int) -> Select:
    """The customer ids of all the event's invitations, cancelled ones included, to select
    within."""
    return select(col(Invitation.customer_id)).where(col(Invitation.event_id) == event_id)


_SERIALS_OF_EVENT = Prepared(
    select(col(Invitation.id), col(Invitation.customer_id), col(Invitation.serial),
           col(Invitation.status))
    .where(col(Invitation.event_id) == bindparam("event_id")).order_by(col(Invitation.id)))
_OPEN_ELSEWHERE = Prepared(
    select(col(Invitation.id), col(Invitation.serial))
    .join(Event, col(Event.id) == col(Invitation.event_id))
    .where(col(Invitation.event_id) != bindparam("event_id"),
           col(Invitation.status) == InvitationStatus.ACTIVE,
           col(Event.ends_at) > bindparam("now")).order_by(col(Invitation.id)))
_SERIALS_BY_ID = Prepared(
    select(col(Invitation.id), col(Invitation.customer_id), col(Invitation.serial))
    .where(col(Invitation.id).in_(id_slots())))


def serials_of_event(db: Executor, *, event_id: int
                     ) -> list[tuple[int, int, str, InvitationStatus]]:
    """Every invitation of the event, cancelled ones included, with the serial its token
    names: (id, customer id, serial, status), by id."""
    return [(invitation_id, customer_id, serial, InvitationStatus(status))
            for invitation_id, customer_id, serial, status in _SERIALS_OF_EVENT.rows(
                db, {"event_id": event_id})]


def open_serials_elsewhere(db: Executor, *, event_id: int, now: datetime
                           ) -> list[tuple[int, str]]:
    """The active invitations of the other events not over at `now`: (id, serial)."""
    return [(invitation_id, serial) for invitation_id, serial in _OPEN_ELSEWHERE.rows(
        db, {"event_id": event_id, "now": now})]


def serials_of(db: Executor, *, invitation_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """These invitations' customer id and serial, by invitation id (unknown ids left out)."""
    return {invitation_id: (customer_id, serial) for invitation_id, customer_id, serial
            in _SERIALS_BY_ID.rows_for_ids(db, invitation_ids)}


def get_invitation(session: Session, *, event_id: int, invitation_id: int) -> Invitation:
    """One of the event's invitations (404 if it belongs to another event)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event_id:
        raise not_found("thư mời", "Invitation", code="invitation_not_found")
    return invitation


def invitations_of_event(session: Session, *, event_id: int) -> list[Invitation]:
    """All the event's invitations, cancelled ones included."""
    get_event(session, event_id=event_id)
    return list(session.scalars(select(Invitation).where(col(Invitation.event_id) == event_id)
                                .order_by(col(Invitation.id))))


_INVITATIONS_AFTER = Prepared(
    select(col(Invitation.id), col(Invitation.customer_id), col(Invitation.status),
           col(Invitation.created_at), col(Invitation.walk_in))
    .where(col(Invitation.event_id) == bindparam("event_id"),
           col(Invitation.id) > bindparam("after_id"))
    .order_by(col(Invitation.id)).limit(bindparam("limit")))


def invitations_after(db: Executor, *, event_id: int, after_id: int = 0, limit: int = MAX_PAGE
                      ) -> list[Any]:
    """A page of the event's invitations, cancelled ones included, by id after `after_id`
    (to read a large guest list a page at a time): records of `id`, `customer_id`,
    `status`, `created_at`, `walk_in`."""
    return _INVITATIONS_AFTER.records(db, {"event_id": event_id, "after_id": after_id,
                                           "limit": limit})


def cancel_invitation(session: Session, *, event_id: int, invitation_id: int) -> Invitation:
    """Cancel an invitation: its code is refused from now on."""
    invitation = get_invitation(session, event_id=event_id, invitation_id=invitation_id)
    if invitation.status is not InvitationStatus.CANCELLED:
        invitation.status = InvitationStatus.CANCELLED
        invitation.cancelled_at = utcnow()
        session.add(invitation)
    return invitation


def cancel_upcoming_of(session: Session, *, customer_id: int, now: datetime | None = None
                       ) -> int:
    """Cancel the customer's invitations to events that have not ended (their data is
    being erased); how many. Invitations to past events stay, with their check-ins."""
    now = now or utcnow()
    upcoming = select(col(Event.id)).where(col(Event.ends_at) > now)
    result = session.execute(
        update(Invitation)
        .where(col(Invitation.customer_id) == customer_id,
               col(Invitation.status) == InvitationStatus.ACTIVE,
               col(Invitation.event_id).in_(upcoming))
        .values(status=InvitationStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False))
    return cast(CursorResult, result).rowcount


def event_ids_of(session: Session, *, customer_id: int) -> list[int]:
    """The events the customer was ever invited to (whatever became of the invitation)."""
    return list(session.scalars(select(col(Invitation.event_id)).where(
        col(Invitation.customer_id) == customer_id).order_by(col(Invitation.event_id))))


def export_rows(session: Session, *, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """The customer's invitations, with each event's name and times (their export)."""
    rows = session.execute(
        select(col(Invitation.id), col(Invitation.event_id), col(Event.name),
               col(Event.starts_at), col(Event.venue), col(Invitation.status),
               col(Invitation.created_at), col(Invitation.cancelled_at))
        .join(Event, col(Event.id) == col(Invitation.event_id))
        .where(col(Invitation.customer_id) == customer_id).order_by(col(Invitation.id)))
    return {"invitations": [
        {"id": row[0], "event_id": row[1], "event": row[2], "starts_at": row[3],
         "venue": row[4], "status": row[5], "invited_at": row[6], "cancelled_at": row[7]}
        for row in rows]}


def list_invitations(
    session: Session, *, event_id: int, after: int | None = None, limit: int = 100
) -> tuple[list[Invitation], int | None]:
    get_event(session, event_id=event_id)
    limit = max(1, min(limit, MAX_PAGE))
    query = select(Invitation).where(col(Invitation.event_id) == event_id)
    if after is not None:
        query = query.where(col(Invitation.id) > after)
    rows = list(session.scalars(query.order_by(col(Invitation.id)).limit(limit + 1)))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def to_public(session: Session, invitations: list[Invitation], signer: TokenSigner
              ) -> list[InvitationPublic]:
    """Invitations as clients see them: with the guest's name and the QR code text."""
    names = customers.get_customers(session, customer_ids=[i.customer_id for i in invitations])
    return [
        InvitationPublic(
            id=id_of(i), event_id=i.event_id, customer_id=i.customer_id,
            customer_name=names[i.customer_id].full_name, status=i.status,
            code=signer.sign(TokenKind.INVITATION, i.serial),
            created_at=i.created_at, cancelled_at=i.cancelled_at,
        )
        for i in invitations
    ]


def import_invitations(work: StaffWork, *, event_id: int, data: bytes,
                       options: imports.ImportOptions, signer: TokenSigner
                       ) -> InvitationImportReport:
    """Invite the people of a CSV, adding those who are not customers yet: a preview, or
    the good rows in short transactions, each row's customer and invitation together (the
    rule of `customers.imports`)."""
    invitations: list[InvitationPublic] = []

    def invite_batch(session: Session, customer_ids: list[int]) -> None:
        invited = invite(session, event_id=event_id, customer_ids=customer_ids)
        invitations.extend(to_public(session, invited, signer))

    def room_for_all(session: Session, rows: list[imports.PlannedRow]) -> None:
        event = get_event(session, event_id=event_id)
        if event.capacity is None:
            return
        matched = [m.customer_id for m in imports.find_existing(session, rows).values()]
        invited = len(_invitations_of(session, event_id=event_id, customer_ids=matched))
        if count_invited(session, event_id=event_id) + len(rows) - invited > event.capacity:
            raise _over_capacity()

    report = imports.import_file(
        work, data=data, options=options, check=room_for_all,
        target=imports.ImportTarget(scope=f"event:{event_id}", each_batch=invite_batch,
                                    audit=("event.import_invitations", ("events", event_id))))
    return InvitationImportReport(
        **report.model_dump(include={"rows", "good", "bad", "errors", "saved", "preview",
                                     "matched", "digest", "already_saved"}),
        created_customers=report.created, existing_customers=report.existing,
        invitations=invitations)


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Events' names, by id (for the audit log)."""
    if not ids:
        return {}
    return {event_id: name for event_id, name in session.execute(
        select(col(Event.id), col(Event.name)).where(col(Event.id).in_(ids)))}


def invitation_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Invitations by their guest's full name (for the audit log)."""
    return customers.owner_labels(session, session.execute(
        select(col(Invitation.id), col(Invitation.customer_id))
        .where(col(Invitation.id).in_(ids))))
