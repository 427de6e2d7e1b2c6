"""What a campaign's placeholders become for many customers at once: read in a few
statements per batch of recipients, never one query per person."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from kiosk_server.cards.models import Card
from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer
from kiosk_server.loyalty import service as loyalty
from kiosk_server.loyalty.models import LoyaltyAccount, Purchase


@dataclass(frozen=True)
class Standing:
    """One customer's figures that placeholders show."""

    name: str
    tier: str
    points: int
    card_link: str


def standings(session: Session, customer_ids: Sequence[int], *, settings: Settings,
              signer: TokenSigner, now: datetime | None = None) -> dict[int, Standing]:
    """Each customer's name, tier (by their last 12 months' spend, as at the till), points
    and card link (their portal when they have no card), by id."""
    ids = list(customer_ids)
    if not ids:
        return {}
    since = (now or utcnow()) - loyalty.TIER_WINDOW
    names = dict(session.execute(select(col(Customer.id), col(Customer.full_name))
                                 .where(col(Customer.id).in_(ids))).all())
    spend: dict[int, int] = {
        customer_id: int(total) for customer_id, total in session.execute(
            select(col(Purchase.customer_id), func.sum(Purchase.amount_vnd))
            .where(col(Purchase.customer_id).in_(ids), col(Purchase.voided_at).is_(None),
                   col(Purchase.occurred_at) > since)
            .group_by(col(Purchase.customer_id)))}
    points = dict(session.execute(select(col(LoyaltyAccount.customer_id),
                                         col(LoyaltyAccount.points))
                                  .where(col(LoyaltyAccount.customer_id).in_(ids))).all())
    serials = dict(session.execute(select(col(Card.active_customer_id), col(Card.serial))
                                   .where(col(Card.active_customer_id).in_(ids))).all())
    tiers = loyalty.tiers_of(settings)
    portal = settings.public_url.rstrip("/") + "/me"
    found: dict[int, Standing] = {}
    for customer_id in ids:
        if customer_id not in names:
            continue
        serial: Any = serials.get(customer_id)
        found[customer_id] = Standing(
            name=names[customer_id],
            tier=loyalty.tier_for(spend.get(customer_id, 0), tiers)[0].name,
            points=int(points.get(customer_id) or 0),
            card_link=(token_link(settings.public_url, signer.sign(TokenKind.CARD, serial), "c")
                       if serial else portal))
    return found

