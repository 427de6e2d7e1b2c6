"""The offline kiosk's server side: its copy, its sync (changes and its state), its
uploads of scans judged offline, and the kiosks' states for the monitor.

A kiosk's own times (when it went offline, its oldest queued scan, when it scanned) are
on its clock: the server moves them by the difference between its clock and the
kiosk's, measured at each request (`server now - sent_at`). Everything written goes
through the database's writer in short jobs, one per scan, so the gates never wait."""

import hmac
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, select
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from kiosk_server.cards import service as cards
from kiosk_server.checkin import feed
from kiosk_server.checkin import service as checkin
from kiosk_server.checkin.models import ScanRequest, ScanResult
from kiosk_server.checkin.service import OfflineScan, ScanContext
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, Executor, Prepared, dialect_insert, on_commit
from kiosk_server.core.errors import DomainError
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.events import service as events
from kiosk_server.live.hub import LocalHub
from kiosk_server.offline import copy
from kiosk_server.offline.api_models import (
    CheckinChange,
    KioskCopy,
    KioskLine,
    KioskOnline,
    KioskReport,
    SyncAnswer,
    SyncRequest,
    UploadAnswer,
    UploadedResult,
    UploadedScan,
    UploadRequest,
)
from kiosk_server.offline.models import KioskState
from kiosk_server.staff import service as staff
from kiosk_server.staff.service import Principal

# A kiosk syncs every ~3 s: seen within this, it is online.
ONLINE_WITHIN = timedelta(seconds=10)
# How stale `last_seen_at` may get before a sync that changes nothing else saves it again.
SEEN_EVERY = timedelta(seconds=5)
# Two reports of one moment differ by the network's delay in the clock correction: within
# this, the moment stored stays (no write, no message, for a kiosk that said nothing new).
SAME_MOMENT = timedelta(seconds=2)
SYNC_PAGE = feed.FEED_PAGE


def event_of(caller: Principal) -> int:
    """The event of a kiosk device (409 `kiosk_without_event` for a device of none)."""
    if caller.device_event_id is None:
        raise DomainError("kiosk_without_event", "Máy kiosk này chưa được gắn với sự kiện nào.",
                          "This kiosk device belongs to no event.", status=409)
    return caller.device_event_id


def kiosk_copy(session: Session, *, caller: Principal, signer: TokenSigner,
               settings: Settings) -> KioskCopy:
    """The copy of its event a kiosk device keeps to judge scans offline."""
    event_id = event_of(caller)
    return copy.kiosk_copy(session, event_id=event_id, gate=caller.device_gate, signer=signer,
                           salt=copy.event_salt(settings.signing_key, event_id),
                           upload_key_text=copy.upload_public_key(settings.signing_key),
                           timezone=settings.timezone)


@dataclass(frozen=True)
class _Kiosk:
    device_id: int
    event_id: int
    name: str
    gate: str


def _kiosk(db: Executor, caller: Principal, event_id: int) -> _Kiosk:
    assert caller.device_id is not None
    return _Kiosk(caller.device_id, event_id, staff.device_name(db, device_id=caller.device_id),
                  caller.device_gate)


_STATE_FIELDS = ("device_id", "event_id", "last_seen_at", "offline_since", "queued",
                 "oldest_queued_at", "last_upload_at")
_STATE_COLUMNS = [col(getattr(KioskState, name)) for name in _STATE_FIELDS]
_STATE = Prepared(select(*_STATE_COLUMNS).where(
    col(KioskState.device_id) == bindparam("device_id")))
_STATES_OF_EVENT = Prepared(select(*_STATE_COLUMNS).where(
    col(KioskState.event_id) == bindparam("event_id")))


def _save_statement(dialect: str):
    insert = dialect_insert(dialect, KioskState).values(
        {name: bindparam(name) for name in _STATE_FIELDS})
    return insert.on_conflict_do_update(
        index_elements=[KioskState.device_id],
        set_={name: insert.excluded[name] for name in _STATE_FIELDS if name != "device_id"})


_SAVE_STATE = Prepared(_save_statement)


def _state(row: tuple) -> KioskState:
    return KioskState(**dict(zip(_STATE_FIELDS, row, strict=True)))


def _stored(db: Executor, device_id: int) -> KioskState | None:
    row = _STATE.first(db, {"device_id": device_id})
    return _state(row) if row is not None else None


def _line(kiosk: _Kiosk, state: KioskState | None, now: datetime) -> KioskLine:
    """A kiosk as the monitor shows it."""
    if state is None:
        return KioskLine(device_id=kiosk.device_id, name=kiosk.name, gate=kiosk.gate,
                         state=KioskOnline.NEVER, since=None, last_seen_at=None, queued=0,
                         oldest_queued_at=None, last_upload_at=None)
    online = state.offline_since is None and now - state.last_seen_at <= ONLINE_WITHIN
    return KioskLine(
        device_id=kiosk.device_id, name=kiosk.name, gate=kiosk.gate,
        state=KioskOnline.ONLINE if online else KioskOnline.OFFLINE,
        since=None if online else state.offline_since or state.last_seen_at,
        last_seen_at=state.last_seen_at, queued=state.queued,
        oldest_queued_at=state.oldest_queued_at, last_upload_at=state.last_upload_at)


