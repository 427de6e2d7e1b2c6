"""Coupons: a single-use benefit behind a signed QR (token kind V), with an expiry.

Issued by staff now (and by campaigns later). At the till a coupon is checked, then
used with one conditional update (`used_at IS NULL AND expires_at > now`): of two tills
using one coupon at the same moment, exactly one succeeds; the other is told it was used.
A forged or altered code is refused before any database lookup."""

from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, bindparam, insert, select, update
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, id_of, table_of
from kiosk_server.core.errors import DomainError, conflict, invalid, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.loyalty.models import Coupon, CouponCreate, CouponPublic, CouponStatus


def state_of(coupon: Coupon | Any, now: datetime | None = None) -> CouponStatus:
    if coupon.revoked_at is not None:
        return CouponStatus.REVOKED
    if coupon.used_at is not None:
        return CouponStatus.USED
    if coupon.expires_at <= (now or utcnow()):
        return CouponStatus.EXPIRED
    return CouponStatus.VALID


def to_public(coupon: Coupon | Any, signer: TokenSigner) -> CouponPublic:
    """`coupon`: a Coupon, or a record of the coupons table's columns."""
    return CouponPublic(
        id=id_of(coupon), code=signer.sign(TokenKind.COUPON, coupon.serial),
        customer_id=coupon.customer_id, benefit=coupon.benefit, issued_at=coupon.issued_at,
        issued_by=coupon.issued_by, expires_at=coupon.expires_at, used_at=coupon.used_at,
        used_by=coupon.used_by, status=state_of(coupon))


def issue(session: Session, *, customer_id: int | None, data: CouponCreate,
          issued_by: int | None, thanks_request_id: int | None = None) -> Coupon:
    """A new coupon for the customer (or for whoever holds it, without one);
    `thanks_request_id`: the feedback request whose answer it thanks for (the database
    allows one coupon per request)."""
    if customer_id is not None:
        customers.get_live_customer(session, customer_id=customer_id)
    now = utcnow()
    coupon = Coupon(serial=new_serial(), customer_id=customer_id, benefit=data.benefit,
                    issued_at=now, issued_by=issued_by,
                    expires_at=now + timedelta(days=data.valid_days),
                    thanks_request_id=thanks_request_id)
    session.add(coupon)
    session.flush()
    return coupon


def issue_many(session: Session, *, owners: list[tuple[int, str]], data: CouponCreate,
               issued_by: int | None, now: datetime | None = None) -> list[int]:
    """One coupon each for many customers at once (a campaign's batch): `owners` are
    (customer id, serial made with `new_serial`, so that the code can be drawn before the
    write); their ids, in order. The caller has checked that the customers are live."""
    if not owners:
        return []
    now = now or utcnow()
    expires = now + timedelta(days=data.valid_days)
    return list(session.scalars(
        insert(Coupon).returning(col(Coupon.id), sort_by_parameter_order=True),
        [{"serial": serial, "customer_id": customer_id, "benefit": data.benefit,
          "issued_at": now, "issued_by": issued_by, "expires_at": expires}
         for customer_id, serial in owners]))


def _no_such_coupon(field: str | None = None) -> DomainError:
    error = not_found("phiếu ưu đãi", "Coupon", code="coupon_not_found")
    error.field = field
    return error


def get(session: Session, *, coupon_id: int) -> Coupon:
    coupon = session.get(Coupon, coupon_id)
    if coupon is None:
        raise _no_such_coupon()
    return coupon


def _forged() -> DomainError:
    return invalid("coupon_forged", "Mã phiếu ưu đãi không hợp lệ (bị sửa hoặc giả).",
                   "This coupon code is not valid (altered or forged).", field="code")


def _used(coupon: Coupon, zone_time: str) -> DomainError:
    error = conflict("coupon_used", f"Phiếu ưu đãi này đã được dùng lúc {zone_time}.",
                     f"This coupon was already used, at {zone_time}.", field="code")
    assert coupon.used_at is not None  # refused as used: its use is recorded
    error.extra = {"used_at": coupon.used_at.isoformat()}
    return error


def _expired(coupon: Coupon, zone_time: str) -> DomainError:
    error = conflict("coupon_expired", f"Phiếu ưu đãi này đã hết hạn lúc {zone_time}.",
                     f"This coupon expired at {zone_time}.", field="code")
    error.extra = {"expires_at": coupon.expires_at.isoformat()}
    return error


def _revoked() -> DomainError:
    return conflict("coupon_revoked", "Phiếu ưu đãi này đã bị thu hồi.",
                    "This coupon was withdrawn.", field="code")


def _someone_elses() -> DomainError:
    return conflict("coupon_other_customer", "Phiếu ưu đãi này thuộc về một khách hàng khác.",
                    "This coupon belongs to another customer.", field="code")


def _at(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M %d/%m/%Y}"


def find(session: Session, *, code: str, signer: TokenSigner) -> Coupon:
    """The coupon a scanned code names; a forged code, or a QR that is not a coupon, is
    refused (400) and an unknown one is 404."""
    token = signer.verify(code)
    if token is None:
        raise _forged()
    if token.kind is not TokenKind.COUPON:
        raise invalid("not_a_coupon", "Mã này không phải phiếu ưu đãi.",
                      "This code is not a coupon.", field="code")
    coupon = session.scalars(select(Coupon).where(col(Coupon.serial) == token.serial)).first()
    if coupon is None:
        raise _no_such_coupon(field="code")
    return coupon


