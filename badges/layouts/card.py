"""The membership card: 1011 x 638 px, 85.6 x 54 mm (ID-1 / CR80)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from .._canvas import Canvas
from ..brand import DEFAULT_BRAND, INK, MUTED, WHITE, Brand
from ..text import Box, fit_text
from ._common import (
    VI,
    Labels,
    Layered,
    Part,
    _brand_row,
    _colours,
    _qr_part,
    _Template,
    _template,
    _text_part,
)


@dataclass(frozen=True)
class CardGeometry:
    size: tuple[int, int] = (1011, 638)
    mm: tuple[float, float] = (85.6, 54.0)
    header: Box = Box(0, 0, 1011, 176)
    stripe: Box = Box(0, 176, 1011, 186)
    logo: Box = Box(48, 28, 168, 148)
    brand: Box = Box(192, 34, 660, 142)
    label: Box = Box(676, 34, 963, 142)
    name: Box = Box(48, 226, 594, 372)
    name_font: tuple[int, int] = (58, 24)  # largest, smallest size (px)
    tier: Box = Box(48, 394, 594, 450)
    number_label: Box = Box(48, 478, 594, 506)
    number: Box = Box(48, 512, 594, 572)
    qr: Box = Box(630, 246, 963, 579)


CARD = CardGeometry()


@lru_cache(maxsize=64)
def _card_template(brand: Brand, labels: Labels) -> _Template:
    g, c = CARD, _colours(brand)
    canvas = Canvas(g.size, WHITE)
    canvas.rect(g.header.tuple(), c.primary)
    canvas.rect(g.stripe.tuple(), c.accent)
    # Registered now, so every render shares this palette unchanged.
    for fg, bg in ((INK, WHITE), (c.on_accent, c.accent), (c.accent, WHITE),
                   (c.strong_on_white, WHITE), (MUTED, WHITE)):
        canvas.palette.ramp(fg, bg)
    canvas.text(fit_text(labels.membership_card, g.label, max_size=24, min_size=16,
                         bold=True, align="right"), c.label_on_primary, c.primary)
    canvas.text(fit_text(labels.member_number, g.number_label, max_size=22, min_size=14),
                MUTED, WHITE)
    _brand_row(canvas, brand, g.logo, g.brand, max_size=46, min_size=24,
               colour=c.on_primary, background=c.primary)
    return _template(canvas, c)


def membership_card_layers(*, token: str, name: str, member_number: str,
                           tier: str | None = None, brand: Brand = DEFAULT_BRAND,
                           labels: Labels = VI) -> Layered:
    """`membership_card` as a shared template plus the card's own pieces."""
    template, g = _card_template(brand, labels), CARD
    c = template.colours
    parts = [Part((0, 0), template.image, shared=True)]
    parts += _text_part(template, fit_text(name, g.name, max_size=g.name_font[0],
                                           min_size=g.name_font[1], bold=True,
                                           valign="bottom"), INK, WHITE)
    pill = _pill_part(brand, labels, tier.strip()) if tier else None
    if pill is not None:
        parts.append(pill)
    parts += _text_part(template, fit_text(member_number, g.number, max_size=44, min_size=22,
                                           bold=True, max_lines=1), c.strong_on_white, WHITE)
    parts.append(_qr_part(template, token, g.qr))
    return Layered(g.size, tuple(parts), g.mm)


def membership_card(*, token: str, name: str, member_number: str, tier: str | None = None,
                    brand: Brand = DEFAULT_BRAND, labels: Labels = VI) -> Image.Image:
    """A membership card, 1011 x 638 px (85.6 x 54 mm at 300 dpi): the business's
    name and logo on its colour, the customer's name, tier and member number, the QR."""
    return membership_card_layers(token=token, name=name, member_number=member_number,
                                  tier=tier, brand=brand, labels=labels).flatten()


@lru_cache(maxsize=256)
def _pill_part(brand: Brand, labels: Labels, text: str) -> Part | None:
    """`text` in a rounded accent pill as wide as the text, at the left of the tier box
    (cached: a brand has few tiers, so the part is shared like a template)."""
    template, box = _card_template(brand, labels), CARD.tier
    pad = box.height // 2
    inner = Box(box.x0 + pad, box.y0 + 8, box.x1 - pad, box.y1 - 8)
    fitted = fit_text(text.upper(), inner, max_size=26, min_size=16, bold=True, max_lines=1)
    if fitted.bbox is None:
        return None
    pill = (box.x0, box.y0, fitted.bbox[2] + pad, box.y1)
    piece = template.canvas.piece(pill)
    piece.rounded(pill, box.height // 2, template.colours.accent, WHITE)
    piece.text(fitted, template.colours.on_accent, template.colours.accent)
    return Part(pill[:2], piece.result(), shared=True)
