# PLACEHOLDER: replaced by the audience helper's segments.py at merge
"""Who a campaign's segment matches, drawn a batch at a time (this stand-in knows only the
`all` rule; the audience helper's module knows them all)."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.campaigns.models import LeftOut, RuleGroup
from kiosk_server.core.config import Settings
from kiosk_server.core.errors import invalid
from kiosk_server.core.types import Language
from kiosk_server.customers import contact
from kiosk_server.customers.models import Customer
from kiosk_server.messaging.models import Channel, Purpose


@dataclass(frozen=True)
class Drawn:
    """One customer the segment matches: the address to use, or why they get nothing."""

    customer_id: int
    left_out: LeftOut | None
    address: str | None
    language: Language


def parse(raw: Any) -> RuleGroup:
    """A stored segment as rules (a malformed one is refused with its code)."""
    try:
        return RuleGroup.model_validate(raw)
    except ValueError as exc:
        raise invalid("segment_invalid", "Nhóm khách hàng của chiến dịch không hợp lệ.",
                      "The campaign's segment is not valid.", field="segment") from exc


def draw(session: Session, group: RuleGroup, channel: Channel, *, settings: Settings,
         after_customer_id: int, limit: int) -> list[Drawn]:
    """Up to `limit` customers the segment matches with ids above `after_customer_id`, in
    id order, each with their address on `channel` or the reason they are left out."""
    if any(rule.kind != "all" for rule in group.rules):
        raise invalid("segment_unsupported", "Quy tắc nhóm khách hàng này chưa được hỗ trợ.",
                      "This segment rule is not supported yet.", field="segment")
    customers = session.scalars(select(Customer)
                                .where(col(Customer.id) > after_customer_id)
                                .order_by(col(Customer.id)).limit(limit))
    drawn: list[Drawn] = []
    for customer in customers:
        assert customer.id is not None  # read from the table
        if customer.erased_at is not None:
            drawn.append(Drawn(customer.id, LeftOut.ERASED, None, customer.language))
            continue
        permission = contact.may_send(customer, channel=channel, purpose=Purpose.MARKETING)
        left_out = (None if permission.refusal is None
                    else LeftOut.NO_CONSENT if permission.refusal is contact.Refusal.NO_CONSENT
                    else LeftOut.NO_ADDRESS)
        drawn.append(Drawn(customer.id, left_out, permission.address, customer.language))
    return drawn
