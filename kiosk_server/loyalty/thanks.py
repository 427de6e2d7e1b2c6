"""The thank-you coupon: a customer who answers for a visit (first answer, any rating) gets
a coupon for their next visit, when the shop turned this on. Registered with feedback at
start-up (main.py) as its `ThanksGiver`; one coupon per visit, which the database enforces
(`coupons.thanks_request_id` is unique)."""


from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from badges import export, qr
from kiosk_server.core.signing import TokenSigner
from kiosk_server.feedback.hooks import ThanksAsked
from kiosk_server.feedback.models import ThankYouCoupon
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty.models import Coupon, CouponCreate, CouponStatus


def _shown(coupon: Coupon, signer: TokenSigner) -> ThankYouCoupon:
    public = coupons.to_public(coupon, signer)
    png = export.png_bytes(qr.qr_image(public.code, module_size=8))
    return ThankYouCoupon(code=public.code, benefit=public.benefit,
                          expires_at=public.expires_at,
                          used=public.status is CouponStatus.USED,
                          qr_png=export.png_data_url(png))


def _of_request(session: Session, request_id: int) -> Coupon | None:
    return session.scalars(select(Coupon)
                           .where(col(Coupon.thanks_request_id) == request_id)).first()


class ThankYouCoupons:
    """Issues and finds the coupons that thank for an answer (feedback's `ThanksGiver`)."""

    def give(self, session: Session, asked: ThanksAsked, signer: TokenSigner
             ) -> ThankYouCoupon:
        found = _of_request(session, asked.request_id)
        if found is None:
            try:
                with session.begin_nested():
                    found = coupons.issue(
                        session, customer_id=asked.customer_id, issued_by=None,
                        thanks_request_id=asked.request_id,
                        data=CouponCreate(benefit=asked.benefit, valid_days=asked.valid_days))
            except IntegrityError:  # issued for this visit at the same moment: that one
                found = _of_request(session, asked.request_id)
                assert found is not None  # what the clash means
        return _shown(found, signer)

    def given(self, session: Session, request_id: int, signer: TokenSigner
              ) -> ThankYouCoupon | None:
        found = _of_request(session, request_id)
        return _shown(found, signer) if found is not None else None
