"""All check-in rules, behind one function: `scan`.

A scan is judged in this order, each step refusing with a stable status:
token signature (`invalid`, before any database lookup) -> the card or
invitation it names (`invalid` if unknown, `revoked` if reissued/cancelled)
-> the event (`wrong_event`) -> the check-in window (`not_open`) -> the guest
list (`not_invited`, or a walk-in invitation) -> the entry itself
(`already_checked_in` unless re-entry is allowed). Every scan is logged.

Scans are the hot path: they run as group-committed jobs of the database's
`WriteQueue` (the caller is authenticated inside the same job), with Core
statements built once, on SQLite and PostgreSQL alike.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session, col

from kiosk_server.cards import service as cards
from kiosk_server.checkin.feed import (
    ONLINE,
    OfflineFields,
    feed_channel,
    feed_message,
    next_seq,
)
from kiosk_server.checkin.messages import scan_message
from kiosk_server.checkin.models import (
    Checkin,
    GuestInfo,
    GuestLine,
    Scan,
    ScanRequest,
    ScanResult,
    ScanStatus,
)
from kiosk_server.core.db import (
    Executor,
    Prepared,
    id_of,
    id_slots,
    on_commit,
    prepared_insert,
)
from kiosk_server.core.errors import forbidden, unauthenticated
from kiosk_server.core.signing import Token, TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.core.writer import WriteQueue, batch_memo
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Guest, VisitKind, VisitListener, is_vip
from kiosk_server.events import send_progress
from kiosk_server.events import service as events
from kiosk_server.events.models import GatePass, GateRules, InvitationStatus
from kiosk_server.live.hub import LocalHub
from kiosk_server.staff import labels as staff_labels
from kiosk_server.staff import service as staff
from kiosk_server.staff.service import Principal


@dataclass(frozen=True)
class ScanContext:
    """Everything about the scan that is not the scanned code."""

    secret: str = field(repr=False)  # the caller's credentials, checked in the scan's transaction
    signer: TokenSigner
    language: str
    zone: ZoneInfo
    hub: LocalHub | None = None  # where the committed scan is announced
    on_visit: VisitListener | None = None  # told of the visit a check-in records, once committed


@dataclass(frozen=True)
class OfflineScan:
    """A scan a kiosk judged by itself while the network was down, uploaded later."""

    scanned_at: datetime  # when it was scanned, on the server's clock
    shown: ScanStatus  # what the kiosk showed
    received_at: datetime  # when it reached the server


def duplicate_admission(shown: ScanStatus, judged: ScanStatus) -> bool:
    """A kiosk let in offline a guest the server had already checked in (a conflict)."""
    return shown is ScanStatus.OK and judged is ScanStatus.ALREADY_CHECKED_IN


@dataclass
class _Judgement:
    status: ScanStatus
    customer_id: int | None = None
    invitation: GatePass | None = None
    event_full: bool = False


class _DuplicateScan(Exception):
    """Another request with the same client scan id was recorded first."""

    def __init__(self, caller: Principal) -> None:
        self.caller = caller


async def scan_queued(writer: WriteQueue, *, request: ScanRequest, context: ScanContext
                      ) -> str:
    """`scan` as a group-committed write; the answer (a `ScanResult` as JSON) comes once it
    is saved."""
    # The signature is checked here, outside the writer's lock: forged codes cost it nothing.
    token = context.signer.verify(request.code) if request.code is not None else None
    try:
        return await writer.run(partial(scan, request=request, context=context, token=token))
    except _DuplicateScan as duplicate:  # a retry raced its original: answer as it was answered
        return await writer.run(partial(
            _replay, caller=duplicate.caller, scan_id=request.scan_id or ""
        ))


async def upload_queued(writer: WriteQueue, *, request: ScanRequest, context: ScanContext,
                        offline: OfflineScan) -> tuple[str, bool]:
    """A scan judged offline by a kiosk, judged and recorded as `scan_queued` records a live
    one, at its own time: the answer (JSON) and whether it was a duplicate admission. A scan
    id already recorded (a retried upload, or a live scan that reached the server before
    the kiosk gave up waiting) is answered as it was recorded."""
    token = context.signer.verify(request.code) if request.code is not None else None
    try:
        answer = await writer.run(partial(scan, request=request, context=context, token=token,
                                          offline=offline))
    except _DuplicateScan as duplicate:
        return await writer.run(partial(
            _replay_upload, caller=duplicate.caller, scan_id=request.scan_id or ""))
    judged = ScanStatus(json.loads(answer)["status"])
    return answer, duplicate_admission(offline.shown, judged)


def scan(db: Executor, *, request: ScanRequest, context: ScanContext, token: Token | None,
         offline: OfflineScan | None = None) -> str:
    """Judge one scanned code at an event, record the outcome, and say what to show: the
    answer, a `ScanResult` as JSON, exactly as the scan log keeps it.

    Runs as a `WriteQueue` job. A scan id seen before is found when its log row is
    written, last: the job then raises `_DuplicateScan`, its savepoint undoes the
    rest, and `scan_queued` answers with the stored answer. (Retries are rare;
    checking first would cost every scan a query.)"""
    memo = batch_memo(db)
    caller_key = ("caller", context.secret)
    if caller_key not in memo:
        memo[caller_key] = staff.authenticate(db, secret=context.secret)
    caller = memo[caller_key]
    if caller is None:
        raise unauthenticated()
    if not caller.serves_event(request.event_id):
        raise forbidden("Thiết bị này chỉ check-in cho sự kiện của nó.",
                        "This device may only check in for its own event.")
    if caller.is_device and request.customer_id is not None:
        raise forbidden("Chỉ nhân viên được check-in khách bằng tay.",
                        "Only staff check a guest in by hand.")
    if request.previous is not None:
        _REPORT_RESULT_TIME.rows(db, {"caller": caller.key, "scan_id": request.previous.scan_id,
                                      "result_ms": request.previous.result_ms})
    return _record(db, caller=caller, request=request, context=context, token=token,
                   offline=offline)


class _PosterCaller(Principal):
    """The caller of a walk-in's check-in at the event's poster: nobody signed in; the
    poster's signed link brought them."""

    @property
    def key(self) -> str:
        return "poster"


