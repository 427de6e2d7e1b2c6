"""Points and tiers, and the purchases that earn them.

Points: a purchase earns `amount // vnd_per_point` (default 1 point per 10,000 VND),
rounded down, and a void takes them back. Tiers: the highest tier whose threshold the
customer's spend over the last 365 days reaches (voided purchases left out)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlmodel import Session, col

from kiosk_server.core.calendar import LocalDay, Span, week_of
from kiosk_server.core.config import Settings
from kiosk_server.core.db import (
    Executor,
    Prepared,
    dialect_insert,
    id_range,
    on_commit,
    prepared_insert,
    table_of,
)
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import VisitKind, VisitListener
from kiosk_server.feedback import service as feedback
from kiosk_server.live.hub import LocalHub
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty.models import (
    CouponPublic,
    LoyaltyAccount,
    LoyaltyStatus,
    Purchase,
    PurchaseCreate,
    PurchaseListed,
    PurchasePublic,
    PurchaseResult,
    ReceiptFeedback,
    Redemption,
)
from kiosk_server.staff import service as staff

TIER_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Tier:
    name: str
    threshold_vnd: int


def tiers_of(settings: Settings) -> list[Tier]:
    """The tiers, lowest first (`KIOSK_LOYALTY_TIERS`: "Thành viên:0,Bạc:5000000,...")."""
    return list(_parse_tiers(settings.loyalty_tiers))


@lru_cache(maxsize=8)
def _parse_tiers(spec: str) -> tuple[Tier, ...]:
    tiers = []
    for pair in spec.split(","):
        name, threshold = pair.rsplit(":", 1)
        tiers.append(Tier(name.strip(), int(threshold)))
    return tuple(sorted(tiers, key=lambda tier: tier.threshold_vnd))


def points_for(amount_vnd: int, settings: Settings) -> int:
    return amount_vnd // settings.loyalty_vnd_per_point


def tier_for(spend_vnd: int, tiers: list[Tier]) -> tuple[Tier, Tier | None]:
    """The tier this spend reaches, and the next one up (None at the top)."""
    reached = [tier for tier in tiers if spend_vnd >= tier.threshold_vnd]
    current = reached[-1] if reached else tiers[0]
    above = [tier for tier in tiers if tier.threshold_vnd > current.threshold_vnd]
    return current, (above[0] if above else None)


def _add_points(dialect: str):
    table = table_of(LoyaltyAccount)
    statement = dialect_insert(dialect, table).values(
        customer_id=bindparam("customer_id"), points=bindparam("points"))
    return statement.on_conflict_do_update(
        index_elements=[table.c.customer_id],
        set_={"points": table.c.points + statement.excluded.points},
    ).returning(table.c.points)


_ADD_POINTS = Prepared(_add_points)
_TAKE_POINTS = Prepared(
    update(LoyaltyAccount)
    .where(col(LoyaltyAccount.customer_id) == bindparam("customer_id"),
           col(LoyaltyAccount.points) >= bindparam("points"))
    .values(points=LoyaltyAccount.points - bindparam("points"))
    .returning(col(LoyaltyAccount.points)))


def add_points(db: Executor, *, customer_id: int, points: int) -> int:
    """Add (or, negative, take back) points on the customer's balance; the new balance."""
    return _ADD_POINTS.scalar(db, {"customer_id": customer_id, "points": points})


def take_points(db: Executor, *, customer_id: int, points: int) -> bool:
    """Take `points` from the balance if it holds them; False (nothing taken) if not. One
    conditional update: of two tills spending the same points, only one succeeds."""
    return _TAKE_POINTS.first(db, {"customer_id": customer_id, "points": points}) is not None


# Spend in all and since a moment, and the points balance: one statement, compiled once.
_STANDING = Prepared(select(
    func.coalesce(func.sum(Purchase.amount_vnd), 0),
    func.coalesce(func.sum(Purchase.amount_vnd).filter(
        Purchase.occurred_at > bindparam("since")), 0),
    select(col(LoyaltyAccount.points))
    .where(col(LoyaltyAccount.customer_id) == bindparam("customer_id")).scalar_subquery(),
).where(col(Purchase.customer_id) == bindparam("customer_id"), col(Purchase.voided_at).is_(None)))


