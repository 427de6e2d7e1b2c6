"""Name badges: A6 (1240 x 1748 px) one per page, and four to an A4 sheet with cut marks."""

from __future__ import annotations

from collections.abc import Sequence
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
class BadgeGeometry:
    """A6 at 300 dpi with a 5 mm white frame (what an office printer cannot reach on a
    4-up A4 sheet), a header panel and a ribbon at the foot."""

    size: tuple[int, int] = (1240, 1748)
    mm: tuple[float, float] = (105.0, 148.0)
    panel: Box = Box(59, 59, 1181, 540)
    logo: Box = Box(107, 107, 227, 227)
    brand: Box = Box(251, 107, 1133, 227)
    bar: Box = Box(107, 262, 187, 272)
    event: Box = Box(107, 300, 1133, 504)
    name: Box = Box(107, 588, 1133, 884)
    name_font: tuple[int, int] = (128, 44)
    name_alone: Box = Box(107, 600, 1133, 1000)  # when there is no title nor company
    title: Box = Box(107, 900, 1133, 962)
    company: Box = Box(107, 966, 1133, 1032)
    subtitle: Box = Box(107, 910, 1133, 1020)  # the title or the company alone
    qr: Box = Box(380, 1068, 861, 1549)
    ribbon: Box = Box(59, 1592, 1181, 1689)
    ribbon_text: Box = Box(107, 1602, 1133, 1679)


BADGE = BadgeGeometry()


@lru_cache(maxsize=64)
def _badge_template(brand: Brand, labels: Labels, event_name: str,
                    ribbon: str) -> _Template:
    g, c = BADGE, _colours(brand)
    canvas = Canvas(g.size, WHITE)
    canvas.rounded(g.panel.tuple(), 32, c.primary, WHITE)
    canvas.rect(g.bar.tuple(), c.accent)
    canvas.rounded(g.ribbon.tuple(), 32, c.accent, WHITE)
    for fg in (INK, MUTED, c.strong_on_white):
        canvas.palette.ramp(fg, WHITE)
    canvas.text(fit_text(event_name, g.event, max_size=66, min_size=36, bold=True,
                         max_lines=3), c.on_primary, c.primary)
    canvas.text(fit_text(ribbon.upper(), g.ribbon_text, max_size=54, min_size=28, bold=True,
                         max_lines=1, align="center"), c.on_accent, c.accent)
    _brand_row(canvas, brand, g.logo, g.brand, max_size=44, min_size=26,
               colour=c.on_primary, background=c.primary)
    return _template(canvas, c)


def event_badge_layers(*, token: str, name: str, event_name: str, company: str | None = None,
                       title: str | None = None, ribbon: str | None = None,
                       brand: Brand = DEFAULT_BRAND, labels: Labels = VI) -> Layered:
    """`event_badge` as the event's shared template plus the guest's pieces: what
    `export` needs to write a PDF of hundreds of badges fast (and small)."""
    g = BADGE
    template = _badge_template(brand, labels, event_name, ribbon or labels.guest)
    c = template.colours
    title = (title or "").strip()
    company = (company or "").strip()
    parts = [Part((0, 0), template.image, shared=True)]
    name_box = g.name if (title or company) else g.name_alone
    parts += _text_part(template, fit_text(name, name_box, max_size=g.name_font[0],
                                           min_size=g.name_font[1], bold=True,
                                           align="center"), INK, WHITE)
    if title and company:
        parts += _text_part(template, fit_text(title, g.title, max_size=42, min_size=26,
                                               max_lines=1, align="center"), MUTED, WHITE)
        parts += _text_part(template, fit_text(company, g.company, max_size=44, min_size=26,
                                               bold=True, max_lines=1, align="center"),
                            c.strong_on_white, WHITE)
    elif title:
        parts += _text_part(template, fit_text(title, g.subtitle, max_size=44, min_size=26,
                                               align="center"), MUTED, WHITE)
    elif company:
        parts += _text_part(template, fit_text(company, g.subtitle, max_size=44,
                                               min_size=26, bold=True, align="center"),
                            c.strong_on_white, WHITE)
    parts.append(_qr_part(template, token, g.qr))
    return Layered(g.size, tuple(parts), g.mm)


