"""A customer's own data: what the shop holds about them (their export), and erasing it.

Erasure keeps the customer's row, with nothing that says who they were: their visits
(and, in other domains, their sales and check-ins) still point at it and still count in
the shop's totals, but no name, phone, e-mail, notes or tags remain."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.core.types import utcnow
from kiosk_server.customers.contact import CONSENT_FIELDS, ConsentBy, consent_history, set_consents
from kiosk_server.customers.models import Customer, Visit
from kiosk_server.customers.service import get_customer

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Erased:
    """Who a customer was, just before erasure: what other domains must forget too."""

    customer_id: int
    full_name: str
    phone: str | None
    email: str | None

    @property
    def addresses(self) -> list[str]:
        """Where messages to them went: their e-mail address and phone number."""
        return [address for address in (self.email, self.phone) if address]


def erase(session: Session, *, customer_id: int, by: ConsentBy, at: datetime | None = None
          ) -> Erased | None:
    """Erase the customer's personal data: name, phone, e-mail, notes, tags, preferred
    channel; their marketing consents are withdrawn (recorded as made `by`). Returns who
    they were; None if their data was erased before (nothing done).

    The row is locked first (PostgreSQL; SQLite's writers take turns), so of two erasures
    at the same moment the second finds it erased and does nothing."""
    get_customer(session, customer_id=customer_id)  # 404 for no such customer
    customer = session.scalars(select(Customer).where(col(Customer.id) == customer_id)
                               .with_for_update()
                               .execution_options(populate_existing=True)).one()
    if customer.erased_at is not None:
        return None
    who = Erased(customer_id, customer.full_name, customer.phone, customer.email)
    at = at or utcnow()
    set_consents(session, customer, dict.fromkeys(CONSENT_FIELDS, False), by=by, at=at)
    customer.full_name = ""
    customer.name_folded = ""
    customer.phone = None
    customer.email = None
    customer.notes = ""
    customer.tags = []
    customer.preferred_channel = None
    customer.erased_at = at
    session.add(customer)
    session.flush()
    return who


_PROFILE_FIELDS = ("id", "full_name", "phone", "email", "preferred_channel", "consent_email",
                   "consent_sms", "tags", "visit_count", "last_visit_at", "created_at",
                   "erased_at")
_VISIT_FIELDS = ("id", "kind", "occurred_at", "event_id", "gate")


def export_rows(session: Session, *, customer_id: int) -> dict[str, Rows]:
    """What this domain holds about the customer, as table-like parts: `profile` (one
    row), `consents` (each change, oldest first), `visits` and `notes` (one row a line)."""
    customer = get_customer(session, customer_id=customer_id)
    profile = {name: getattr(customer, name) for name in _PROFILE_FIELDS}
    consents = [change.model_dump(include={"occurred_at", "channel", "purpose", "granted",
                                           "source"})
                for change in reversed(consent_history(session, customer_id=customer_id))]
    visits = [dict(zip(_VISIT_FIELDS, row, strict=True)) for row in session.execute(
        select(*(getattr(Visit, name) for name in _VISIT_FIELDS))
        .where(col(Visit.customer_id) == customer_id).order_by(col(Visit.occurred_at)))]
    notes = [{"note": line} for line in customer.notes.splitlines() if line.strip()]
    return {"profile": [profile], "consents": consents, "visits": visits, "notes": notes}
