"""The sales figures the owner's reports read, a page of customers or of sales at a time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Executor, Prepared
from kiosk_server.loyalty.models import Coupon, LoyaltyAccount, LoyaltyStatus, Purchase
from kiosk_server.loyalty.service import TIER_WINDOW, standing


def standings_of(session: Session, *, customer_ids: list[int], settings: Settings,
                 now: datetime) -> dict[int, LoyaltyStatus]:
    """The points, spend and tier of each of these customers (a page of a list), in two
    aggregate queries, as `service.status` gives them one at a time."""
    if not customer_ids:
        return {}
    spend = {customer_id: (int(total), int(recent)) for customer_id, total, recent in
             session.execute(select(
                 col(Purchase.customer_id), func.sum(Purchase.amount_vnd),
                 func.coalesce(func.sum(Purchase.amount_vnd).filter(
                     col(Purchase.occurred_at) > now - TIER_WINDOW), 0))
                 .where(col(Purchase.customer_id).in_(customer_ids),
                        col(Purchase.voided_at).is_(None))
                 .group_by(col(Purchase.customer_id)))}
    points = {customer_id: balance for customer_id, balance in session.execute(
        select(col(LoyaltyAccount.customer_id), col(LoyaltyAccount.points))
        .where(col(LoyaltyAccount.customer_id).in_(customer_ids)))}
    return {customer_id: standing(customer_id=customer_id, points=points.get(customer_id, 0),
                                  total=spend.get(customer_id, (0, 0))[0],
                                  recent=spend.get(customer_id, (0, 0))[1], settings=settings)
            for customer_id in customer_ids}


@dataclass(frozen=True)
class Sale:
    """A sale as the reports count it."""

    id: int
    occurred_at: datetime
    amount_vnd: int
    staff_id: int | None
    coupons: int  # coupons used with it


_COUPONS_USED = (select(func.count()).where(col(Coupon.used_purchase_id) == col(Purchase.id))
                 .correlate(Purchase).scalar_subquery())
_SALES_AFTER = Prepared(
    select(col(Purchase.id), col(Purchase.occurred_at), col(Purchase.amount_vnd),
           col(Purchase.staff_id), _COUPONS_USED)
    .where(col(Purchase.occurred_at) >= bindparam("since"),
           col(Purchase.occurred_at) < bindparam("until"), col(Purchase.voided_at).is_(None),
           col(Purchase.id) > bindparam("after_id"))
    .order_by(col(Purchase.id)).limit(bindparam("limit")))


def sales_after(db: Executor, *, since: datetime, until: datetime, after_id: int = 0,
                limit: int = 1000) -> list[Sale]:
    """A page of the sales (not voided) made from `since` until before `until`, by id
    after `after_id`."""
    return [Sale(*row) for row in _SALES_AFTER.rows(db, {
        "since": since, "until": until, "after_id": after_id, "limit": limit})]