def event_badge(*, token: str, name: str, event_name: str, company: str | None = None,
                title: str | None = None, ribbon: str | None = None,
                brand: Brand = DEFAULT_BRAND, labels: Labels = VI) -> Image.Image:
    """A name badge, A6 portrait (1240 x 1748 px at 300 dpi): the event under the
    business's name, the guest's name large, title and company if given, the QR, and
    `ribbon` in the foot band ("VIP", "Diễn giả"; by default `labels.guest`)."""
    return event_badge_layers(token=token, name=name, event_name=event_name, company=company,
                              title=title, ribbon=ribbon, brand=brand,
                              labels=labels).flatten()


# --------------------------------------------------------------------------- A4 sheet

A4 = (2480, 3508)
A4_MM = (210.0, 297.0)
SHEET_SLOTS = ((0, 6), (1240, 6), (0, 1754), (1240, 1754))  # four A6, centred on A4
CUT_MARK = (0x9A, 0xA3, 0xAD)


def a4_sheet_layers(badges: Sequence[Layered | Image.Image]) -> Layered:
    """`a4_sheet` as parts: each badge's parts moved to its place (a shared template
    stays shared: a PDF stores it once however many pages show it), then the cut marks."""
    if not 1 <= len(badges) <= 4:
        raise ValueError("an A4 sheet holds 1 to 4 badges")
    parts: list[Part] = []
    for badge, (x, y) in zip(badges, SHEET_SLOTS, strict=False):
        if isinstance(badge, Image.Image):
            badge = Layered(badge.size, (Part((0, 0), badge),))
        if badge.size != BADGE.size:
            raise ValueError(f"badge size {badge.size}, expected {BADGE.size}")
        parts += [Part((x + part.xy[0], y + part.xy[1]), part.image, part.shared)
                  for part in badge.parts]
    first = parts[0].image
    palette = bytes(first.getpalette() or b"") if first.mode == "P" else b""
    for box in _cut_mark_boxes():
        parts.append(Part(box[:2], _cut_mark(palette, box[2] - box[0], box[3] - box[1]),
                          shared=True))
    return Layered(A4, tuple(parts), A4_MM)


def a4_sheet(badges: Sequence[Layered | Image.Image]) -> Image.Image:
    """Up to four A6 badges (1240 x 1748) on an A4 page (2480 x 3508 px, 300 dpi) for an
    office printer, with cut marks on the two cut lines. A6 is a quarter of A4, so the
    badges keep their exact size; what the printer cannot reach near the paper edge is
    the badges' white frame. A palette image if the badges share one palette (same brand
    and event), else RGB."""
    return a4_sheet_layers(badges).flatten()


def _cut_mark_boxes() -> list[tuple[int, int, int, int]]:
    """Short hairlines (2 px = 0.17 mm) where the cut lines x = 1240 and y = 1754 meet the
    page edges, and a cross where they meet; all of it in the badges' white frames."""
    x, y = A4[0] // 2, SHEET_SLOTS[2][1]
    top, bottom = SHEET_SLOTS[0][1], SHEET_SLOTS[2][1] + BADGE.size[1]
    length, inset = 40, 8
    return [(x - 1, top + inset, x + 1, top + inset + length),
            (x - 1, bottom - inset - length, x + 1, bottom - inset),
            (inset, y - 1, inset + length, y + 1),
            (A4[0] - inset - length, y - 1, A4[0] - inset, y + 1),
            (x - length, y - 1, x + length, y + 1),
            (x - 1, y - length, x + 1, y + length)]


@lru_cache(maxsize=256)
def _cut_mark(palette: bytes, width: int, height: int) -> Image.Image:
    """A grey mark: in `palette`'s nearest colour, or RGB if there is no palette."""
    if not palette:
        return Image.new("RGB", (width, height), CUT_MARK)
    colours = [tuple(palette[i:i + 3]) for i in range(0, len(palette) - 2, 3)]
    nearest = min(range(len(colours)), key=lambda index: sum(
        (a - b) ** 2 for a, b in zip(colours[index], CUT_MARK, strict=True)))
    mark = Image.new("P", (width, height), nearest)
    mark.putpalette(palette, "RGB")
    return mark