def status(db: Executor, *, customer_id: int, settings: Settings,
           now: datetime | None = None) -> LoyaltyStatus:
    """The customer's points, spend and tier now."""
    total, recent, points = _STANDING.one(db, {
        "customer_id": customer_id, "since": (now or utcnow()) - TIER_WINDOW})
    # PostgreSQL sums big integers as NUMERIC: back to whole numbers.
    return standing(customer_id=customer_id, points=points or 0, total=int(total),
                    recent=int(recent), settings=settings)


def standing(*, customer_id: int, points: int, total: int, recent: int, settings: Settings
             ) -> LoyaltyStatus:
    """The status these figures make: the tier `recent` (12-month spend) reaches."""
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


@dataclass(frozen=True)
class Till:
    """What recording a sale needs besides the sale: who serves, and the server's parts."""

    staff_id: int | None
    settings: Settings
    signer: TokenSigner
    hub: LocalHub | None = None
    on_visit: VisitListener | None = None  # told of the sale's visit, once committed


def _result(purchase: PurchasePublic, *, till: Till, after: LoyaltyStatus, tier_before: str,
            replayed: bool, feedback_serial: str, used: CouponPublic | None
            ) -> PurchaseResult:
    link = feedback.link_of(feedback_serial, signer=till.signer,
                            public_url=till.settings.public_url)
    tiers = [tier.name for tier in tiers_of(till.settings)]
    return PurchaseResult(
        purchase=purchase, status=after, tier_before=tier_before, replayed=replayed,
        coupon=used, new_tier=tiers.index(after.tier) > tiers.index(tier_before),
        feedback=ReceiptFeedback(**link.model_dump(),
                                 qr_png=f"/api/v1/purchases/{purchase.id}/feedback-qr.png"),
    )


_RECORDED = Prepared(
    select(*(table_of(Purchase).c[name] for name in (*PurchasePublic.model_fields, "visit_id")))
    .where(col(Purchase.staff_id) == bindparam("staff_id"),
           col(Purchase.request_id) == bindparam("request_id")))
_ADD_PURCHASE = prepared_insert(
    Purchase, ["customer_id", "amount_vnd", "points", "items", "staff_id", "request_id",
               "occurred_at", "void_reason"], ignore_conflicts=True, returning=(Purchase.id,))
_SET_VISIT = Prepared(update(Purchase).where(col(Purchase.id) == bindparam("purchase_id"))
                      .values(visit_id=bindparam("visit_id")))