_POSTER = _PosterCaller()
WALK_IN_GATE = "walk-in"


def admit_walk_in(db: Executor, *, event_id: int, customer_id: int, context: ScanContext
                  ) -> ScanResult:
    """Check in a customer who has just registered on the event's poster, as a walk-in at
    the gate `WALK_IN_GATE`: judged, recorded, logged and announced like any scan (an
    invitation made for them if they hold none: `walk_in`)."""
    request = ScanRequest(customer_id=customer_id, event_id=event_id, gate=WALK_IN_GATE)
    return ScanResult.model_validate_json(
        _record(db, caller=_POSTER, request=request, context=context, token=None))


def _record(db: Executor, *, caller: Principal, request: ScanRequest, context: ScanContext,
            token: Token | None, offline: OfflineScan | None = None) -> str:
    """Judge, record, log and announce one scan by an authorised caller (see `scan`); a
    scan judged `offline` is judged as at its own time."""
    memo = batch_memo(db)
    manual = request.customer_id is not None and caller is not _POSTER
    event_key = ("event", request.event_id)
    event = memo.get(event_key) or events.gate_rules(db, event_id=request.event_id)
    memo[event_key] = event
    now = offline.scanned_at if offline is not None else utcnow()
    gate = request.gate if request.gate is not None else caller.device_gate
    judgement = _judge(db, event=event, token=token, customer_id=request.customer_id, now=now)
    # Numbered before anything is written: the feed row is the first lock a scan takes.
    seq = next_seq(db, event_id=event.id)
    result = ScanResult(status=judgement.status, message="", event_id=event.id,
                        scan_id=request.scan_id)
    checkin_id = None
    guest = None
    if judgement.status is ScanStatus.OK:
        checkin_id, guest = _admit(db, event=event, judgement=judgement, result=result,
                                   gate=gate, now=now, caller=caller, hub=context.hub)
        if (checkin_id is not None and context.on_visit is not None
                and judgement.customer_id is not None):
            on_commit(db, partial(context.on_visit, judgement.customer_id))
    if judgement.customer_id is not None and not _hidden_from(caller, judgement, event.id):
        guest = guest or customers.guest(db, customer_id=judgement.customer_id)
        result.customer = GuestInfo(id=guest.id, name=guest.name, visit_count=guest.visit_count,
                                    vip=guest.vip)
    result.message = scan_message(
        result.status, language=context.language, zone=context.zone,
        name=guest.name if guest else "",
        first_at=result.first_checked_in_at, gate=result.gate or "",
        opens_at=event.checkin_opens_at if now < event.checkin_opens_at else None,
        event_full=judgement.event_full,
    )
    answer = _log(db, event=event, seq=seq, request=request, caller=caller, gate=gate,
                  now=now, judgement=judgement, result=result, checkin_id=checkin_id,
                  manual=manual, offline=offline)
    if context.hub is not None:
        message = feed_message(event_id=event.id, seq=seq, scanned_at=now, gate=gate,
                               status=result.status, device_id=caller.device_id,
                               staff_id=caller.staff_id, manual=manual, answer=answer,
                               offline=_offline_fields(offline, result.status))
        on_commit(db, partial(context.hub.publish, feed_channel(event.id), message))
    return answer


