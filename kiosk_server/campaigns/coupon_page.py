"""The coupon page (/v/<code>): the link a campaign's message gives a recipient with their
personal coupon. It shows what the coupon gives, until when, whether it can still be used
(valid, used, expired, withdrawn) and, while it can, its QR to show at the till, where
using it credits the campaign (the recipient's `coupon_id`, then the sale it was used
with). No sign-in: the signed code is the credential. A code whose signature does not
hold, or that is not a coupon's, is refused before any database lookup
(`coupons.find`); it and an unknown coupon get the same page, saying the coupon is not
valid (404)."""

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from badges import export, qr
from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep
from kiosk_server.core.errors import DomainError
from kiosk_server.core.signing import TokenSigner
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty.models import CouponStatus
from kiosk_ui import page

router = APIRouter(tags=["campaigns"])
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class ShownCoupon:
    benefit: str
    status: CouponStatus
    expires_at: str  # ISO 8601, UTC: the page writes it in the shop's time
    used_at: str  # "" unless used
    qr_png: str  # a data: URL; "" unless it can be used


def shown(session: Session, *, code: str, signer: TokenSigner) -> ShownCoupon:
    """The coupon a code names, as its page shows it (DomainError for a forged code, one
    that is not a coupon's, or an unknown coupon)."""
    coupon = coupons.to_public(coupons.find(session, code=code, signer=signer), signer)
    usable = coupon.status is CouponStatus.VALID
    # The bare code, as the card page's coupons show it: the till reads it (or a link
    # ending in it) and the QR stays small.
    png = export.png_bytes(qr.qr_image(coupon.code, module_size=10)) if usable else b""
    return ShownCoupon(
        benefit=coupon.benefit, status=coupon.status,
        expires_at=coupon.expires_at.isoformat(),
        used_at=coupon.used_at.isoformat() if coupon.used_at else "",
        qr_png=export.png_data_url(png) if usable else "")


@router.get("/v/{code}", response_class=HTMLResponse, include_in_schema=False)
@router.get("/V/{code}", response_class=HTMLResponse, include_in_schema=False)
def coupon_page(code: str, session: SessionDep, signer: SignerDep, settings: SettingsDep
                ) -> Response:
    """Public (the signed code is the credential). A recipient's coupon: what it gives,
    until when, whether it can still be used, and its QR while it can."""
    try:
        found = shown(session, code=code, signer=signer)
    except DomainError:
        return HTMLResponse(page("coupon-invalid.html", business=settings.business_name,
                                 colour=settings.brand_primary),
                            status_code=404, headers=PRIVATE)
    return HTMLResponse(page("coupon.html", business=settings.business_name,
                             colour=settings.brand_primary, timezone=settings.timezone,
                             benefit=found.benefit, status=found.status.value,
                             expires_at=found.expires_at, used_at=found.used_at,
                             qr=found.qr_png), headers=PRIVATE)
