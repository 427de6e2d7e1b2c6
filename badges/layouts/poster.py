"""The registration poster: A4 (2480 x 3508 px at 300 dpi), a big QR of the sign-up form's
link, what to do in Vietnamese and, smaller, in English."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from .._canvas import Canvas
from ..brand import DEFAULT_BRAND, INK, MUTED, WHITE, Brand
from ..text import Box, fit_text
from ._common import Layered, Part, _brand_row, _colours, _qr_part, _template


@dataclass(frozen=True)
class PosterGeometry:
    size: tuple[int, int] = (2480, 3508)
    mm: tuple[float, float] = (210.0, 297.0)
    panel: Box = Box(0, 0, 2480, 560)
    stripe: Box = Box(0, 560, 2480, 600)
    logo: Box = Box(180, 160, 420, 400)
    brand: Box = Box(460, 150, 2300, 410)
    headline: Box = Box(180, 700, 2300, 1020)
    subtitle: Box = Box(180, 1040, 2300, 1200)
    qr: Box = Box(540, 1260, 1940, 2660)
    steps: Box = Box(180, 2720, 2300, 2960)
    english: Box = Box(180, 2990, 2300, 3200)
    foot: Box = Box(0, 3428, 2480, 3508)


POSTER = PosterGeometry()


@dataclass(frozen=True)
class PosterWords:
    """What the poster says; the Vietnamese large, the English under it, smaller."""

    headline: str
    subtitle: str = ""
    steps: str = "Quét mã QR bằng điện thoại, điền tên và số điện thoại: thẻ thành viên " \
                 "của bạn hiện ra ngay."
    english: str = "Scan the QR code with your phone to become a member / register: your " \
                   "card appears at once."


SHOP = PosterWords(headline="Quét mã để trở thành thành viên",
                   subtitle="Scan to become a member")


def event_words(event_name: str) -> PosterWords:
    return PosterWords(headline=f"Quét mã để đăng ký: {event_name}",
                       subtitle="Scan to register",
                       steps="Quét mã QR bằng điện thoại và điền tên, số điện thoại: khi cửa "
                             "đã mở, bạn được check-in ngay.",
                       english="Scan the QR code with your phone and fill in your name and "
                               "phone: once the doors are open you are checked in at once.")


def registration_poster(*, link: str, words: PosterWords = SHOP,
                        brand: Brand = DEFAULT_BRAND) -> Image.Image:
    """The A4 poster whose QR holds `link` (the form's page)."""
    g, c = POSTER, _colours(brand)
    canvas = Canvas(g.size, WHITE)
    canvas.rect(g.panel.tuple(), c.primary)
    canvas.rect(g.stripe.tuple(), c.accent)
    canvas.rect(g.foot.tuple(), c.primary)
    _brand_row(canvas, brand, g.logo, g.brand, max_size=150, min_size=80,
               colour=c.on_primary, background=c.primary)
    canvas.text(fit_text(words.headline, g.headline, max_size=150, min_size=80, bold=True,
                         max_lines=2, align="center"), c.strong_on_white, WHITE)
    canvas.text(fit_text(words.subtitle, g.subtitle, max_size=90, min_size=50, max_lines=1,
                         align="center"), MUTED, WHITE)
    canvas.text(fit_text(words.steps, g.steps, max_size=72, min_size=44, max_lines=3,
                         align="center"), INK, WHITE)
    canvas.text(fit_text(words.english, g.english, max_size=52, min_size=34, max_lines=3,
                         align="center"), MUTED, WHITE)
    template = _template(canvas, c)
    parts = (Part((0, 0), template.image), _qr_part(template, link, g.qr))
    return Layered(g.size, parts, mm=g.mm).flatten()
