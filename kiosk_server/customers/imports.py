"""Importing customers from a CSV file: a preview, then the good rows in short transactions.

A preview reads the file and the database and saves nothing: each row is new (a customer
is created), existing (the customer with its phone, or with its e-mail when the row has no
phone, is used: not created again) or bad (with its problems). An import saves the good
rows, in file order; the bad ones are skipped when the caller says so (`skip_bad_rows`,
after a preview), and otherwise a file with any bad row saves nothing.

The rows are saved in batches of `BATCH_ROWS`, each batch its own short write
transaction, never in one long one: on SQLite a write transaction holds the database's one
write lock, and every gate's check-in waits for it. Between two batches the lock is let go
and the writers waiting for it (a gate's check-ins) go first.

What an import that fails half-way leaves (the rule): only whole batches of rows that the
preview listed as good, each row whole (the customer and, for an event, its invitation, in
one transaction); a bad row is never saved. A record of the file (`CustomerImport`: its
digest, and the line before which its rows are saved) is advanced in the transaction of
each batch, so sending the same file again carries on after the rows already saved and
saves none of them twice (rows with neither phone nor e-mail included); a file imported to
its end is answered as saved, with nothing saved again. Two imports of one file at once:
one goes on, the other is refused (409 `import_running`).
"""

import hashlib
import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from pydantic import ValidationError
from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from kiosk_server.core.db import Access, insert_ignoring_conflicts, prepared_insert, table_of
from kiosk_server.core.errors import DomainError, conflict
from kiosk_server.core.text import fold, normalize_phone
from kiosk_server.core.types import utcnow
from kiosk_server.customers import csv_rows
from kiosk_server.customers.contact import CONSENT_FIELDS
from kiosk_server.customers.models import (
    ConsentChange,
    ConsentSource,
    Customer,
    CustomerCreate,
    CustomerImport,
    ImportError_,
    ImportMatch,
    ImportReport,
    ImportRow,
    ImportRowStatus,
)
from kiosk_server.messaging.models import Purpose
from kiosk_server.staff.deps import StaffWork

PREVIEW_ROWS = 50
MATCHES_LISTED = 1000
BATCH_ROWS = 200
# Problems of the whole file: nothing in it can be imported.
FILE_PROBLEMS = {"not_utf8", "empty_file", "missing_column", "bad_csv", "too_many_rows"}
_LOOKUP_CHUNK = 500
# Files from this size on are read by `read_plan_apart` in another process.
APART_FROM_BYTES = 64 * 1024
_reader: ProcessPoolExecutor | None = None
_reader_lock = threading.Lock()
PLANS_KEPT = 2
_plans: OrderedDict[str, "ImportPlan"] = OrderedDict()
_plans_lock = threading.Lock()
_CUSTOMERS = table_of(Customer)
_INSERT_RETURNING_IDS = insert(_CUSTOMERS).returning(_CUSTOMERS.c.id,
                                                     sort_by_parameter_order=True)
# The columns a planned row fills (`PlannedRow.values`), then those the same for all.
_ROW_COLUMNS = ["full_name", "email", "notes", "consent_email", "consent_sms", "phone",
                "name_folded"]
_CONSENT_GIVEN = prepared_insert(ConsentChange, ["customer_id", "channel", "purpose", "granted",
                                                 "source", "staff_id", "occurred_at"])
_INSERT_MANY = prepared_insert(Customer, [*_ROW_COLUMNS, "tags", "visit_count", "created_at"])


class PlannedRow(NamedTuple):
    """A good row: the keys it is matched by, and the customer it makes (the columns as
    `customers.service.create_customer` fills them)."""

    line: int
    phone: str | None
    email: str | None
    values: dict[str, Any]