def _refusal(coupon: Coupon, *, customer_id: int | None, now: datetime, zone: ZoneInfo
             ) -> DomainError | None:
    """Why the coupon cannot be used now by this customer, or None."""
    state = state_of(coupon, now)
    if state is CouponStatus.REVOKED:
        return _revoked()
    if state is CouponStatus.USED:
        assert coupon.used_at is not None  # what USED means
        return _used(coupon, _at(coupon.used_at, zone))
    if state is CouponStatus.EXPIRED:
        return _expired(coupon, _at(coupon.expires_at, zone))
    if None not in (coupon.customer_id, customer_id) and coupon.customer_id != customer_id:
        return _someone_elses()
    return None


def check(session: Session, *, code: str, customer_id: int | None, signer: TokenSigner,
          zone: ZoneInfo) -> Coupon:
    """The coupon, if it can be used now (by this customer); else why not."""
    coupon = find(session, code=code, signer=signer)
    refusal = _refusal(coupon, customer_id=customer_id, now=utcnow(), zone=zone)
    if refusal is not None:
        raise refusal
    return coupon


def use(session: Session, *, code: str, customer_id: int | None, staff_id: int | None,
        request_id: str, signer: TokenSigner, zone: ZoneInfo, purchase_id: int | None = None,
        now: datetime | None = None) -> Coupon:
    """Mark the coupon used, once. The same staff member's retry with the same
    `request_id` gets the coupon back as used by it; anyone else is told it was used."""
    now = now or utcnow()
    coupon = find(session, code=code, signer=signer)
    if (coupon.used_at is not None and coupon.used_by == staff_id
            and coupon.used_request_id == request_id):
        return coupon
    refusal = _refusal(coupon, customer_id=customer_id, now=now, zone=zone)
    if refusal is not None:
        raise refusal
    taken = session.execute(
        update(Coupon)
        .where(col(Coupon.id) == coupon.id, col(Coupon.used_at).is_(None),
               col(Coupon.revoked_at).is_(None),
               col(Coupon.expires_at) > now)
        .values(used_at=now, used_by=staff_id, used_customer_id=customer_id,
                used_request_id=request_id, used_purchase_id=purchase_id)
        .execution_options(synchronize_session=False))
    session.refresh(coupon)
    if cast(CursorResult, taken).rowcount != 1:  # another till used it since our read
        raise (_refusal(coupon, customer_id=customer_id, now=now, zone=zone)
               or _used(coupon, _at(now, zone)))
    return coupon


def used_with(session: Session, *, purchase_id: int, signer: TokenSigner
              ) -> CouponPublic | None:
    coupon = session.scalars(
        select(Coupon).where(col(Coupon.used_purchase_id) == purchase_id)).first()
    return to_public(coupon, signer) if coupon is not None else None


_HELD = Prepared(select(*table_of(Coupon).c).where(
    col(Coupon.customer_id) == bindparam("customer_id"), col(Coupon.used_at).is_(None),
    col(Coupon.revoked_at).is_(None), col(Coupon.expires_at) > bindparam("now"))
    .order_by(col(Coupon.expires_at)).limit(50))


def held_by(db: Executor, *, customer_id: int, signer: TokenSigner) -> list[CouponPublic]:
    """The customer's coupons that can still be used, soonest to expire first."""
    return [to_public(coupon, signer) for coupon in
            _HELD.records(db, {"customer_id": customer_id, "now": utcnow()})]


def coupons_of(session: Session, *, customer_id: int, signer: TokenSigner, limit: int = 100
               ) -> list[CouponPublic]:
    """All the customer's coupons, valid, used and expired, newest first."""
    return [to_public(coupon, signer) for coupon in session.scalars(
        select(Coupon).where(col(Coupon.customer_id) == customer_id)
        .order_by(col(Coupon.id).desc()).limit(limit))]


def revoke_of(session: Session, *, customer_id: int, now: datetime | None = None) -> None:
    """Withdraw the customer's coupons not yet used (their data is being erased): a scan
    of one is refused (`coupon_revoked`)."""
    session.execute(update(Coupon)
                    .where(col(Coupon.customer_id) == customer_id, col(Coupon.used_at).is_(None),
                           col(Coupon.revoked_at).is_(None))
                    .values(revoked_at=now or utcnow())
                    .execution_options(synchronize_session=False))


def export_rows(session: Session, *, customer_id: int) -> list[dict[str, Any]]:
    """The customer's coupons, used or not (their export)."""
    return [{"id": coupon.id, "benefit": coupon.benefit, "issued_at": coupon.issued_at,
             "expires_at": coupon.expires_at, "used_at": coupon.used_at,
             "status": state_of(coupon)}
            for coupon in session.scalars(select(Coupon)
                                          .where(col(Coupon.customer_id) == customer_id)
                                          .order_by(col(Coupon.id)))]