def _judge(db: Executor, *, event: GateRules, token: Token | None, customer_id: int | None,
           now: datetime) -> _Judgement:
    invitation: GatePass | None
    if customer_id is not None:  # by hand: the customer must exist (else 404)
        if customers.guest(db, customer_id=customer_id).erased_at is not None:
            return _Judgement(ScanStatus.REVOKED, customer_id)
        invitation = events.pass_of_customer(db, event_id=event.id, customer_id=customer_id)
        if invitation is not None and invitation.status is InvitationStatus.CANCELLED:
            return _Judgement(ScanStatus.REVOKED, customer_id, invitation)
    elif token is None:
        return _Judgement(ScanStatus.INVALID)
    elif token.kind is TokenKind.INVITATION:
        invitation = events.find_pass_by_serial(db, serial=token.serial)
        if invitation is None:
            return _Judgement(ScanStatus.INVALID)
        customer_id = invitation.customer_id
        if invitation.status is InvitationStatus.CANCELLED:
            return _Judgement(ScanStatus.REVOKED, customer_id, invitation)
        if invitation.event_id != event.id:
            return _Judgement(ScanStatus.WRONG_EVENT, customer_id, invitation)
    elif token.kind is TokenKind.CARD:
        card = cards.card_holder(db, serial=token.serial)
        if card is None:
            return _Judgement(ScanStatus.INVALID)
        customer_id = card.customer_id
        if not card.active:
            return _Judgement(ScanStatus.REVOKED, customer_id)
        invitation = events.pass_of_customer(db, event_id=event.id, customer_id=customer_id)
        if invitation is not None and invitation.status is InvitationStatus.CANCELLED:
            return _Judgement(ScanStatus.REVOKED, customer_id, invitation)
    else:
        return _Judgement(ScanStatus.INVALID)
    if not event.is_open(now):
        return _Judgement(ScanStatus.NOT_OPEN, customer_id, invitation)
    if invitation is None:
        if not event.allow_walk_in:
            return _Judgement(ScanStatus.NOT_INVITED, customer_id)
        invitation = events.walk_in(db, event=event, customer_id=customer_id)
        if invitation is None:
            return _Judgement(ScanStatus.NOT_INVITED, customer_id, event_full=True)
    return _Judgement(ScanStatus.OK, customer_id, invitation)


# How long after admitting a guest a kiosk may fetch that guest's badge (to print it).
BADGE_WINDOW = timedelta(minutes=10)
_ADMITTED_BY_DEVICE = Prepared(select(func.count()).where(
    col(Checkin.invitation_id) == bindparam("invitation_id"),
    col(Checkin.device_id) == bindparam("device_id"),
    col(Checkin.checked_in_at) >= bindparam("since")))


