"""Customers: create, find (diacritics- and phone-form-insensitive), import, and visits."""

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial

from pydantic import ValidationError
from sqlalchemy import Select, Text, and_, bindparam, cast, func, select, update
from sqlmodel import Session

from kiosk_server.core.db import Executor, Prepared, flush_unique, on_commit, prepared_insert
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.text import fold, normalize_phone, phone_search_digits
from kiosk_server.customers import csv_rows
from kiosk_server.customers.contact import CONSENT_FIELDS, ConsentBy, set_consents
from kiosk_server.customers.models import (
    ConsentSource,
    Customer,
    CustomerCreate,
    CustomerPublic,
    CustomerUpdate,
    Guest,
    ImportError_,
    ImportReport,
    Visit,
    VisitKind,
    VisitPublic,
    VisitRow,
    VisitUpdate,
    normalize_tag,
)
from kiosk_server.live.hub import LocalHub

MAX_PAGE = 200
MAX_NOTES = 4000


def _no_such_customer() -> DomainError:
    return not_found("khách hàng", "Customer", code="customer_not_found")


def _phone_or_error(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    phone = normalize_phone(raw)
    if phone is None:
        raise invalid("invalid_phone", "Số điện thoại không hợp lệ.", "Invalid phone number.",
                      field="phone")
    return phone


def _phone_taken() -> DomainError:
    return conflict("phone_taken", "Số điện thoại này đã thuộc về một khách hàng khác.",
                    "This phone number already belongs to another customer.", field="phone")


_CONSENT_KEYS = set(CONSENT_FIELDS.values())


def _wanted_consents(values: dict) -> dict:
    return {channel: values[key] for channel, key in CONSENT_FIELDS.items()
            if values.get(key) is not None}


def create_customer(session: Session, *, data: CustomerCreate, by: ConsentBy) -> Customer:
    """Add a customer; the phone is stored in E.164 form and must be unique. A consent they
    give is recorded as given `by` this source."""
    customer = Customer(
        **data.model_dump(exclude={"phone", *_CONSENT_KEYS}),
        phone=_phone_or_error(data.phone),
        name_folded=fold(data.full_name),
    )
    session.add(customer)
    flush_unique(session, _phone_taken())
    set_consents(session, customer, _wanted_consents(data.model_dump()), by=by)
    return customer


def get_customer(session: Session, *, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise _no_such_customer()
    return customer


_PUBLIC = Prepared(select(*(Customer.__table__.c[name] for name in CustomerPublic.model_fields))
                   .where(Customer.id == bindparam("customer_id")))


def public_customer(db: Executor, *, customer_id: int) -> CustomerPublic:
    """The customer as the API shows them, read in one compiled statement (404 if none)."""
    found = _PUBLIC.records(db, {"customer_id": customer_id})
    if not found:
        raise _no_such_customer()
    return CustomerPublic.model_validate(found[0]._asdict())


def get_customers(session: Session, *, customer_ids: list[int]) -> dict[int, Customer]:
    """Customers by id; ids that do not exist are left out."""
    if not customer_ids:
        return {}
    rows = session.scalars(select(Customer).where(Customer.id.in_(set(customer_ids))))
    return {c.id: c for c in rows}


def update_customer(session: Session, *, customer_id: int, data: CustomerUpdate,
                    by: ConsentBy) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    changes = data.model_dump(exclude_unset=True)
    if "full_name" in changes:
        if changes["full_name"] is None:
            raise invalid("name_required", "Cần có họ tên.", "A name is required.",
                          field="full_name")
        customer.name_folded = fold(changes["full_name"])
    if "phone" in changes:
        changes["phone"] = _phone_or_error(changes["phone"])
    wanted = _wanted_consents(changes)
    for key in _CONSENT_KEYS:  # set below, with their history
        changes.pop(key, None)
    for key in ("notes", "tags"):
        if key in changes and changes[key] is None:
            del changes[key]
    for key, value in changes.items():
        setattr(customer, key, value)
    session.add(customer)
    flush_unique(session, _phone_taken())
    set_consents(session, customer, wanted, by=by)
    return customer


def add_note(session: Session, *, customer_id: int, text: str, author: str, at: datetime
             ) -> Customer:
    """Put a dated, signed note at the top of the customer's notes ("29/11/2026 15:40 ·
    Lan: prefers oat milk"); the oldest lines give way beyond the notes' limit."""
    customer = get_customer(session, customer_id=customer_id)
    line = f"{at:%d/%m/%Y %H:%M} · {author}: {text}"
    customer.notes = "\n".join(part for part in (line, customer.notes) if part)[:MAX_NOTES]
    session.add(customer)
    return customer


def find_by_phone(session: Session, *, phone: str) -> Customer | None:
    normalized = normalize_phone(phone)
    if normalized is None:
        return None
    return session.scalars(select(Customer).where(Customer.phone == normalized)).first()


def search_customers(
    session: Session, *, query: str = "", after: int | None = None, limit: int = 50,
    tag: str | None = None, within: Sequence[Select] = (), outside: Select | None = None,
) -> tuple[list[Customer], int | None]:
    """A page of customers whose name (any case, any diacritics) or phone (any form) matches,
    and who carry `tag` if one is given.

    `within`: selections of customer ids (another domain's: an event's guests) the
    customers must all be in; `outside`: one they must not be in."""
    limit = max(1, min(limit, MAX_PAGE))
    statement = select(Customer).order_by(Customer.id).limit(limit + 1)
    for ids in within:
        statement = statement.where(Customer.id.in_(ids))
    if outside is not None:
        statement = statement.where(Customer.id.not_in(outside))
    if tag:
        # The tags as JSON text hold the tag as JSON text: the same on every database.
        statement = statement.where(
            cast(Customer.tags, Text).contains(json.dumps(normalize_tag(tag)), autoescape=True))
    if after is not None:
        statement = statement.where(Customer.id > after)
    words = fold(query).split()
    digits = phone_search_digits(query)
    whole_number = normalize_phone(query) if digits is not None else None
    if whole_number is not None:  # a whole number: its unique index, not a scan
        statement = statement.where(Customer.phone == whole_number)
    elif digits is not None:
        statement = statement.where(Customer.phone.contains(digits, autoescape=True))
    elif words:
        statement = statement.where(
            and_(*(Customer.name_folded.contains(word, autoescape=True) for word in words[:8]))
        )
    rows = list(session.scalars(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


_VISIT_FIELDS = ["customer_id", "kind", "occurred_at", "event_id", "source_id", "gate",
                 "device_id", "staff_id"]
_ADD_VISIT = prepared_insert(Visit, _VISIT_FIELDS, returning=(Visit.id,))
_GUEST_COLUMNS = (Customer.id, Customer.full_name, Customer.visit_count, Customer.tags)
# Incremented in SQL, never read-modify-write: concurrent visits cannot lose a count.
_COUNT_VISIT = Prepared(
    update(Customer)
    .where(Customer.id == bindparam("customer_id"))
    .values(visit_count=Customer.visit_count + 1, last_visit_at=bindparam("occurred_at"))
    .returning(*_GUEST_COLUMNS)
)
_GUEST = Prepared(select(*_GUEST_COLUMNS).where(Customer.id == bindparam("customer_id")))


def visits_channel(customer_id: int) -> str:
    """Where a customer's new visits are announced, once committed."""
    return f"customer:{customer_id}"


def record_visit(
    db: Executor,
    *,
    customer_id: int,
    kind: VisitKind,
    occurred_at: datetime,
    event_id: int | None = None,
    source_id: int | None = None,
    gate: str = "",
    device_id: int | None = None,
    staff_id: int | None = None,
    hub: LocalHub | None = None,
) -> tuple[Guest, int]:
    """Add a visit to the customer's history; returns them with this visit counted, and
    the visit's id.

    With a `hub`, the visit is announced on `visits_channel` once committed, to every
    page showing this customer's history."""
    values = {
        "customer_id": customer_id, "kind": kind, "occurred_at": occurred_at,
        "event_id": event_id, "source_id": source_id, "gate": gate, "device_id": device_id,
        "staff_id": staff_id,
    }
    visit_id = _ADD_VISIT.scalar(db, values)
    counted = _COUNT_VISIT.first(db, {"customer_id": customer_id, "occurred_at": occurred_at})
    if counted is None:
        raise _no_such_customer()
    guest = Guest(*counted)
    if hub is not None:
        news = VisitUpdate(visit=VisitPublic(id=visit_id, **values),
                           visit_count=guest.visit_count)
        on_commit(db, partial(hub.publish, visits_channel(customer_id),
                              news.model_dump(mode="json")))
    return guest, visit_id


def guest(db: Executor, *, customer_id: int) -> Guest:
    """Who the customer is, in short: id, name and visits so far."""
    row = _GUEST.first(db, {"customer_id": customer_id})
    if row is None:
        raise _no_such_customer()
    return Guest(*row)


_RECENT_VISITS = Prepared(
    select(Visit.id, Visit.customer_id, Visit.kind, Visit.occurred_at, Visit.event_id,
           Visit.source_id, Visit.gate, Visit.device_id, Visit.staff_id)
    .where(Visit.customer_id == bindparam("customer_id"))
    .order_by(Visit.occurred_at.desc(), Visit.id.desc()).limit(bindparam("limit"))
)


def recent_visits(db: Executor, *, customer_id: int, limit: int) -> list[VisitRow]:
    """The customer's latest visits of every kind, newest first (for a customer known to
    exist: `list_visits` checks)."""
    return [VisitRow(*row) for row in _RECENT_VISITS.rows(db, {"customer_id": customer_id,
                                                               "limit": limit})]


def visit_of(session: Session, *, customer_id: int, visit_id: int) -> Visit:
    """One of the customer's visits (404 if it is not theirs)."""
    visit = session.get(Visit, visit_id)
    if visit is None or visit.customer_id != customer_id:
        raise not_found("lượt ghé", "Visit", code="visit_not_found")
    return visit


def list_visits(session: Session, *, customer_id: int, limit: int = 100) -> list[VisitRow]:
    """The customer's latest visits of every kind, newest first (404 for no such customer)."""
    get_customer(session, customer_id=customer_id)
    return recent_visits(session, customer_id=customer_id, limit=max(1, min(limit, 1000)))


def count_customers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0


def import_csv(session: Session, *, data: bytes, dry_run: bool, staff_id: int | None = None
               ) -> ImportReport:
    """Create customers from a CSV; rows whose phone is known are matched, not duplicated.

    Nothing is saved unless every row is valid (and `dry_run` is false), so a
    file can be previewed, corrected and sent again.
    """
    content = csv_rows.read_rows(data)
    errors = [ImportError_(row=p.line, field=p.field, code=p.code, message=p.message)
              for p in content.problems]
    planned: list[tuple[int, CustomerCreate, str | None]] = []
    seen_phones: dict[str, int] = {}
    for row in content.rows:
        parsed = _parse_row(row, errors)
        if parsed is None:
            continue
        data_row, phone = parsed
        if phone is not None and phone in seen_phones:
            errors.append(ImportError_(
                row=row.line, field="phone", code="duplicate_in_file",
                message=f"Same phone number as line {seen_phones[phone]}.",
            ))
            continue
        if phone is not None:
            seen_phones[phone] = row.line
        planned.append((row.line, data_row, phone))
    existing = _existing_by_phone(session, [p for _, _, p in planned if p is not None])
    report = ImportReport(
        rows=len(content.rows), created=sum(1 for *_, p in planned if p not in existing),
        existing=sum(1 for *_, p in planned if p in existing), errors=errors, saved=False,
        customer_ids=[],
    )
    if errors or dry_run:
        return report
    for _, data_row, phone in planned:
        customer = existing.get(phone) if phone else None
        if customer is None:
            customer = create_customer(session, data=data_row,
                                       by=ConsentBy(ConsentSource.IMPORT, staff_id))
        report.customer_ids.append(customer.id)
    report.saved = True
    return report


def _existing_by_phone(session: Session, phones: list[str]) -> dict[str | None, Customer]:
    found: dict[str | None, Customer] = {}
    for start in range(0, len(phones), 500):
        chunk = phones[start:start + 500]
        for customer in session.scalars(select(Customer).where(Customer.phone.in_(chunk))):
            found[customer.phone] = customer
    return found


def _parse_row(
    row: csv_rows.CsvRow, errors: list[ImportError_]
) -> tuple[CustomerCreate, str | None] | None:
    values = dict(row.values)
    consents: dict[str, bool] = {}
    for key in sorted(_CONSENT_KEYS):
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
        data_row = CustomerCreate(
            full_name=values.get("full_name", ""), phone=phone, email=values.get("email") or None,
            notes=values.get("notes", ""), consent_email=consents["consent_email"],
            consent_sms=consents["consent_sms"],
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        errors.append(ImportError_(row=row.line, field=field, code="invalid_" + (field or "row"),
                                   message=first["msg"]))
        return None
    return data_row, phone


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Customers' full names, by id (for the audit log)."""
    if not ids:
        return {}
    rows = session.execute(select(Customer.id, Customer.full_name).where(Customer.id.in_(ids)))
    return {customer_id: name for customer_id, name in rows}


def owner_labels(session: Session, owners: Iterable[tuple[int, int | None]]) -> dict[int, str]:
    """The full name of each thing's customer, from (thing id, customer id) pairs."""
    owners = list(owners)
    names = audit_labels(session, sorted({c for _, c in owners if c is not None}))
    return {thing: names[c] for thing, c in owners if c in names}