@dataclass
class ImportPlan:
    """A file read and checked, before any database is looked at."""

    digest: str
    rows: int = 0
    good: list[PlannedRow] = field(default_factory=list)
    errors: list[ImportError_] = field(default_factory=list)
    shown: list[csv_rows.CsvRow] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Whether the file as a whole is unreadable (no row of it can be imported)."""
        return any(error.code in FILE_PROBLEMS for error in self.errors)

    @property
    def bad(self) -> int:
        return len({e.row for e in self.errors if e.code not in FILE_PROBLEMS})


@dataclass(frozen=True)
class Match:
    customer_id: int
    full_name: str
    by: str


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    skip_bad_rows: bool = False
    previewed: str | None = None


@dataclass(frozen=True)
class ImportTarget:
    """Where the rows go: `scope` names the place (one record per file and place);
    `each_batch(session, customer_ids)` runs in each batch's transaction after its
    customers are saved (an event invites them); `audit` names the change."""

    scope: str
    audit: tuple[str, tuple[str, int | None]]
    each_batch: Callable[[Session, list[int]], None] | None = None


def plan_of(data: bytes) -> ImportPlan:
    """`read_plan`, kept for the last few files read: the import that follows a preview
    reads the same file (the page sends it again, its digest checked), and a large file
    costs seconds to read."""
    digest = hashlib.sha256(data).hexdigest()
    with _plans_lock:
        if digest in _plans:
            _plans.move_to_end(digest)
            return _plans[digest]
    plan = read_plan_apart(data)
    with _plans_lock:
        _plans[digest] = plan
        while len(_plans) > PLANS_KEPT:
            _plans.popitem(last=False)
    return plan


def read_plan_apart(data: bytes) -> ImportPlan:
    """`read_plan`; for a large file, in a process of its own.

    Reading and checking 20,000 rows is seconds of pure Python: in the server's process it
    would hold the interpreter lock those seconds, and the event loop and the check-in
    writer would wait for it at every turn. The other process reads them without slowing
    the gates (the planned rows travel back as plain tuples and dicts)."""
    if len(data) < APART_FROM_BYTES:
        return read_plan(data)
    global _reader
    with _reader_lock:
        if _reader is None:
            _reader = ProcessPoolExecutor(max_workers=1,
                                          mp_context=multiprocessing.get_context("spawn"))
        reader = _reader
    try:
        return reader.submit(read_plan, data).result()
    except BrokenProcessPool:
        with _reader_lock:  # the process died (killed?): the next file gets a new one
            if _reader is reader:
                _reader = None
        raise


def read_plan(data: bytes) -> ImportPlan:
    """Parse and check every row; duplicates within the file are bad rows."""
    content = csv_rows.read_rows(data)
    plan = ImportPlan(digest=hashlib.sha256(data).hexdigest(), rows=len(content.rows),
                      shown=content.rows[:PREVIEW_ROWS])
    plan.errors = [ImportError_(row=p.line, field=p.field, code=p.code, message=p.message)
                   for p in content.problems]
    seen: dict[tuple[str, str], int] = {}
    for row in content.rows:
        planned = _parse_row(row, plan.errors)
        if planned is None:
            continue
        key = ("phone", planned.phone) if planned.phone else (
            ("email", planned.email) if planned.email else None)
        if key is not None and key in seen:
            plan.errors.append(ImportError_(
                row=row.line, field=key[0], code="duplicate_in_file",
                message=f"Same {key[0]} as line {seen[key]}."))
            continue
        if key is not None:
            seen[key] = row.line
        plan.good.append(planned)
    plan.errors.sort(key=lambda error: error.row)
    return plan


def _parse_row(row: csv_rows.CsvRow, errors: list[ImportError_]) -> PlannedRow | None:
    values = dict(row.values)
    consents: dict[str, bool] = {}
    for key in CONSENT_FIELDS.values():
        consent_raw = values.pop(key, "")
        consent = csv_rows.parse_consent(consent_raw)
        if consent is None:
            errors.append(ImportError_(row=row.line, field=key, code="invalid_consent",
                                       message=f"Not a yes/no value: {consent_raw!r}."))
            return None
        consents[key] = consent
    phone_raw = values.get("phone", "")
    phone = normalize_phone(phone_raw) if phone_raw else None
    if phone_raw and phone is None:
        errors.append(ImportError_(row=row.line, field="phone", code="invalid_phone",
                                   message=f"Not a valid phone number: {phone_raw!r}."))
        return None
    try:
        data = CustomerCreate(
            full_name=values.get("full_name", ""), phone=phone, email=values.get("email") or None,
            notes=values.get("notes", ""), consent_email=consents["consent_email"],
            consent_sms=consents["consent_sms"],
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else None
        errors.append(ImportError_(row=row.line, field=name, code="invalid_" + (name or "row"),
                                   message=first["msg"]))
        return None
    columns: dict[str, Any] = {
        "full_name": data.full_name, "email": data.email, "notes": data.notes,
        "consent_email": data.consent_email, "consent_sms": data.consent_sms, "phone": phone,
        "name_folded": fold(data.full_name)}
    return PlannedRow(row.line, phone, data.email, columns)


def find_existing(session: Session, rows: list[PlannedRow]) -> dict[int, Match]:
    """The existing customer each row matches, by line: the one with its phone; for a row
    without a phone, the first one with its e-mail."""
    by_phone = _lookup(session, Customer.phone, [r.phone for r in rows if r.phone])
    by_email = _lookup(session, Customer.email,
                       [r.email for r in rows if not r.phone and r.email])
    found: dict[int, Match] = {}
    for row in rows:
        if row.phone:
            hit = by_phone.get(row.phone)
            if hit:
                found[row.line] = Match(*hit, by="phone")
        elif row.email and (hit := by_email.get(row.email)):
            found[row.line] = Match(*hit, by="email")
    return found


def _lookup(session: Session, column, keys: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start:start + _LOOKUP_CHUNK]
        rows = session.execute(select(column, col(Customer.id), col(Customer.full_name))
                               .where(column.in_(chunk)).order_by(col(Customer.id).desc()))
        for key, customer_id, name in rows:  # lowest id last: the first customer wins
            found[key] = (customer_id, name)
    return found


def import_file(work: StaffWork, *, data: bytes, options: ImportOptions,
                target: ImportTarget,
                check: Callable[[Session, list[PlannedRow]], None] | None = None
                ) -> ImportReport:
    """Preview a CSV file, or import its good rows in short transactions (see the module).

    `check(session, rows)`: the target's own refusals (an unknown event, a full one) given
    the good rows still to save, for a preview as for an import, before anything is
    saved."""
    with work.open(Access.READ):
        pass  # the caller is checked before the file is read
    plan = plan_of(data)
    with work.open(Access.READ) as unit:
        if options.previewed and options.previewed != plan.digest:
            raise conflict("file_changed", "Tệp đã khác với tệp vừa xem trước. Hãy xem lại.",
                           "The file differs from the one previewed. Preview it again.")
        existing = find_existing(unit.session, plan.good)
        unsaved = _unsaved(unit.session, scope=target.scope, plan=plan)
        report = _report(plan, existing, already_saved=len(plan.good) - len(unsaved))
        if check is not None:
            check(unit.session, unsaved)
        importing = not (options.dry_run or plan.blocked or not plan.good
                         or (plan.bad and not options.skip_bad_rows))
    if not importing:
        return report
    return _run(work, plan=plan, target=target, report=report)


def _unsaved(session: Session, *, scope: str, plan: ImportPlan) -> list[PlannedRow]:
    """The good rows an earlier attempt with this file has not saved yet."""
    record = session.scalars(select(CustomerImport).where(
        col(CustomerImport.scope) == scope, col(CustomerImport.digest) == plan.digest)).first()
    if record is None:
        return plan.good
    if record.finished_at is not None:
        return []
    return [row for row in plan.good if row.line >= record.next_line]


def _report(plan: ImportPlan, existing: dict[int, Match], *, already_saved: int
            ) -> ImportReport:
    problems: dict[int, list[ImportError_]] = {}
    for error in plan.errors:
        problems.setdefault(error.row, []).append(error)
    shown = []
    for row in plan.shown:
        match = existing.get(row.line)
        status = (ImportRowStatus.BAD if row.line in problems else
                  ImportRowStatus.EXISTING if match else ImportRowStatus.NEW)
        shown.append(ImportRow(
            row=row.line, full_name=row.values.get("full_name", ""),
            phone=row.values.get("phone", ""), email=row.values.get("email", ""),
            status=status, customer_id=match.customer_id if match else None,
            problems=problems.get(row.line, [])))
    return ImportReport(
        rows=plan.rows, good=len(plan.good), bad=plan.bad,
        created=len(plan.good) - len(existing), existing=len(existing), errors=plan.errors,
        saved=False, customer_ids=[], preview=shown,
        matched=_matches(plan.good, existing), digest=plan.digest, already_saved=already_saved)


def _matches(rows: list[PlannedRow], existing: dict[int, Match]) -> list[ImportMatch]:
    return [ImportMatch(row=row.line, customer_id=m.customer_id, full_name=m.full_name,
                        matched_by=m.by)
            for row in rows if (m := existing.get(row.line))][:MATCHES_LISTED]


def _run(work: StaffWork, *, plan: ImportPlan, target: ImportTarget, report: ImportReport
         ) -> ImportReport:
    with work.open() as unit:
        record = _claim(unit.session, scope=target.scope, digest=plan.digest)
        if record.finished_at is None:
            action, subject = target.audit
            unit.log.record(action, subject, details={
                "rows": plan.rows, "good": len(plan.good), "skipped": plan.bad,
                "digest": plan.digest})
    record_id = record.id
    assert record_id is not None  # read back from the database
    todo = ([] if record.finished_at is not None
            else [row for row in plan.good if row.line >= record.next_line])
    report = report.model_copy(update={
        "saved": True, "created": 0, "existing": 0, "matched": [],
        "already_saved": len(plan.good) - len(todo)})
    saved_up_to = record.next_line
    matches: dict[int, Match] = {}
    rows_of: list[PlannedRow] = []
    for start in range(0, len(todo), BATCH_ROWS):
        if start:
            work.database.let_waiting_writers_in()
        batch = todo[start:start + BATCH_ROWS]
        last = start + BATCH_ROWS >= len(todo)
        ids, found = _save_batch_retrying(work, record_id, batch, since=saved_up_to,
                                          finished=last, target=target)
        saved_up_to = batch[-1].line + 1
        report.customer_ids.extend(ids)
        matches.update(found)
        rows_of.extend(batch)
    report.existing = len(matches)
    report.created = len(todo) - len(matches)
    report.matched = _matches(rows_of, matches)
    return report


def _claim(session: Session, *, scope: str, digest: str) -> CustomerImport:
    session.execute(insert_ignoring_conflicts(session, table_of(CustomerImport)),
                    [{"scope": scope, "digest": digest, "next_line": 0,
                      "created_at": utcnow()}])
    return session.scalars(select(CustomerImport).where(
        col(CustomerImport.scope) == scope, col(CustomerImport.digest) == digest)).one()


def _import_running() -> DomainError:
    return conflict("import_running", "Tệp này đang được nhập ở nơi khác.",
                    "This file is being imported elsewhere right now.")


def _save_batch_retrying(work: StaffWork, record_id: int, batch: list[PlannedRow], *,
                         since: int, finished: bool, target: ImportTarget
                         ) -> tuple[list[int], dict[int, Match]]:
    """One batch in one transaction; once more if a phone was taken meanwhile (PostgreSQL:
    another request added that customer between the lookup and the insert)."""
    for attempt in range(2):
        try:
            with work.open() as unit:
                _advance(unit.session, record_id, since=since, to=batch[-1].line + 1,
                         finished=finished)
                ids, found = _save_batch(unit.session, batch, staff_id=unit.caller.staff_id)
                if target.each_batch is not None:
                    target.each_batch(unit.session, ids)
                return ids, found
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _advance(session: Session, record_id: int, *, since: int, to: int, finished: bool
             ) -> None:
    """Move the file's record on, first thing in the batch: it also holds the record's row
    (PostgreSQL), so a second import of the same file waits, then finds it moved: 409."""
    moved = session.execute(
        update(CustomerImport)
        .where(col(CustomerImport.id) == record_id, col(CustomerImport.next_line) == since,
               col(CustomerImport.finished_at).is_(None))
        .values(next_line=to, finished_at=utcnow() if finished else None))
    if cast(CursorResult, moved).rowcount != 1:
        raise _import_running()


def _save_batch(session: Session, batch: list[PlannedRow], *, staff_id: int | None
                ) -> tuple[list[int], dict[int, Match]]:
    """Create the batch's new customers in one statement, with the consent each file row
    gives recorded as given by import (an existing customer's consent is left as it is);
    the customers of its rows, in order, and the rows matched to existing customers."""
    found = find_existing(session, batch)
    new = [row for row in batch if row.line not in found]
    ids: dict[int, int] = {row.line: match.customer_id for row, match in
                           ((r, found[r.line]) for r in batch if r.line in found)}
    if new:
        created = _insert_customers(session, [row.values for row in new])
        for row, customer_id in zip(new, created, strict=True):
            ids[row.line] = customer_id
        given = [{"customer_id": customer_id, "channel": channel}
                 for row, customer_id in zip(new, created, strict=True)
                 for channel, key in CONSENT_FIELDS.items() if row.values[key]]
        if given:
            _CONSENT_GIVEN.many(session, given, shared={
                "purpose": Purpose.MARKETING, "granted": True, "source": ConsentSource.IMPORT,
                "staff_id": staff_id, "occurred_at": utcnow()})
    return [ids[row.line] for row in batch], found



def _insert_customers(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows (Core, on the session's connection: the ORM's bulk INSERT costs
    twice as much); their ids, in order.

    SQLite cannot say in which order a multi-row RETURNING answers, and SQLAlchemy then
    inserts one row per statement (20,000 statements for a large file). There the rows go
    in one `executemany` on the driver (`Prepared.many`), and their ids are read back: the
    transaction holds the write lock (`BEGIN IMMEDIATE`), so nobody else adds a customer
    meanwhile, and SQLite gives each new row the highest id so far plus one."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        now = utcnow()
        return list(connection.execute(_INSERT_RETURNING_IDS, [
            {**row, "tags": [], "visit_count": 0, "created_at": now} for row in rows]).scalars())
    before = connection.scalar(select(func.max(_CUSTOMERS.c.id))) or 0
    _INSERT_MANY.many(connection, rows, shared={"tags": [], "visit_count": 0,
                                                "created_at": utcnow()})
    ids = list(connection.scalars(select(_CUSTOMERS.c.id).where(_CUSTOMERS.c.id > before)
                                  .order_by(_CUSTOMERS.c.id)))
    if len(ids) != len(rows):
        raise RuntimeError(f"{len(rows)} customers inserted, {len(ids)} found")
    return ids