def admitted_recently(db: Executor, *, invitation_id: int, device_id: int) -> bool:
    """Whether this kiosk device checked this invitation in within `BADGE_WINDOW`."""
    since = utcnow() - BADGE_WINDOW
    return _ADMITTED_BY_DEVICE.scalar(db, {"invitation_id": invitation_id,
                                           "device_id": device_id, "since": since}) > 0


def _hidden_from(caller: Principal, judgement: _Judgement, event_id: int) -> bool:
    """Whether the guest a scan found stays unnamed in the answer: a kiosk is told nothing
    about another event's guests (the scan log keeps who it was, for staff)."""
    return (caller.is_device and judgement.invitation is not None
            and judgement.invitation.event_id != event_id)


_NEXT_ENTRY = Prepared(select(func.coalesce(func.max(Checkin.entry_number), 0) + 1).where(
    col(Checkin.invitation_id) == bindparam("invitation_id")
))
_FIRST_ENTRY = Prepared(select(col(Checkin.checked_in_at), col(Checkin.gate)).where(
    col(Checkin.invitation_id) == bindparam("invitation_id"), col(Checkin.entry_number) == 1
))
# The unique (invitation, entry number) pair turns a second entry into no row back.
_ADD_CHECKIN = prepared_insert(Checkin, [
    "event_id", "invitation_id", "customer_id", "entry_number", "gate", "device_id",
    "staff_id", "checked_in_at",
], ignore_conflicts=True, returning=(Checkin.id,))
# The unique (caller, client scan id) pair turns a repeated scan id into no row back.
_ADD_SCAN = prepared_insert(Scan, [
    "event_id", "seq", "scanned_at", "status", "caller", "client_scan_id", "gate", "device_id",
    "staff_id", "customer_id", "invitation_id", "checkin_id", "unknown_code", "manual",
    "idle_ms", "result", "offline_status", "received_at", "conflict",
], ignore_conflicts=True, returning=(Scan.id,))
# A kiosk's report on its previous scan; only the caller's own scans, once.
_REPORT_RESULT_TIME = Prepared(
    update(Scan).where(col(Scan.caller) == bindparam("caller"),
                       col(Scan.client_scan_id) == bindparam("scan_id"),
                       col(Scan.result_ms).is_(None))
    .values(result_ms=bindparam("result_ms"))
)


def _admit(db: Executor, *, event: GateRules, judgement: _Judgement, result: ScanResult,
           gate: str, now: datetime, caller: Principal, hub: LocalHub | None
           ) -> tuple[int | None, Guest | None]:
    """Record the entry; a concurrent or earlier entry turns it into already_checked_in."""
    invitation = judgement.invitation
    assert invitation is not None and judgement.customer_id is not None
    entry = 1
    if event.allow_reentry:
        # Re-entries of one invitation queue on its row, so each gets the next number.
        events.lock_invitation(db, invitation_id=invitation.id)
        entry = _NEXT_ENTRY.scalar(db, {"invitation_id": invitation.id})
    checkin_id = _ADD_CHECKIN.scalar(db, {
        "event_id": event.id, "invitation_id": invitation.id,
        "customer_id": judgement.customer_id, "entry_number": entry, "gate": gate,
        "device_id": caller.device_id, "staff_id": caller.staff_id, "checked_in_at": now,
    })
    if checkin_id is None:
        first_at, first_gate = _FIRST_ENTRY.one(db, {"invitation_id": invitation.id})
        judgement.status = result.status = ScanStatus.ALREADY_CHECKED_IN
        result.first_checked_in_at = result.checked_in_at = first_at
        result.gate = first_gate
        return None, None
    guest, _ = customers.record_visit(
        db, customer_id=judgement.customer_id, kind=VisitKind.EVENT, occurred_at=now,
        event_id=event.id, source_id=checkin_id, gate=gate, device_id=caller.device_id,
        staff_id=caller.staff_id, hub=hub,
    )
    result.checked_in_at = now
    result.gate = gate
    result.entry_number = entry
    result.invitation_id = invitation.id
    result.walk_in = invitation.walk_in
    return checkin_id, guest


