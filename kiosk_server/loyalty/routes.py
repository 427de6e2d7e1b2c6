"""The till: find a customer, their standing, sales, rewards, coupons; sign-ups."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from kiosk_server.core.db import Access
from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep, model_response
from kiosk_server.core.types import Id
from kiosk_server.loyalty import checkout, coupons, rewards, service
from kiosk_server.loyalty.models import (
    CardCode,
    CheckoutPanel,
    CounterSignup,
    CounterSignupResult,
    CouponCode,
    CouponCreate,
    CouponPublic,
    CouponRedeem,
    LoyaltyStatus,
    PurchaseCreate,
    PurchaseListed,
    PurchasePublic,
    PurchaseResult,
    RedemptionCreate,
    RedemptionPublic,
    RedemptionResult,
    RewardCreate,
    RewardPublic,
    RewardUpdate,
    Void,
)
from kiosk_server.staff.deps import AdminOnly, Audit, CurrentStaff, StaffWorkDep

router = APIRouter(prefix="/api/v1", tags=["loyalty"])

REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"description": "this request_id was recorded before: its result"}}


# ------------------------------------------------------------------------- finding them

# The till's busiest endpoints (a scan, a search result, a sale) do their work in one
# thread-pool hop (`StaffWorkDep`).

@router.post("/checkout/lookup", response_model=CheckoutPanel)
def lookup(body: CardCode, work: StaffWorkDep, settings: SettingsDep, signer: SignerDep):
    """Staff. The customer whose card QR (or event invitation QR) was scanned at the till,
    with everything the till shows: tier, points, spend, visit number, recent visits with
    who served them, notes, coupons, open complaints, rewards. A forged or foreign code is
    400; a card replaced by a newer one, 404 with that reason."""
    with work.open(Access.READ) as unit:
        return model_response(checkout.lookup(unit.session, code=body.code, settings=settings,
                                              signer=signer))


@router.get("/customers/{customer_id}/checkout", response_model=CheckoutPanel)
def checkout_panel(customer_id: Id, work: StaffWorkDep, settings: SettingsDep,
                   signer: SignerDep):
    """Staff. The till's panel for a customer found by search."""
    with work.open(Access.READ) as unit:
        return model_response(checkout.panel(unit.session, customer_id=customer_id,
                                             settings=settings, signer=signer))


@router.post("/checkout/customers", response_model=CounterSignupResult,
             status_code=status.HTTP_201_CREATED)
def sign_up(body: CounterSignup, session: SessionDep, settings: SettingsDep, signer: SignerDep,
            caller: CurrentStaff, log: Audit):
    """Staff. A new customer at the counter: their record and membership card at once; the
    card's QR is for them to save (`card_url` is their own card page), and it is e-mailed
    to them if they gave an address."""
    result = checkout.sign_up(session, data=body, settings=settings, signer=signer,
                              staff_id=caller.staff_id)
    log.record("customer.sign_up", ("customers", result.panel.customer.id),
               details=body.model_dump(mode="json", exclude={"email", "phone"}))
    return result


@router.get("/customers/{customer_id}/loyalty", response_model=LoyaltyStatus)
def loyalty_status(customer_id: Id, session: SessionDep, settings: SettingsDep,
                   caller: CurrentStaff):
    """Staff. The customer's points, spend (last 12 months and in all) and tier."""
    return service.customer_status(session, customer_id=customer_id, settings=settings)


# ------------------------------------------------------------------------------- sales

@router.post("/customers/{customer_id}/purchases", response_model=PurchaseResult,
             status_code=status.HTTP_201_CREATED, responses=REPLAYED)
def record_purchase(customer_id: Id, body: PurchaseCreate, request: Request, work: StaffWorkDep,
                    settings: SettingsDep, signer: SignerDep):
    """Staff. Record a sale to the customer, served by the signed-in staff member (or the
    one `served_by` names): a visit in their history, and points (1 per 10,000 VND by
    default). With `coupon_code`, the coupon is checked and used with the sale (if it is
    refused, nothing is recorded). The answer holds the receipt's feedback link. Sent again
    with the same `request_id`, it is answered with what was recorded (200), not recorded
    twice; the same `request_id` with another customer, amount or items is refused (409
    `request_reused`)."""
    with work.open() as unit:
        till = service.Till(staff_id=unit.caller.staff_id, settings=settings, signer=signer,
                            hub=request.app.state.hub,
                            on_visit=request.app.state.visit_listener)
        result = service.record_purchase(unit.session, customer_id=customer_id, data=body,
                                         till=till)
        if result.replayed:
            return model_response(result)
        unit.log.record("purchase.create", ("purchases", result.purchase.id), details=body)
        return model_response(result, status.HTTP_201_CREATED)


