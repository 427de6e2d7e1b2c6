"""Customers: create, find (diacritics- and phone-form-insensitive), import, and visits."""

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    column,
    delete,
    func,
    select,
    update,
    values,
)
from sqlmodel import Session, col

from kiosk_server.core.db import (
    Executor,
    Prepared,
    flush_unique,
    id_of,
    id_slots,
    on_commit,
    prepared_insert,
    table_of,
)
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.text import fold, normalize_phone, phone_search_digits
from kiosk_server.core.types import UtcDateTime
from kiosk_server.customers.contact import CONSENT_FIELDS, ConsentBy, set_consents
from kiosk_server.customers.models import (
    Customer,
    CustomerCreate,
    CustomerPublic,
    CustomerUpdate,
    Guest,
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


def erased_error() -> DomainError:
    """Refusal to act for a customer whose personal data was erased."""
    return conflict("customer_erased",
                    "Khách hàng này đã xoá dữ liệu: không thể thay đổi hay giao dịch.",
                    "This customer's data was erased: they cannot be changed or served.")


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


def get_live_customer(session: Session, *, customer_id: int) -> Customer:
    """`get_customer`, refused (`customer_erased`) once their personal data was erased."""
    customer = get_customer(session, customer_id=customer_id)
    if customer.erased_at is not None:
        raise erased_error()
    return customer


_ERASED_AMONG = Prepared(select(col(Customer.id)).where(
    col(Customer.id).in_(id_slots()), col(Customer.erased_at).is_not(None)))


def refuse_erased(db: Executor, *, customer_ids: Iterable[int]) -> None:
    """Refuse (`customer_erased`) if any of these customers' data was erased."""
    if _ERASED_AMONG.rows_for_ids(db, list(customer_ids)):
        raise erased_error()


_PUBLIC = Prepared(select(*(table_of(Customer).c[name] for name in CustomerPublic.model_fields))
                   .where(col(Customer.id) == bindparam("customer_id")))


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
    rows = session.scalars(select(Customer).where(col(Customer.id).in_(set(customer_ids))))
    return {id_of(c): c for c in rows}


def update_customer(session: Session, *, customer_id: int, data: CustomerUpdate,
                    by: ConsentBy) -> Customer:
    customer = get_live_customer(session, customer_id=customer_id)
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
    for key in ("notes", "tags", "language"):  # null: unchanged (the columns have no null)
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
    customer = get_live_customer(session, customer_id=customer_id)
    line = f"{at:%d/%m/%Y %H:%M} · {author}: {text}"
    customer.notes = "\n".join(part for part in (line, customer.notes) if part)[:MAX_NOTES]
    session.add(customer)
    return customer


def find_by_phone(session: Session, *, phone: str) -> Customer | None:
    normalized = normalize_phone(phone)
    if normalized is None:
        return None
    return session.scalars(select(Customer).where(col(Customer.phone) == normalized)).first()


def find_by_email(session: Session, *, email: str, limit: int = 3) -> list[Customer]:
    """The customers with this e-mail address (it is not unique), oldest first."""
    address = email.strip().lower()
    if not address or len(address) > 254:
        return []
    return list(session.scalars(select(Customer).where(col(Customer.email) == address)
                                .order_by(col(Customer.id)).limit(limit)))


def search_customers(
    session: Session, *, query: str = "", after: int | None = None, limit: int = 50,
    tag: str | None = None, within: Sequence[Select] = (), outside: Select | None = None,
) -> tuple[list[Customer], int | None]:
    """A page of customers whose name (any case, any diacritics) or phone (any form) matches,
    and who carry `tag` if one is given.

    `within`: selections of customer ids (another domain's: an event's guests) the
    customers must all be in; `outside`: one they must not be in."""
    limit = max(1, min(limit, MAX_PAGE))
    statement = select(Customer).order_by(col(Customer.id)).limit(limit + 1)
    for ids in within:
        statement = statement.where(col(Customer.id).in_(ids))
    if outside is not None:
        statement = statement.where(col(Customer.id).not_in(outside))
    if tag:
        # The tags as JSON text hold the tag as JSON text: the same on every database.
        statement = statement.where(
            cast(Customer.tags, Text).contains(json.dumps(normalize_tag(tag)), autoescape=True))
    if after is not None:
        statement = statement.where(col(Customer.id) > after)
    words = fold(query).split()
    digits = phone_search_digits(query)
    whole_number = normalize_phone(query) if digits is not None else None
    if whole_number is not None:  # a whole number: its unique index, not a scan
        statement = statement.where(col(Customer.phone) == whole_number)
    elif digits is not None:
        statement = statement.where(col(Customer.phone).contains(digits, autoescape=True))
    elif words:
        statement = statement.where(
            and_(*(col(Customer.name_folded).contains(word, autoescape=True) for word in words[:8]))
        )
    rows = list(session.scalars(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


_VISIT_FIELDS = ["customer_id", "kind", "occurred_at", "event_id", "source_id", "gate",
                 "device_id", "staff_id"]
_ADD_VISIT = prepared_insert(Visit, _VISIT_FIELDS, returning=(Visit.id,))
_GUEST_COLUMNS = (col(Customer.id), col(Customer.full_name), col(Customer.visit_count),
                  col(Customer.tags), col(Customer.erased_at))
# Incremented in SQL, never read-modify-write: concurrent visits cannot lose a count.
_COUNT_VISIT = Prepared(
    update(Customer)
    .where(col(Customer.id) == bindparam("customer_id"))
    .values(visit_count=Customer.visit_count + 1, last_visit_at=bindparam("occurred_at"))
    .returning(*_GUEST_COLUMNS)
)
_GUEST = Prepared(select(*_GUEST_COLUMNS).where(col(Customer.id) == bindparam("customer_id")))


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
    values: dict[str, Any] = {
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


_VISIT_OF_SOURCE = Prepared(select(col(Visit.id), col(Visit.customer_id)).where(
    col(Visit.kind) == bindparam("kind"), col(Visit.source_id) == bindparam("source_id")))
_DELETE_VISIT = Prepared(delete(Visit).where(col(Visit.id) == bindparam("visit_id")))
# Counted down in SQL like it is counted up; the last visit is the latest one left.
_UNCOUNT_VISIT = Prepared(
    update(Customer)
    .where(col(Customer.id) == bindparam("customer_id"))
    .values(visit_count=col(Customer.visit_count) - 1,
            last_visit_at=select(func.max(Visit.occurred_at))
            .where(col(Visit.customer_id) == bindparam("customer_id")).scalar_subquery())
    .returning(col(Customer.visit_count))
)


def remove_visit(db: Executor, *, kind: VisitKind, source_id: int, hub: LocalHub | None = None
                 ) -> int | None:
    """Take back the visit a record of `kind` made (a check-in undone): it leaves the
    customer's history and count. Returns its id (None if it made none).

    With a `hub`, pages showing the customer's history are told once committed
    (`{"type": "visit_removed", "visit_id", "visit_count"}`)."""
    found = _VISIT_OF_SOURCE.first(db, {"kind": kind, "source_id": source_id})
    if found is None:
        return None
    visit_id, customer_id = found
    _DELETE_VISIT.rows(db, {"visit_id": visit_id})
    visit_count = _UNCOUNT_VISIT.scalar(db, {"customer_id": customer_id})
    if hub is not None:
        news = {"type": "visit_removed", "visit_id": visit_id, "visit_count": visit_count}
        on_commit(db, partial(hub.publish, visits_channel(customer_id), news))
    return visit_id


def guest(db: Executor, *, customer_id: int) -> Guest:
    """Who the customer is, in short: id, name, visits so far, and when their data was
    erased (if it was)."""
    found = _GUEST.first(db, {"customer_id": customer_id})
    if found is None:
        raise _no_such_customer()
    return Guest(*found)


def guests_within(db: Executor, *, customer_ids: Select) -> dict[int, Guest]:
    """`guest` of each customer a query of ids names, by id (one query for a whole guest
    list)."""
    found = (Guest(*row) for row in db.execute(
        select(*_GUEST_COLUMNS).where(col(Customer.id).in_(customer_ids))))
    return {guest.id: guest for guest in found}


_RECENT_VISITS = Prepared(
    select(col(Visit.id), col(Visit.customer_id), col(Visit.kind), col(Visit.occurred_at),
           col(Visit.event_id), col(Visit.source_id), col(Visit.gate), col(Visit.device_id),
           col(Visit.staff_id))
    .where(col(Visit.customer_id) == bindparam("customer_id"))
    .order_by(col(Visit.occurred_at).desc(), col(Visit.id).desc()).limit(bindparam("limit"))
)


def recent_visits(db: Executor, *, customer_id: int, limit: int) -> list[VisitRow]:
    """The customer's latest visits of every kind, newest first (for a customer known to
    exist: `list_visits` checks)."""
    return [VisitRow(*row) for row in _RECENT_VISITS.rows(db, {"customer_id": customer_id,
                                                               "limit": limit})]


_VISITS_BETWEEN = Prepared(
    select(col(Visit.id), col(Visit.customer_id), col(Visit.kind), col(Visit.occurred_at),
           col(Visit.event_id), col(Visit.source_id), col(Visit.gate), col(Visit.device_id),
           col(Visit.staff_id))
    .where(col(Visit.occurred_at) >= bindparam("since"),
           col(Visit.occurred_at) <= bindparam("until"), col(Visit.id) > bindparam("after_id"))
    .order_by(col(Visit.id)).limit(bindparam("limit"))
)


def visits_between(db: Executor, *, since: datetime, until: datetime, after_id: int = 0,
                   limit: int = 100) -> list[VisitRow]:
    """Every customer's visits of any kind that happened from `since` to `until`, by id,
    after `after_id` (to read them a batch at a time)."""
    return [VisitRow(*row) for row in _VISITS_BETWEEN.rows(db, {
        "since": since, "until": until, "after_id": after_id, "limit": limit})]


_FIRST_AT_EVENT = Prepared(
    select(func.min(Visit.id)).where(col(Visit.customer_id) == bindparam("customer_id"),
                                     col(Visit.event_id) == bindparam("event_id")))


def first_visit_at_event(db: Executor, *, customer_id: int, event_id: int) -> int | None:
    """The id of the customer's first visit to the event (its later ones are re-entries)."""
    return _FIRST_AT_EVENT.scalar(db, {"customer_id": customer_id, "event_id": event_id})


# Moments asked about in one statement (a VALUES list of three parameters each).
_MOMENTS_CHUNK = 500


def first_visits_after(db: Executor, *, moments: Sequence[tuple[int, datetime]]
                       ) -> list[datetime | None]:
    """For each (customer id, moment): the time of the customer's first visit of any kind
    (a check-in or a sale) after that moment, or None if they have not come since; in
    the order asked, one aggregate query per 500 moments."""
    found: list[datetime | None] = [None] * len(moments)
    for start in range(0, len(moments), _MOMENTS_CHUNK):
        asked = values(column("position", Integer), column("customer_id", Integer),
                       column("since", UtcDateTime), name="asked").data(
            [(start + n, customer_id, since) for n, (customer_id, since)
             in enumerate(moments[start:start + _MOMENTS_CHUNK])]).cte("asked")
        statement = (select(asked.c.position, func.min(col(Visit.occurred_at)))
                     .join(Visit, and_(col(Visit.customer_id) == asked.c.customer_id,
                                       col(Visit.occurred_at) > asked.c.since))
                     .group_by(asked.c.position))
        for position, first in db.execute(statement):
            found[position] = first
    return found


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


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Customers' full names, by id (for the audit log); an erased customer is named by
    their member number ("#12") only."""
    if not ids:
        return {}
    rows = session.execute(select(col(Customer.id), col(Customer.full_name),
                                  col(Customer.erased_at)).where(col(Customer.id).in_(ids)))
    return {customer_id: f"#{customer_id}" if erased_at else name
            for customer_id, name, erased_at in rows}


def owner_labels(session: Session, owners: Iterable[tuple[int, int | None]]) -> dict[int, str]:
    """The full name of each thing's customer, from (thing id, customer id) pairs."""
    owners = list(owners)
    names = audit_labels(session, sorted({c for _, c in owners if c is not None}))
    return {thing: names[c] for thing, c in owners if c in names}


_CUSTOMER_IDS = Prepared(
    select(col(Customer.id)).where(col(Customer.id) > bindparam("after_id"),
                                   col(Customer.erased_at).is_(None))
    .order_by(col(Customer.id)).limit(bindparam("limit")))


def customer_ids(db: Executor, *, after_id: int = 0, limit: int = 1000) -> list[int]:
    """The ids of customers (not erased) after `after_id`, in order: a batch at a time."""
    return [row[0] for row in _CUSTOMER_IDS.rows(db, {"after_id": after_id, "limit": limit})]