def _offline_fields(offline: OfflineScan | None, judged: ScanStatus) -> OfflineFields:
    if offline is None:
        return ONLINE
    return OfflineFields(offline.shown, offline.received_at,
                         duplicate_admission(offline.shown, judged))


def _log(db: Executor, *, event: GateRules, seq: int, request: ScanRequest, caller: Principal,
         gate: str, now: datetime, judgement: _Judgement, result: ScanResult,
         checkin_id: int | None, manual: bool, offline: OfflineScan | None) -> str:
    """Log the scan; returns the answer as logged (JSON)."""
    marks = _offline_fields(offline, result.status)
    answer = result.model_dump_json()
    # What was scanned is kept only when it identified nobody (a valid code is a credential).
    unknown_code = (request.code.replace("\x00", "")[:100]
                    if judgement.customer_id is None and request.code is not None else None)
    logged = _ADD_SCAN.scalar(db, {
        "event_id": event.id, "seq": seq, "scanned_at": now, "status": result.status,
        "caller": caller.key,
        "client_scan_id": request.scan_id, "gate": gate, "device_id": caller.device_id,
        "staff_id": caller.staff_id, "customer_id": judgement.customer_id,
        "invitation_id": judgement.invitation.id if judgement.invitation else None,
        "checkin_id": checkin_id, "unknown_code": unknown_code,
        "manual": manual, "idle_ms": request.idle_ms, "result": answer,
        "offline_status": marks.status, "received_at": marks.received_at,
        "conflict": marks.conflict,
    })
    if logged is None:
        raise _DuplicateScan(caller)
    return answer


_STORED_RESULT = Prepared(select(col(Scan.result)).where(
    col(Scan.caller) == bindparam("caller"), col(Scan.client_scan_id) == bindparam("scan_id")
))


def _replay(db: Executor, *, caller: Principal, scan_id: str) -> str:
    """The answer given to this caller's scan id, as logged."""
    stored = _STORED_RESULT.scalar(db, {"caller": caller.key, "scan_id": scan_id})
    assert stored is not None, "a duplicate scan id is in the log"
    return stored


_STORED_UPLOAD = Prepared(select(col(Scan.result), col(Scan.conflict)).where(
    col(Scan.caller) == bindparam("caller"), col(Scan.client_scan_id) == bindparam("scan_id")
))


def _replay_upload(db: Executor, *, caller: Principal, scan_id: str) -> tuple[str, bool]:
    """The answer given to this caller's scan id, and whether it was a conflict, as logged."""
    stored = _STORED_UPLOAD.first(db, {"caller": caller.key, "scan_id": scan_id})
    assert stored is not None, "a duplicate scan id is in the log"
    return stored[0], bool(stored[1])


def guest_list(session: Session, *, event_id: int, query: str = "", arrived: bool | None = None,
               tag: str | None = None, after: int | None = None, limit: int = 50
               ) -> tuple[list[GuestLine], int | None]:
    """A page of the event's invited guests matching `query` (name or phone), with their
    check-in if they arrived; `arrived` keeps only those who did (true) or did not (false),
    `tag` only those who carry it ("vip")."""
    events.get_event(session, event_id=event_id)
    checked_in = select(col(Checkin.customer_id)).where(
        col(Checkin.event_id) == event_id, col(Checkin.entry_number) == 1
    )
    within = [events.guests_of(event_id)] + ([checked_in] if arrived else [])
    found, cursor = customers.search_customers(
        session, query=query, after=after, limit=limit, tag=tag, within=within,
        outside=checked_in if arrived is False else None,
    )
    ids = [id_of(customer) for customer in found]
    passes = events.passes_of(session, event_id=event_id, customer_ids=ids)
    entries = {
        customer_id: (at, gate) for customer_id, at, gate in session.execute(
            select(col(Checkin.customer_id), col(Checkin.checked_in_at), col(Checkin.gate))
            .where(col(Checkin.event_id) == event_id, col(Checkin.entry_number) == 1,
                   col(Checkin.customer_id).in_(ids))
        )
    } if ids else {}
    sent = send_progress.sent_states(session, invitation_ids=[p.id for p in passes.values()])
    lines = []
    for customer in found:
        checked_in_at, gate = entries.get(customer.id, (None, None))
        invitation_id = passes[id_of(customer)].id
        delivery = sent.get(invitation_id)
        lines.append(GuestLine(
            customer_id=id_of(customer), name=customer.full_name, phone=customer.phone,
            vip=is_vip(customer.tags), tags=customer.tags,
            invitation_id=invitation_id, checked_in_at=checked_in_at, gate=gate,
            invitation_sent_at=delivery.queued_at if delivery else None,
            invitation_delivery=delivery.delivery if delivery else None,
            walk_in=passes[id_of(customer)].walk_in,
        ))
    return lines, cursor


