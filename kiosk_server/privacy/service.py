"""What the shop holds about a customer, handed to them; and their personal data erased.

Each domain gives its own part of a customer's data (`export_rows`) and forgets its own
part on erasure: privacy only puts the parts together, never reads another domain's
tables."""

import io
import json
import zipfile
from typing import Any

from sqlmodel import Session

from kiosk_server.audit import service as audit
from kiosk_server.calls import history as calls
from kiosk_server.cards import service as cards
from kiosk_server.checkin import erasure as checkins
from kiosk_server.core.errors import invalid
from kiosk_server.core.spreadsheet import csv_of_dicts, plain
from kiosk_server.core.types import utcnow
from kiosk_server.customers import erasure as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource
from kiosk_server.events import service as events
from kiosk_server.feedback import erasure as feedback
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty import service as loyalty
from kiosk_server.messaging import erasure as messaging
from kiosk_server.privacy.hooks import ErasureHooks
from kiosk_server.retention import service as retention
from kiosk_server.staff import service as staff

Rows = list[dict[str, Any]]


def collect(session: Session, *, customer_id: int) -> dict[str, Rows]:
    """Every part of what the shop holds about the customer, by name, from each domain."""
    parts = customers.export_rows(session, customer_id=customer_id)
    profile = parts["profile"][0]
    addresses = [address for address in (profile["email"], profile["phone"]) if address]
    for more in (cards.export_rows(session, customer_id=customer_id),
                 events.export_rows(session, customer_id=customer_id),
                 checkins.export_rows(session, customer_id=customer_id),
                 loyalty.export_rows(session, customer_id=customer_id),
                 feedback.export_rows(session, customer_id=customer_id),
                 retention.export_rows(session, customer_id=customer_id),
                 calls.export_rows(session, customer_id=customer_id),
                 messaging.export_rows(session, addresses=addresses)):
        parts.update(more)
    return parts


def export_zip(session: Session, *, customer_id: int) -> bytes:
    """A ZIP of what the shop holds about the customer: `customer.json` (everything, in
    one document) and one CSV per part (`visits.csv`, `purchases.csv`...), UTF-8 with a
    BOM, no cell a spreadsheet would run as a formula. 404 for no such customer."""
    parts = collect(session, customer_id=customer_id)
    document = {"exported_at": utcnow().isoformat(),
                "profile": {key: plain(value) for key, value in parts["profile"][0].items()},
                **{name: [{key: plain(value) for key, value in row.items()} for row in rows]
                   for name, rows in parts.items() if name != "profile"}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.json", json.dumps(document, ensure_ascii=False, indent=2))
        for name, rows in parts.items():
            archive.writestr(f"{name}.csv", csv_of_dicts(rows))
    return buffer.getvalue()


def _national(phone: str | None) -> str | None:
    """A Vietnamese E.164 number as people write it (+84912... -> 0912...)."""
    return "0" + phone[3:] if phone and phone.startswith("+84") else None


def erase(session: Session, *, customer_id: int, by_customer: bool, hooks: ErasureHooks,
          staff_id: int | None = None) -> None:
    """Erase the customer's personal data, in the caller's transaction: name, phone,
    e-mail, notes and tags; consents withdrawn (recorded as made in the portal, or by the
    staff member); their card, coupons, feedback links and invitations to coming events
    revoked; the words of their feedback and complaints, and the messages to them,
    blanked; their name out of the scan and audit logs; and what the domains registered in
    `hooks` keep (prints: the batches of badges that name them). Visits, sales and check-ins stay,
    anonymous, in the shop's figures. The audit log records it by member number. Erasing
    again (or at the same moment) does nothing more. 404 for no such customer."""
    by = ConsentBy(ConsentSource.PORTAL if by_customer else ConsentSource.STAFF, staff_id)
    now = utcnow()
    who = customers.erase(session, customer_id=customer_id, by=by, at=now)
    if who is None:
        return
    cards.revoke_of(session, customer_id=customer_id)
    coupons.revoke_of(session, customer_id=customer_id, now=now)
    events.cancel_upcoming_of(session, customer_id=customer_id, now=now)
    messaging.forget(session, addresses=who.addresses)
    checkins.forget_name(session, customer_id=customer_id, full_name=who.full_name)
    complaint_ids = feedback.forget(session, customer_id=customer_id, now=now)
    for hook in hooks:
        hook(session, customer_id)
    retention.forget(session, customer_id=customer_id)
    calls.forget(session, customer_id=customer_id)
    audit.redact(session, targets=[("customers", customer_id)]
                 + [("complaints", complaint_id) for complaint_id in complaint_ids],
                 words=[w for w in (who.full_name, who.email, who.phone, _national(who.phone))
                        if w])
    username = staff.get_staff(session, staff_id=staff_id).username if staff_id else ""
    audit.AuditLog(session, staff_id, username).record(
        "customer.erase", ("customers", customer_id),
        details={"member_number": customer_id, "by_customer": by_customer})


def erase_confirmed(session: Session, *, customer_id: int, confirm: bool,
                    staff_id: int | None, hooks: ErasureHooks) -> None:
    """`erase`, by a staff member at the counter, once they confirmed it."""
    if not confirm:
        raise invalid("erasure_not_confirmed",
                      "Hãy xác nhận việc xoá dữ liệu của khách hàng (không thể hoàn tác).",
                      "Confirm the erasure of the customer's data (it cannot be undone).",
                      field="confirm")
    erase(session, customer_id=customer_id, by_customer=False, hooks=hooks,
          staff_id=staff_id)