def record_purchase(session: Session, *, customer_id: int, data: PurchaseCreate, till: Till
                    ) -> PurchaseResult:
    """Record a sale to the customer (a visit in their history, served by the till's staff
    member or the one `served_by` names), the points it earns, the coupon used with it,
    and a feedback link for the visit. The same `request_id` for the same staff member is
    answered with what was recorded, never recorded twice. Compiled statements
    (`Prepared`) throughout: the till's busiest write."""
    if customers.guest(session, customer_id=customer_id).erased_at is not None:  # 404 if none
        raise customers.erased_error()
    served_by = till.staff_id
    if data.served_by is not None and data.served_by != till.staff_id:
        served_by = staff.active_staff_member(session, staff_id=data.served_by).id
    done = _RECORDED.records(session, {"staff_id": served_by, "request_id": data.request_id})
    if done:
        return _replay(session, done[0], customer_id=customer_id, data=data, till=till)
    now = utcnow()
    before = status(session, customer_id=customer_id, settings=till.settings, now=now)
    sale = {"customer_id": customer_id, "amount_vnd": data.amount_vnd,
            "points": points_for(data.amount_vnd, till.settings), "items": data.items,
            "staff_id": served_by, "occurred_at": now, "void_reason": ""}
    purchase_id = _ADD_PURCHASE.scalar(session, {**sale, "request_id": data.request_id})
    if purchase_id is None:
        # Two requests with one id at the same moment: the second meets the unique pair.
        raise conflict("request_in_flight", "Giao dịch này đang được ghi, hãy thử lại.",
                       "This purchase is being recorded; try again.")
    purchase = PurchasePublic.model_validate({**sale, "id": purchase_id, "voided_at": None})
    used = None
    if data.coupon_code is not None:
        used = coupons.use(session, code=data.coupon_code, customer_id=customer_id,
                           staff_id=till.staff_id, request_id=data.request_id,
                           purchase_id=purchase.id, signer=till.signer,
                           zone=till.settings.zone, now=now)
    _, visit_id = customers.record_visit(
        session, customer_id=customer_id, kind=VisitKind.PURCHASE, occurred_at=now,
        source_id=purchase.id, staff_id=served_by, hub=till.hub)
    if till.on_visit is not None:
        on_commit(session, partial(till.on_visit, customer_id))
    _SET_VISIT.rows(session, {"purchase_id": purchase.id, "visit_id": visit_id})
    balance = add_points(session, customer_id=customer_id, points=purchase.points)
    after = standing(customer_id=customer_id, points=balance,
                     total=before.total_spend_vnd + purchase.amount_vnd,
                     recent=before.spend_12m_vnd + purchase.amount_vnd, settings=till.settings)
    serial = feedback.request_for_new_visit(session, customer_id=customer_id,
                                            visit_id=visit_id, staff_id=served_by)
    return _result(purchase, till=till, after=after, tier_before=before.tier, replayed=False,
                   feedback_serial=serial,
                   used=coupons.to_public(used, till.signer) if used else None)


def _replay(session: Session, done: Any, *, customer_id: int, data: PurchaseCreate, till: Till
            ) -> PurchaseResult:
    """The answer to a sale sent again: what was recorded (refused if the request id was
    used for another sale: another customer, amount or items)."""
    if (done.customer_id, done.amount_vnd, done.items) != (customer_id, data.amount_vnd,
                                                            data.items):
        raise _request_reused()
    now_status = status(session, customer_id=customer_id, settings=till.settings)
    serial = feedback.request_feedback(session, customer_id=customer_id,
                                       visit_id=done.visit_id, staff_id=done.staff_id)
    return _result(PurchasePublic.model_validate(done._asdict()), till=till, after=now_status,
                   tier_before=now_status.tier, replayed=True, feedback_serial=serial,
                   used=coupons.used_with(session, purchase_id=done.id, signer=till.signer))


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
    # Points already spent stay spent: the balance may go below zero.
    void(session, purchase, by=by, reason=reason, points_back=-purchase.points)
    return purchase


def void(session: Session, row: Purchase | Redemption, *, by: int | None, reason: str,
         points_back: int) -> None:
    """Void a purchase or a redemption once: the row is kept with who voided it, when and
    why, and `points_back` go on the customer's balance (negative: taken off). A row
    voided before is left as it was."""
    if row.voided_at is not None:
        return
    row.voided_at = utcnow()
    row.voided_by = by
    row.void_reason = reason
    session.add(row)
    add_points(session, customer_id=row.customer_id, points=points_back)


def purchases_of(session: Session, *, customer_id: int, limit: int = 100) -> list[Purchase]:
    customers.get_customer(session, customer_id=customer_id)
    return list(session.scalars(select(Purchase).where(col(Purchase.customer_id) == customer_id)
                                .order_by(col(Purchase.id).desc()).limit(max(1, min(limit, 500)))))


def listed(session: Session, purchases: list[Purchase]) -> list[PurchaseListed]:
    """Purchases with the names of who served them."""
    names = staff.staff_names(session, staff_ids=[p.staff_id for p in purchases])
    return [PurchaseListed(**p.model_dump(), staff_name=names.get(p.staff_id))
            for p in purchases]


_EXPORTED_PURCHASE = ("id", "occurred_at", "amount_vnd", "points", "items", "voided_at",
                      "void_reason")
_EXPORTED_REDEMPTION = ("id", "occurred_at", "reward_name", "points", "voided_at",
                        "void_reason")


