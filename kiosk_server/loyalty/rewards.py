"""The rewards catalogue, and spending points on a reward at the till."""

from sqlalchemy import bindparam, or_, select
from sqlmodel import Session, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Executor, Prepared, flush_unique, id_of, table_of
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.customers import service as customers
from kiosk_server.loyalty import service
from kiosk_server.loyalty.models import (
    Redemption,
    RedemptionCreate,
    RedemptionPublic,
    RedemptionResult,
    Reward,
    RewardCreate,
    RewardPublic,
    RewardUpdate,
)


def _no_such_reward() -> DomainError:
    return not_found("phần thưởng", "Reward", code="reward_not_found")


def create_reward(session: Session, *, data: RewardCreate) -> Reward:
    reward = Reward(**data.model_dump())
    session.add(reward)
    session.flush()
    return reward


def get_reward(session: Session, *, reward_id: int) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise _no_such_reward()
    return reward


def update_reward(session: Session, *, reward_id: int, data: RewardUpdate) -> Reward:
    reward = get_reward(session, reward_id=reward_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(reward, key, value)
    session.add(reward)
    return reward


_CATALOGUE = Prepared(
    select(*(table_of(Reward).c[name] for name in RewardPublic.model_fields))
    .where(or_(col(Reward.active).is_(True), bindparam("include_inactive")))
    .order_by(col(Reward.points_cost), col(Reward.id)))


def list_rewards(db: Executor, *, active_only: bool = True) -> list[RewardPublic]:
    """The catalogue, cheapest first (withdrawn rewards too, unless `active_only`)."""
    return [RewardPublic.model_validate(record._asdict()) for record in
            _CATALOGUE.records(db, {"include_inactive": not active_only})]


def _not_enough(balance: int, cost: int) -> DomainError:
    return conflict("not_enough_points",
                    f"Khách có {balance} điểm, phần thưởng này cần {cost} điểm.",
                    f"The customer has {balance} points; this reward needs {cost}.",
                    field="reward_id")


def redeem(session: Session, *, customer_id: int, data: RedemptionCreate,
           staff_id: int | None, settings: Settings) -> RedemptionResult:
    """Spend the customer's points on a reward. A retry with the same `request_id` is
    answered with the first redemption; two tills spending the same points: one wins."""
    customers.get_live_customer(session, customer_id=customer_id)
    done = session.scalars(select(Redemption).where(
        col(Redemption.staff_id) == staff_id,
        col(Redemption.request_id) == data.request_id)).first()
    if done is not None:
        if (done.customer_id, done.reward_id) != (customer_id, data.reward_id):
            raise conflict("request_reused", "Mã yêu cầu này đã dùng cho một lần đổi khác.",
                           "This request_id was used for another redemption.",
                           field="request_id")
        return RedemptionResult(
            redemption=RedemptionPublic.model_validate(done, from_attributes=True),
            status=service.status(session, customer_id=customer_id, settings=settings),
            replayed=True)
    reward = get_reward(session, reward_id=data.reward_id)
    if not reward.active:
        raise conflict("reward_inactive", "Phần thưởng này không còn được đổi.",
                       "This reward is no longer offered.", field="reward_id")
    if not service.take_points(session, customer_id=customer_id, points=reward.points_cost):
        balance = service.status(session, customer_id=customer_id, settings=settings).points
        raise _not_enough(balance, reward.points_cost)
    redemption = Redemption(customer_id=customer_id, reward_id=id_of(reward),
                            reward_name=reward.name, points=reward.points_cost,
                            staff_id=staff_id, request_id=data.request_id)
    session.add(redemption)
    flush_unique(session, conflict("request_in_flight", "Lần đổi này đang được ghi, hãy thử lại.",
                                   "This redemption is being recorded; try again."))
    return RedemptionResult(
        redemption=RedemptionPublic.model_validate(redemption, from_attributes=True),
        status=service.status(session, customer_id=customer_id, settings=settings),
        replayed=False)


def redemptions_of(session: Session, *, customer_id: int, limit: int = 50) -> list[Redemption]:
    customers.get_customer(session, customer_id=customer_id)
    return list(session.scalars(select(Redemption)
                                .where(col(Redemption.customer_id) == customer_id)
                                .order_by(col(Redemption.id).desc()).limit(limit)))


def void_redemption(session: Session, *, redemption_id: int, by: int | None, reason: str
                    ) -> Redemption:
    """Void a redemption (a reward given by mistake, or taken back): its points return to
    the balance; the row stays, with who voided it, when and why. Voiding it again
    changes nothing."""
    redemption = session.get(Redemption, redemption_id)
    if redemption is None:
        raise not_found("lần đổi thưởng", "Redemption", code="redemption_not_found")
    service.void(session, redemption, by=by, reason=reason, points_back=redemption.points)
    return redemption
