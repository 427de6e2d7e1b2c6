"""Points and tiers, and the purchases that earn them.

Points: a purchase earns `amount // vnd_per_point` (default 1 point per 10,000 VND),
rounded down, and a void takes them back. Tiers: the highest tier whose threshold the
customer's spend over the last 365 days reaches (voided purchases left out)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from kiosk_server.core.config import Settings
from kiosk_server.core.db import flush_unique
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import VisitKind
from kiosk_server.live.hub import LocalHub
from kiosk_server.loyalty.models import (
    LoyaltyStatus,
    Purchase,
    PurchaseCreate,
    PurchasePublic,
    PurchaseResult,
)

TIER_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Tier:
    name: str
    threshold_vnd: int


def tiers_of(settings: Settings) -> list[Tier]:
    """The tiers, lowest first (`KIOSK_LOYALTY_TIERS`: "Thành viên:0,Bạc:5000000,...")."""
    tiers = []
    for pair in settings.loyalty_tiers.split(","):
        name, threshold = pair.rsplit(":", 1)
        tiers.append(Tier(name.strip(), int(threshold)))
    return sorted(tiers, key=lambda tier: tier.threshold_vnd)


def points_for(amount_vnd: int, settings: Settings) -> int:
    return amount_vnd // settings.loyalty_vnd_per_point


def tier_for(spend_vnd: int, tiers: list[Tier]) -> tuple[Tier, Tier | None]:
    """The tier this spend reaches, and the next one up (None at the top)."""
    reached = [tier for tier in tiers if spend_vnd >= tier.threshold_vnd]
    current = reached[-1] if reached else tiers[0]
    above = [tier for tier in tiers if tier.threshold_vnd > current.threshold_vnd]
    return current, (above[0] if above else None)


def status(session: Session, *, customer_id: int, settings: Settings,
           now: datetime | None = None) -> LoyaltyStatus:
    """The customer's points, spend and tier now."""
    now = now or utcnow()
    points, total, recent = session.execute(
        select(func.coalesce(func.sum(Purchase.points), 0),
               func.coalesce(func.sum(Purchase.amount_vnd), 0),
               func.coalesce(func.sum(Purchase.amount_vnd).filter(
                   Purchase.occurred_at > now - TIER_WINDOW), 0))
        .where(Purchase.customer_id == customer_id, Purchase.voided_at.is_(None))
    ).one()
    # PostgreSQL sums big integers as NUMERIC: back to whole numbers.
    points, total, recent = int(points), int(total), int(recent)
    tier, following = tier_for(recent, tiers_of(settings))
    return LoyaltyStatus(
        customer_id=customer_id, points=points, spend_12m_vnd=recent, total_spend_vnd=total,
        tier=tier.name, next_tier=following.name if following else None,
        to_next_tier_vnd=following.threshold_vnd - recent if following else None,
    )


def customer_status(session: Session, *, customer_id: int, settings: Settings
                    ) -> LoyaltyStatus:
    """`status`, for a customer who must exist (404 otherwise)."""
    customers.get_customer(session, customer_id=customer_id)
    return status(session, customer_id=customer_id, settings=settings)


def _request_reused() -> DomainError:
    return conflict("request_reused", "Mã yêu cầu này đã dùng cho một giao dịch khác.",
                    "This request_id was used for another purchase.", field="request_id")


def _replay(session: Session, *, staff_id: int | None, customer_id: int, data: PurchaseCreate,
            settings: Settings) -> PurchaseResult | None:
    """The purchase this till already recorded with this request id, if any."""
    done = session.scalars(select(Purchase).where(
        Purchase.staff_id == staff_id, Purchase.request_id == data.request_id)).first()
    if done is None:
        return None
    if (done.customer_id, done.amount_vnd) != (customer_id, data.amount_vnd):
        raise _request_reused()
    now_status = status(session, customer_id=customer_id, settings=settings)
    return PurchaseResult(purchase=PurchasePublic.model_validate(done, from_attributes=True),
                          status=now_status, tier_before=now_status.tier, new_tier=False,
                          replayed=True)


def record_purchase(session: Session, *, customer_id: int, data: PurchaseCreate,
                    staff_id: int | None, settings: Settings, hub: LocalHub | None = None
                    ) -> PurchaseResult:
    """Record a sale to the customer (a visit in their history, served by `staff_id`) and
    the points it earns. The same `request_id` from the same staff member is answered
    with what was recorded, never recorded twice."""
    customers.get_customer(session, customer_id=customer_id)
    replay = _replay(session, staff_id=staff_id, customer_id=customer_id, data=data,
                     settings=settings)
    if replay is not None:
        return replay
    now = utcnow()
    before = status(session, customer_id=customer_id, settings=settings, now=now)
    purchase = Purchase(customer_id=customer_id, amount_vnd=data.amount_vnd,
                        points=points_for(data.amount_vnd, settings), items=data.items,
                        staff_id=staff_id, request_id=data.request_id, occurred_at=now)
    session.add(purchase)
    # Two requests with one id at the same moment: the second meets the unique pair.
    flush_unique(session, conflict("request_in_flight", "Giao dịch này đang được ghi, hãy thử lại.",
                                   "This purchase is being recorded; try again."))
    customers.record_visit(session, customer_id=customer_id, kind=VisitKind.PURCHASE,
                           occurred_at=now, source_id=purchase.id, staff_id=staff_id, hub=hub)
    after = status(session, customer_id=customer_id, settings=settings, now=now)
    tiers = [tier.name for tier in tiers_of(settings)]
    return PurchaseResult(
        purchase=PurchasePublic.model_validate(purchase, from_attributes=True), status=after,
        tier_before=before.tier, replayed=False,
        new_tier=tiers.index(after.tier) > tiers.index(before.tier),
    )


def get_purchase(session: Session, *, purchase_id: int) -> Purchase:
    purchase = session.get(Purchase, purchase_id)
    if purchase is None:
        raise not_found("giao dịch", "Purchase", code="purchase_not_found")
    return purchase


def void_purchase(session: Session, *, purchase_id: int, by: int | None, reason: str
                  ) -> Purchase:
    """Void a purchase: its points and spend no longer count; the row stays. Voiding it
    again changes nothing."""
    purchase = get_purchase(session, purchase_id=purchase_id)
    if purchase.voided_at is None:
        purchase.voided_at = utcnow()
        purchase.voided_by = by
        purchase.void_reason = reason
        session.add(purchase)
    return purchase


def purchases_of(session: Session, *, customer_id: int, limit: int = 100) -> list[Purchase]:
    customers.get_customer(session, customer_id=customer_id)
    return list(session.scalars(select(Purchase).where(Purchase.customer_id == customer_id)
                                .order_by(Purchase.id.desc()).limit(max(1, min(limit, 500)))))