def export_rows(session: Session, *, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """The customer's purchases, points balance, coupons and redemptions (their export)."""
    purchases = session.scalars(select(Purchase).where(col(Purchase.customer_id) == customer_id)
                                .order_by(col(Purchase.id)))
    redemptions = session.scalars(select(Redemption)
                                  .where(col(Redemption.customer_id) == customer_id)
                                  .order_by(col(Redemption.id)))
    points = session.scalar(select(col(LoyaltyAccount.points))
                            .where(col(LoyaltyAccount.customer_id) == customer_id)) or 0
    return {
        "purchases": [{name: getattr(p, name) for name in _EXPORTED_PURCHASE} for p in purchases],
        "points": [{"balance": points}],
        "coupons": coupons.export_rows(session, customer_id=customer_id),
        "redemptions": [{name: getattr(r, name) for name in _EXPORTED_REDEMPTION}
                        for r in redemptions],
    }


def spend_windows_between(*, one: bool = False) -> Any:
    """Each customer's spend (sales not voided) from `first_id` to `last_id` (`one`: the
    customer `first_id`: `id_range`): `recent`, in the window before `until`; `before`, in
    the one before that; `year`, since `year_since` (bound parameters of those names, given
    by `spend_window_params`), in one aggregate pass; customers without a sale in any are
    left out. A recomputation joins it with its other reads (retention)."""
    amount, at = col(Purchase.amount_vnd), col(Purchase.occurred_at)
    return (select(col(Purchase.customer_id),
                   func.sum(case((at > bindparam("split"), amount), else_=0)).label("recent"),
                   func.sum(case((and_(at <= bindparam("split"), at > bindparam("since")),
                                  amount), else_=0)).label("before"),
                   func.sum(amount).label("year"))
            .where(id_range(col(Purchase.customer_id), one=one),
                   at > bindparam("year_since"), at <= bindparam("until"),
                   col(Purchase.voided_at).is_(None))
            .group_by(col(Purchase.customer_id)))


_SPEND_WINDOWS = Prepared(spend_windows_between())


def spend_window_params(*, until: datetime, days: int = 90, year_days: int = 365
                        ) -> dict[str, datetime]:
    """The windows of `spend_windows_between`: the `days` before `until`, the `days`
    before those, the `year_days` before `until`."""
    window = timedelta(days=days)
    return {"until": until, "split": until - window, "since": until - 2 * window,
            "year_since": until - timedelta(days=year_days)}


def spend_windows(db: Executor, *, first_id: int, last_id: int, until: datetime,
                  days: int = 90, year_days: int = 365) -> dict[int, tuple[int, int, int]]:
    """Each customer's spend (sales not voided) from `first_id` to `last_id`, in the `days`
    before `until`, in the `days` before those, and in the `year_days` before `until`, in
    one aggregate pass (`spend_windows_between`); customers without a sale in any are left
    out."""
    found = _SPEND_WINDOWS.rows(db, {"first_id": first_id, "last_id": last_id,
                                     **spend_window_params(until=until, days=days,
                                                           year_days=year_days)})
    return {customer_id: spend_in_windows(recent, before, year)
            for customer_id, recent, before, year in found}


def spend_in_windows(recent: Any, before: Any, year: Any) -> tuple[int, int, int]:
    """A row of `spend_windows_between`'s sums (NULL where a window had no sale) as whole
    VND: (recent, before, year)."""
    return int(recent or 0), int(before or 0), int(year or 0)


def weekly_sales(db: Executor, *, span: Span) -> dict[int, tuple[int, int]]:
    """Per week of the span with a sale: (sales, their total in VND), voided ones left
    out, in one aggregate query."""
    week = week_of(LocalDay(col(Purchase.occurred_at), span.offset()))
    statement = (select(week, func.count(), func.sum(col(Purchase.amount_vnd)))
                 .where(col(Purchase.occurred_at) >= span.start,
                        col(Purchase.occurred_at) < span.end, col(Purchase.voided_at).is_(None))
                 .group_by(week))
    return {int(w): (count, int(total or 0)) for w, count, total in db.execute(statement)}
