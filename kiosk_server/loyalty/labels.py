"""What the audit log calls the till's rows: a sale, a redemption or a coupon by its
customer's full name, a reward by its name."""

from sqlalchemy import func, select
from sqlmodel import Session, col

from kiosk_server.customers import service as customers
from kiosk_server.loyalty.models import Coupon, Purchase, Redemption, Reward


def purchase_labels(session: Session, ids: list[int]) -> dict[int, str]:
    return customers.owner_labels(session, session.execute(
        select(col(Purchase.id), col(Purchase.customer_id))
        .where(col(Purchase.id).in_(ids))))


def redemption_labels(session: Session, ids: list[int]) -> dict[int, str]:
    return customers.owner_labels(session, session.execute(
        select(col(Redemption.id), col(Redemption.customer_id))
        .where(col(Redemption.id).in_(ids))))


def coupon_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """A coupon is named by the customer it was given to, else the one who used it."""
    owner = func.coalesce(Coupon.customer_id, Coupon.used_customer_id)
    return customers.owner_labels(session, session.execute(
        select(col(Coupon.id), owner).where(col(Coupon.id).in_(ids))))


def reward_labels(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {reward_id: name for reward_id, name in session.execute(
        select(col(Reward.id), col(Reward.name)).where(col(Reward.id).in_(ids)))}
