"""One recipient's campaign message: the template filled in their language, their personal
coupon (its QR inline, as `cid:coupon-qr`) and the unsubscribe link every marketing
message carries (added at the end when the template does not place it)."""

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk_server.campaigns import templates, values
from kiosk_server.campaigns.models import Campaign
from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.text import format_number
from kiosk_server.core.types import Language
from kiosk_server.customers import contact
from kiosk_server.messaging.models import Channel

COUPON_CID = "coupon-qr"
QR_MODULE_PX = 6  # a token's symbol is 37 modules wide: 222 pixels

_FOOTER = {
    Language.VI: "Không muốn nhận tin như thế này nữa? Hủy đăng ký: {link}",
    Language.EN: "Rather not receive messages like this one? Unsubscribe: {link}",
}
_FOOTER_LINK = {Language.VI: "Hủy đăng ký nhận tin", Language.EN: "Unsubscribe"}
_COUPON = {
    Language.VI: "Phiếu ưu đãi riêng của anh/chị: {benefit}, dùng đến hết ngày {expires}. "
                 "Đưa mã QR cho thu ngân, hoặc mở: {link}",
    Language.EN: "Your own coupon: {benefit}, valid until {expires}. Show its QR at the "
                 "till, or open: {link}",
}
_SAMPLE_CODE = {Language.VI: "mã sẽ tạo khi gửi", Language.EN: "the code is made when it is sent"}


@dataclass(frozen=True)
class CouponShown:
    """A recipient's coupon as their message shows it (`qr_png` None: a preview's sample)."""

    benefit: str
    expires_at: datetime
    link: str
    qr_png: bytes | None


def unsubscribe_link(settings: Settings, signer: TokenSigner, serial: str) -> str:
    """The one-click unsubscribe address of a recipient (their row's serial, token kind U)."""
    return f"{settings.public_url.rstrip('/')}/u/{signer.sign(TokenKind.UNSUBSCRIBE, serial)}"


def day(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%d/%m/%Y}"


def values_for(standing: values.Standing, language: Language, *, unsubscribe: str,
               coupon: CouponShown | None, zone: ZoneInfo) -> templates.Values:
    """What the placeholders become for one recipient."""
    return templates.Values(
        name=standing.name, tier=standing.tier,
        points=format_number(standing.points, language), card_link=standing.card_link,
        unsubscribe_link=unsubscribe,
        coupon=coupon.benefit if coupon else "",
        coupon_expires=day(coupon.expires_at, zone) if coupon else "",
        coupon_link=coupon.link if coupon else "")


def _templates_used(campaign: Campaign, language: Language) -> tuple[set[str], set[str]]:
    """The placeholders named by the text and the HTML template `templates.render` uses."""
    _, text, body_html = templates.chosen(campaign, language)
    return templates.named(text), templates.named(body_html)


def message(campaign: Campaign, language: Language, filled: templates.Values,
            coupon: CouponShown | None) -> contact.Content:
    """The message: the rendered template, the coupon (a line in the text; in the HTML its
    QR, an HTML version being made from the text when the campaign has none) and the
    unsubscribe footer, each only where the template does not already place it."""
    content = templates.render(campaign, language, filled)
    in_text, in_html = _templates_used(campaign, language)
    text, body_html = content.text.rstrip(), content.html
    if coupon is not None and campaign.channel is Channel.EMAIL and not body_html:
        body_html = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
                            for part in text.split("\n\n") if part.strip())
        in_html = in_text
    if coupon is not None and not {"coupon", "coupon_link"} & in_text:
        text += "\n\n" + _COUPON[language].format(
            benefit=coupon.benefit, expires=filled.coupon_expires, link=coupon.link)
    if coupon is not None and body_html and f"cid:{COUPON_CID}" not in body_html:
        body_html += _coupon_block(coupon, language, filled.coupon_expires)
    if "unsubscribe_link" not in in_text:
        text += "\n\n--\n" + _FOOTER[language].format(link=filled.unsubscribe_link)
    if body_html and "unsubscribe_link" not in in_html:
        body_html += (f'<p style="font-size:12px;color:#666"><a href="'
                      f'{html.escape(filled.unsubscribe_link)}">{_FOOTER_LINK[language]}</a></p>')
    images = {COUPON_CID: coupon.qr_png} if coupon and coupon.qr_png and body_html else None
    return contact.Content(content.subject, text + "\n", body_html, images)


def _coupon_block(coupon: CouponShown, language: Language, expires: str) -> str:
    line = _COUPON[language].format(benefit=coupon.benefit, expires=expires, link="").rstrip(
        ": ")
    qr = (f'<img src="cid:{COUPON_CID}" alt="QR" width="222" height="222">'
          if coupon.qr_png else f"<em>[QR: {_SAMPLE_CODE[language]}]</em>")
    return (f"<p><strong>{html.escape(line)}</strong></p><p>{qr}</p>"
            f'<p><a href="{html.escape(coupon.link)}">{html.escape(coupon.link)}</a></p>')