def _shown(line: KioskLine) -> dict:
    return line.model_dump(exclude={"last_seen_at"})


def _settled(stored: datetime | None, reported: datetime | None) -> datetime | None:
    """The reported moment, unless it is the stored one give or take `SAME_MOMENT`."""
    if stored is not None and reported is not None and abs(reported - stored) <= SAME_MOMENT:
        return stored
    return reported


def _merged(stored: KioskState | None, kiosk: _Kiosk, *, report: KioskReport | None,
            uploaded_at: datetime | None, now: datetime) -> KioskState | None:
    """The kiosk's state with its new report (times already on the server's clock) or
    upload; None when there is nothing worth a write (see the module's constants)."""
    base = stored or KioskState(device_id=kiosk.device_id, event_id=kiosk.event_id,
                                last_seen_at=now)
    merged = KioskState(device_id=kiosk.device_id, event_id=kiosk.event_id, last_seen_at=now,
                        offline_since=base.offline_since, queued=base.queued,
                        oldest_queued_at=base.oldest_queued_at,
                        last_upload_at=uploaded_at or base.last_upload_at)
    if report is not None:
        merged.offline_since = _settled(base.offline_since, report.offline_since)
        merged.queued = report.queued
        merged.oldest_queued_at = _settled(base.oldest_queued_at, report.oldest_queued_at)
        reported_upload = _settled(base.last_upload_at, report.last_upload_at)
        if reported_upload is not None and (merged.last_upload_at is None
                                            or reported_upload > merged.last_upload_at):
            merged.last_upload_at = reported_upload
    if (stored is not None and now - stored.last_seen_at < SEEN_EVERY
            and _shown(_line(kiosk, stored, now)) == _shown(_line(kiosk, merged, now))):
        return None
    return merged


def _save(db: Executor, *, kiosk: _Kiosk, report: KioskReport | None,
          uploaded_at: datetime | None, now: datetime, hub: LocalHub | None) -> None:
    """Record what a kiosk said of itself at `now` (a writer job); the monitor is told
    once committed if what it shows changed."""
    stored = _stored(db, kiosk.device_id)
    merged = _merged(stored, kiosk, report=report, uploaded_at=uploaded_at, now=now)
    if merged is None:
        return
    _SAVE_STATE.rows(db, {name: getattr(merged, name) for name in _STATE_FIELDS})
    line = _line(kiosk, merged, now)
    if hub is not None and _shown(_line(kiosk, stored, now)) != _shown(line):
        message = {"type": "kiosk", "event_id": kiosk.event_id, **line.model_dump(mode="json")}
        on_commit(db, partial(hub.publish, feed.feed_channel(kiosk.event_id), message))


def _corrected(report: KioskReport, shift: timedelta) -> KioskReport:
    """The kiosk's report with its times moved onto the server's clock."""
    def moved(moment: datetime | None) -> datetime | None:
        return moment + shift if moment is not None else None

    return KioskReport(offline_since=moved(report.offline_since), queued=report.queued,
                       oldest_queued_at=moved(report.oldest_queued_at),
                       last_upload_at=moved(report.last_upload_at))


def _changes(updates: list[dict]) -> list[CheckinChange]:
    """The feed's updates that change whether an invitation is checked in: a check-in (an
    ok scan's first entry), and an undo that leaves the guest not arrived."""
    changes = []
    for update in updates:
        result = update["result"]
        ref = result.get("invitation_id")
        if ref is None:
            continue
        if (update["type"] == "scan" and update["status"] == "ok"
                and result.get("entry_number") == 1):
            changes.append(CheckinChange(seq=update["seq"], ref=ref,
                                         checked_in_at=result["checked_in_at"],
                                         gate=result["gate"]))
        elif update["type"] == "undo" and not update["still_arrived"]:
            changes.append(CheckinChange(seq=update["seq"], ref=ref, checked_in_at=None,
                                         gate=None))
    return changes


def _read_sync(database: Database, *, caller: Principal, event_id: int, after: int,
               report: KioskReport, now: datetime) -> tuple[SyncAnswer, _Kiosk, bool]:
    with database.session(Access.READ) as session:
        # Read first: every update numbered up to it is committed (see EventFeed).
        last = feed.last_seq(session, event_id=event_id)
        updates = feed.feed_after(session, event_id=event_id, after=after, limit=SYNC_PAGE)
        kiosk = _kiosk(session, caller, event_id)
        due = _merged(_stored(session, kiosk.device_id), kiosk, report=report,
                      uploaded_at=None, now=now) is not None
    more = len(updates) == SYNC_PAGE
    last_seq = updates[-1]["seq"] if more else max([last, *(u["seq"] for u in updates[-1:])])
    answer = SyncAnswer(server_time=now, last_seq=last_seq, changes=_changes(updates),
                        more=more)
    return answer, kiosk, due


