"""Invitations: for a phone screen (1080 x 1920) and for e-mail (600 px wide)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

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
class InvitationGeometry:
    """Designed at 1080 px wide; the e-mail version is the same design scaled down."""

    size: tuple[int, int] = (1080, 1920)
    panel: Box = Box(0, 0, 1080, 860)
    logo: Box = Box(90, 100, 210, 220)
    brand: Box = Box(234, 100, 990, 220)
    # The event block (accent bar, label, event name, when, venue) is stacked upwards
    # from the panel's foot, so a short event name leaves air under the brand row, not
    # under the venue. Each text fits into a box of this height, inside `event_block`.
    event_block: Box = Box(90, 230, 990, 796)
    bar: Box = Box(90, 0, 170, 10)  # width and height only
    label: Box = Box(90, 0, 990, 50)
    event: Box = Box(90, 0, 990, 250)
    when: Box = Box(90, 0, 990, 56)
    venue: Box = Box(90, 0, 990, 96)
    invited: Box = Box(90, 918, 990, 964)
    name: Box = Box(90, 976, 990, 1140)
    name_font: tuple[int, int] = (72, 40)
    qr: Box = Box(244, 1170, 836, 1762)
    caption: Box = Box(90, 1784, 990, 1856)
    stripe: Box = Box(0, 1896, 1080, 1920)

    def scaled(self, factor: float) -> InvitationGeometry:
        boxes = {name: getattr(self, name).scaled(factor) for name in self.__dataclass_fields__
                 if name not in ("size", "name_font")}
        return InvitationGeometry(
            size=(round(self.size[0] * factor), round(self.size[1] * factor)),
            name_font=(round(self.name_font[0] * factor), round(self.name_font[1] * factor)),
            **boxes)


class _Fit(TypedDict, total=False):
    """How `fit_text` fits one text of the event block."""

    max_size: int
    min_size: int
    bold: bool
    max_lines: int


INVITATION = InvitationGeometry()
EMAIL_WIDTH = 600
INVITATION_EMAIL = INVITATION.scaled(EMAIL_WIDTH / INVITATION.size[0])


@lru_cache(maxsize=32)
def _invitation_template(brand: Brand, labels: Labels, scale: float, event_name: str,
                         when: str, venue: str) -> tuple[_Template, InvitationGeometry]:
    g = INVITATION if scale == 1 else INVITATION_EMAIL
    c = _colours(brand)

    def px(size: int) -> int:
        return max(8, round(size * scale))

    canvas = Canvas(g.size, WHITE)
    canvas.rect(g.panel.tuple(), c.primary)
    canvas.rect(g.stripe.tuple(), c.accent)
    canvas.palette.ramp(INK, WHITE)
    block = g.event_block
    y = block.y1
    for text, height, colour, gap, fit in (
            (venue, g.venue, c.on_primary_soft, px(14),
             _Fit(max_size=px(32), min_size=px(22))),
            (when, g.when, c.on_primary, px(40),
             _Fit(max_size=px(38), min_size=px(24), max_lines=1)),
            (event_name, g.event, c.on_primary, px(22),
             _Fit(max_size=px(78), min_size=px(40), bold=True, max_lines=3)),
            (labels.invitation, g.label, c.label_on_primary, px(26),
             _Fit(max_size=px(34), min_size=px(20), bold=True, max_lines=1))):
        fitted = fit_text(text, Box(block.x0, y - height.height, block.x1, y),
                          valign="bottom", **fit)
        if fitted.bbox is not None:
            canvas.text(fitted, colour, c.primary)
            y = fitted.bbox[1] - gap
    canvas.rect((g.bar.x0, y - g.bar.height, g.bar.x1, y), c.accent)
    canvas.text(fit_text(labels.invited, g.invited, max_size=px(32), min_size=px(20),
                         max_lines=1, align="center"), MUTED, WHITE)
    canvas.text(fit_text(labels.show_code, g.caption, max_size=px(28), min_size=px(18),
                         align="center", valign="top"), MUTED, WHITE)
    _brand_row(canvas, brand, g.logo, g.brand, max_size=px(44), min_size=px(26),
               colour=c.on_primary, background=c.primary)
    return _template(canvas, c), g


def _invitation(scale: float, token: str, guest_name: str, event_name: str, when: str,
                venue: str, brand: Brand, labels: Labels) -> Image.Image:
    template, g = _invitation_template(brand, labels, scale, event_name, when, venue)
    parts = [Part((0, 0), template.image, shared=True)]
    parts += _text_part(template, fit_text(guest_name, g.name, max_size=g.name_font[0],
                                           min_size=g.name_font[1], bold=True,
                                           align="center"), INK, WHITE)
    parts.append(_qr_part(template, token, g.qr))
    return Layered(g.size, tuple(parts)).flatten()


def invitation_phone(*, token: str, guest_name: str, event_name: str, when: str,
                     venue: str, brand: Brand = DEFAULT_BRAND,
                     labels: Labels = VI) -> Image.Image:
    """An invitation to show on a phone, 1080 x 1920 px. `when` and `venue` are printed
    as given (e.g. "18:00 · Thứ Sáu, 12/06/2026")."""
    return _invitation(1, token, guest_name, event_name, when, venue, brand, labels)


def invitation_email(*, token: str, guest_name: str, event_name: str, when: str,
                     venue: str, brand: Brand = DEFAULT_BRAND,
                     labels: Labels = VI) -> Image.Image:
    """The same invitation for an e-mail body, 600 x 1067 px."""
    return _invitation(EMAIL_WIDTH / INVITATION.size[0], token, guest_name, event_name,
                       when, venue, brand, labels)