@router.get("/customers/{customer_id}/purchases", response_model=list[PurchaseListed])
def list_purchases(customer_id: Id, session: SessionDep, caller: CurrentStaff,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """Staff. The customer's purchases, newest first, voided ones included, with who
    served each."""
    return service.listed(session, service.purchases_of(session, customer_id=customer_id,
                                                        limit=limit))


@router.post("/purchases/{purchase_id}/void", response_model=PurchasePublic)
def void_purchase(purchase_id: Id, body: Void, session: SessionDep, caller: AdminOnly,
                  log: Audit):
    """Admin. Void a purchase: its points come off the balance and its spend stops counting;
    it stays on record, with who voided it, when and why."""
    purchase = service.void_purchase(session, purchase_id=purchase_id, by=caller.staff_id,
                                     reason=body.reason)
    log.record("purchase.void", purchase, details=body)
    return purchase


# ----------------------------------------------------------------------------- rewards

@router.get("/rewards", response_model=list[RewardPublic])
def list_rewards(session: SessionDep, caller: CurrentStaff,
                 include_inactive: bool = False):
    """Staff. The rewards catalogue, cheapest first (`include_inactive`: withdrawn ones too)."""
    return rewards.list_rewards(session, active_only=not include_inactive)


@router.post("/rewards", response_model=RewardPublic, status_code=status.HTTP_201_CREATED)
def create_reward(body: RewardCreate, session: SessionDep, caller: AdminOnly, log: Audit):
    """Admin. Add a reward to the catalogue, with its cost in points."""
    reward = rewards.create_reward(session, data=body)
    log.record("reward.create", reward, details=body)
    return reward


@router.patch("/rewards/{reward_id}", response_model=RewardPublic)
def update_reward(reward_id: Id, body: RewardUpdate, session: SessionDep, caller: AdminOnly,
                  log: Audit):
    """Admin. Rename, reprice or withdraw (`active: false`) a reward."""
    reward = rewards.update_reward(session, reward_id=reward_id, data=body)
    log.record("reward.update", reward, details=body)
    return reward


@router.post("/customers/{customer_id}/redemptions", response_model=RedemptionResult,
             status_code=status.HTTP_201_CREATED, responses=REPLAYED)
def redeem(customer_id: Id, body: RedemptionCreate, response: Response, session: SessionDep,
           settings: SettingsDep, caller: CurrentStaff, log: Audit):
    """Staff. Spend the customer's points on a reward. 409 `not_enough_points` if the
    balance does not cover it (two tills spending the same points: one succeeds). Sent
    again with the same `request_id`: the first answer (200), nothing spent twice."""
    result = rewards.redeem(session, customer_id=customer_id, data=body,
                            staff_id=caller.staff_id, settings=settings)
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        log.record("reward.redeem", ("redemptions", result.redemption.id), details=body)
    return result


@router.post("/redemptions/{redemption_id}/void", response_model=RedemptionPublic)
def void_redemption(redemption_id: Id, body: Void, session: SessionDep, caller: AdminOnly,
                    log: Audit):
    """Admin. Void a redemption: its points go back on the customer's balance; it stays on
    record, with who voided it, when and why."""
    redemption = rewards.void_redemption(session, redemption_id=redemption_id,
                                         by=caller.staff_id, reason=body.reason)
    log.record("redemption.void", redemption, details=body)
    return redemption


@router.get("/customers/{customer_id}/redemptions", response_model=list[RedemptionPublic])
def list_redemptions(customer_id: Id, session: SessionDep, caller: CurrentStaff):
    """Staff. The customer's redemptions, newest first."""
    return rewards.redemptions_of(session, customer_id=customer_id)


# ----------------------------------------------------------------------------- coupons

@router.post("/customers/{customer_id}/coupons", response_model=CouponPublic,
             status_code=status.HTTP_201_CREATED)
def issue_coupon(customer_id: Id, body: CouponCreate, session: SessionDep, signer: SignerDep,
                 caller: CurrentStaff, log: Audit):
    """Staff. Give the customer a single-use coupon (its `code` is the QR's text; the image
    is `GET /api/v1/coupons/{id}/qr.png`), valid for `valid_days`."""
    coupon = coupons.issue(session, customer_id=customer_id, data=body,
                           issued_by=caller.staff_id)
    log.record("coupon.issue", coupon, details=body)
    return coupons.to_public(coupon, signer)


@router.get("/customers/{customer_id}/coupons", response_model=list[CouponPublic])
def held_coupons(customer_id: Id, session: SessionDep, signer: SignerDep, caller: CurrentStaff):
    """Staff. The customer's coupons that can still be used."""
    return coupons.held_by(session, customer_id=customer_id, signer=signer)


@router.post("/coupons/check", response_model=CouponPublic)
def check_coupon(body: CouponCode, session: SessionDep, settings: SettingsDep,
                 signer: SignerDep, caller: CurrentStaff):
    """Staff. Whether a scanned coupon can be used now (by `customer_id`), without using it.
    Refusals: 400 `coupon_forged` / `not_a_coupon`, 404 `coupon_not_found`, 409
    `coupon_used` (says when) / `coupon_expired` / `coupon_other_customer`."""
    coupon = coupons.check(session, code=body.code, customer_id=body.customer_id,
                           signer=signer, zone=settings.zone)
    return coupons.to_public(coupon, signer)


@router.post("/coupons/redeem", response_model=CouponPublic)
def redeem_coupon(body: CouponRedeem, session: SessionDep, settings: SettingsDep,
                  signer: SignerDep, caller: CurrentStaff, log: Audit):
    """Staff. Use a coupon without a sale (a gift at the counter). Once only: of two tills
    using it at the same moment, one succeeds and the other gets 409 `coupon_used`; a retry
    with the same `request_id` gets the same answer. Refusals as for `/coupons/check`."""
    coupon = coupons.use(session, code=body.code, customer_id=body.customer_id,
                         staff_id=caller.staff_id, request_id=body.request_id, signer=signer,
                         zone=settings.zone)
    log.record("coupon.use", coupon, details=body.model_dump(mode="json", exclude={"code"}))
    return coupons.to_public(coupon, signer)