async def sync(database: Database, *, caller: Principal, body: SyncRequest,
               hub: LocalHub | None) -> SyncAnswer:
    """A kiosk's check with the server: the check-ins and undos after the update it has,
    and its state recorded (written only when the monitor would show something new, or
    to keep it seen)."""
    event_id = event_of(caller)
    now = utcnow()
    report = _corrected(body.state, now - body.sent_at)
    answer, kiosk, due = await run_in_threadpool(
        partial(_read_sync, database, caller=caller, event_id=event_id, after=body.after,
                report=report, now=now))
    if due:
        await database.writer.run(partial(_save, kiosk=kiosk, report=report, uploaded_at=None,
                                          now=now, hub=hub))
    return answer


def _matching_token(scan: UploadedScan, invitations: dict[int, tuple[int, str]],
                    card_serials: dict[int, list[str]], salt: bytes, signer: TokenSigner
                    ) -> str | None:
    """The token an uploaded lookup stands for: the invitation `ref`'s, or one of its
    holder's cards', whichever has that lookup (None: none has)."""
    found = invitations.get(scan.ref or 0)
    if found is None or scan.lookup is None:
        return None
    customer_id, serial = found
    candidates = [signer.sign(TokenKind.INVITATION, serial)] + [
        signer.sign(TokenKind.CARD, card) for card in card_serials[customer_id]]
    for token in candidates:
        if hmac.compare_digest(copy.lookup_of(token, salt), scan.lookup):
            return token
    return None


def _codes(database: Database, *, scans: list[UploadedScan], caller: Principal,
           event_id: int, salt: bytes, signer: TokenSigner, secret: bytes
           ) -> tuple[list[str], _Kiosk]:
    """What each uploaded scan scanned: its code (opened if sealed), or the token its lookup
    stands for (a lookup that stands for none is kept as `lookup:<it>`, a sealed code that
    does not open as `sealed:?`: no token matches them, so they are invalid scans)."""
    with database.session(Access.READ) as session:
        invitations = events.serials_of(
            session, invitation_ids=[scan.ref for scan in scans if scan.ref is not None])
        card_serials: dict[int, list[str]] = defaultdict(list)
        holders = sorted({customer_id for customer_id, _ in invitations.values()})
        for customer_id, serial, _ in cards.serials_of_holders(session, customer_ids=holders):
            card_serials[customer_id].append(serial)
        kiosk = _kiosk(session, caller, event_id)
    codes = []
    for scan in scans:
        code = (copy.open_sealed_code(secret, scan.sealed_code) or "sealed:?"
                if scan.sealed_code is not None
                else scan.code or _matching_token(scan, invitations, card_serials, salt, signer))
        codes.append(code if code is not None else f"lookup:{scan.lookup}")
    return codes, kiosk


async def upload(database: Database, *, caller: Principal, body: UploadRequest,
                 context: ScanContext, settings: Settings) -> UploadAnswer:
    """Record the scans a kiosk judged offline, in order, each once (by its scan id) and
    as a live scan is, at its own time moved onto the server's clock (never later than
    now); each answer says whether the kiosk let in a guest already checked in."""
    event_id = event_of(caller)
    received_at = utcnow()
    shift = received_at - body.sent_at
    codes, kiosk = await run_in_threadpool(partial(
        _codes, database, scans=body.scans, caller=caller, event_id=event_id,
        salt=copy.event_salt(settings.signing_key, event_id), signer=context.signer,
        secret=settings.signing_key))
    results = []
    for scan, code in zip(body.scans, codes, strict=True):
        request = ScanRequest(code=code, event_id=event_id, scan_id=scan.scan_id)
        offline = OfflineScan(scanned_at=min(scan.scanned_at + shift, received_at),
                              shown=scan.offline_status, received_at=received_at)
        answer, conflict = await checkin.upload_queued(database.writer, request=request,
                                                       context=context, offline=offline)
        results.append(UploadedResult(scan_id=scan.scan_id, conflict=conflict,
                                      result=ScanResult.model_validate_json(answer)))
    done = utcnow()
    await database.writer.run(partial(_save, kiosk=kiosk, report=None, uploaded_at=done,
                                      now=done, hub=context.hub))
    return UploadAnswer(results=results)


def kiosks(session: Session, *, event_id: int) -> list[KioskLine]:
    """The event's kiosk devices (not revoked) and their states, by device id."""
    events.get_event(session, event_id=event_id)
    now = utcnow()
    states = {state.device_id: state for state in map(
        _state, _STATES_OF_EVENT.rows(session, {"event_id": event_id}))}
    return [_line(_Kiosk(device_id, event_id, name, gate), states.get(device_id), now)
            for device_id, name, gate in staff.kiosks_of_event(session, event_id=event_id)]