_ARRIVALS = Prepared(
    select(col(Checkin.invitation_id), col(Checkin.checked_in_at), col(Checkin.gate))
    .where(col(Checkin.invitation_id).in_(id_slots()), col(Checkin.entry_number) == 1))


def arrivals_of(db: Executor, *, invitation_ids: list[int]) -> dict[int, tuple[datetime, str]]:
    """When and at which gate each of these invitations was checked in (its first entry);
    invitations not checked in are left out."""
    return {invitation_id: (at, gate)
            for invitation_id, at, gate in _ARRIVALS.rows_for_ids(db, invitation_ids)}


_ENTRIES_OF_EVENT = Prepared(
    select(col(Checkin.invitation_id), col(Checkin.entry_number), col(Checkin.checked_in_at),
           col(Checkin.gate))
    .where(col(Checkin.event_id) == bindparam("event_id")))


@dataclass(frozen=True)
class Arrival:
    """An invitation's entries at its event: the first (the check-in), and how many."""

    checked_in_at: datetime
    gate: str
    entries: int


def arrivals_at_event(db: Executor, *, event_id: int) -> dict[int, Arrival]:
    """Every invitation of the event checked in, by invitation id (one query)."""
    first: dict[int, tuple[datetime, str]] = {}
    counts: dict[int, int] = {}
    for invitation_id, entry, at, gate in _ENTRIES_OF_EVENT.rows(db, {"event_id": event_id}):
        counts[invitation_id] = counts.get(invitation_id, 0) + 1
        if entry == 1:
            first[invitation_id] = (at, gate)
    return {invitation_id: Arrival(at, gate, counts[invitation_id])
            for invitation_id, (at, gate) in first.items()}


def scan_log(session: Session, *, event_id: int, before: int | None = None, limit: int = 100
             ) -> list[Scan]:
    """The event's scans, newest first."""
    events.get_event(session, event_id=event_id)
    query = select(Scan).where(col(Scan.event_id) == event_id)
    if before is not None:
        query = query.where(col(Scan.id) < before)
    return list(session.scalars(
        query.order_by(col(Scan.id).desc()).limit(max(1, min(limit, 500)))))


def create_pairing(session: Session, *, event_id: int, gate: str, created_by: int | None):
    """A pairing code for a kiosk at this event's gate; returns the pairing and the code."""
    events.get_event(session, event_id=event_id)
    return staff.create_pairing(session, event_id=event_id, gate=gate, created_by=created_by)


def register_device(session: Session, *, event_id: int, name: str, gate: str,
                    created_by: int | None):
    """A kiosk device that may check in for this event only; returns it and its token."""
    events.get_event(session, event_id=event_id)
    return staff.create_device(session, name=name, event_id=event_id, gate=gate,
                               created_by=created_by)


def pairing_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Kiosk pairing codes by their event's name (for the audit log)."""
    event_of = staff_labels.pairing_events(session, ids)
    names = events.audit_labels(session, sorted(set(event_of.values())))
    return {pairing_id: names[event_id] for pairing_id, event_id in event_of.items()
            if event_id in names}
