"""Layouts: pure functions from data to a Pillow image with the token's QR on it.

Every layout returns a palette image (mode "P", at most 256 exact colours; see
`_canvas`): `export.png_bytes` writes it as it is, `image.convert("RGB")` gives RGB.
Print layouts are drawn at 300 dpi; their exact paper size is in `image.info["dpi"]`
(e.g. 1240 px over 105 mm: 299.96 dpi), which the PNG and PDF writers use.

| layout | size (px) | physical |
|---|---|---|
| `membership_card` | 1011 x 638 | 85.6 x 54 mm (ID-1 / CR80 card) |
| `invitation_phone` | 1080 x 1920 | a phone screen (9:16) |
| `invitation_email` | 600 x 1067 | the usual e-mail width |
| `event_badge` | 1240 x 1748 | A6, 105 x 148 mm |
| `a4_sheet` | 2480 x 3508 | A4, four A6 badges with cut marks |

Speed: everything that does not depend on the person (background, panels, logo,
business name, labels, the event's texts) is drawn once per brand / event into a cached
template; a render draws only the name, the other personal texts and the QR, each on a
small piece cut from the template. The result is a `Layered` image: the shared template
plus those pieces. `.flatten()` pastes them onto a copy of the template (what the
public functions return); the PDF writer instead stores the template once for the whole
document and only the pieces on each page (`event_badge_layers`, `a4_sheet_layers`).

All texts go through `text.fit_text`: long names shrink, then wrap onto two lines, then
(only if still too long at the smallest size) end with '…'; they never leave their box.
The boxes are public (`CARD`, `INVITATION`, `BADGE`) so callers and tests can check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from ._canvas import Canvas
from .brand import DEFAULT_BRAND, INK, MUTED, RGB, WHITE, Brand, mix, readable, text_on
from .qr import qr_fitting
from .text import Box, FittedText, fit_text

DPI = 300
LOGO_COLOURS = 64


@dataclass(frozen=True)
class Labels:
    """The fixed words printed on the layouts (Vietnamese by default; `EN` in English)."""

    membership_card: str = "THẺ THÀNH VIÊN"
    member_number: str = "MÃ THÀNH VIÊN"
    invitation: str = "THƯ MỜI"
    invited: str = "Trân trọng kính mời"
    show_code: str = "Xuất trình mã QR này tại quầy check-in"
    guest: str = "KHÁCH MỜI"


VI = Labels()
EN = Labels(membership_card="MEMBERSHIP CARD", member_number="MEMBER NUMBER",
            invitation="INVITATION", invited="We are delighted to invite",
            show_code="Show this QR code at the check-in desk", guest="GUEST")


@dataclass(frozen=True)
class _Colours:
    primary: RGB
    accent: RGB
    on_primary: RGB  # text on the primary panel
    on_primary_soft: RGB  # secondary text on the primary panel
    label_on_primary: RGB  # the accent if it reads on the panel
    on_accent: RGB
    strong_on_white: RGB  # the primary if it reads on white, else ink


def _colours(brand: Brand) -> _Colours:
    primary, accent = brand.primary_rgb, brand.accent_rgb
    on_primary = text_on(primary)
    return _Colours(primary=primary, accent=accent, on_primary=on_primary,
                    on_primary_soft=mix(on_primary, primary, 0.22),
                    label_on_primary=readable(accent, primary),
                    on_accent=text_on(accent), strong_on_white=readable(primary, WHITE, 4.5))


def _brand_row(canvas: Canvas, brand: Brand, logo: Box, name: Box, *, max_size: int,
               min_size: int, colour: RGB, background: RGB) -> None:
    """The logo (if any, fitted into `logo`) and the business name beside it."""
    image = brand.logo_image()
    if image is not None:
        fitted = image.copy()
        fitted.thumbnail((logo.width, logo.height), Image.Resampling.LANCZOS)
        xy = (logo.x0 + (logo.width - fitted.width) // 2,
              logo.y0 + (logo.height - fitted.height) // 2)
        colours = max(2, min(LOGO_COLOURS, canvas.palette.free() - 2))
        canvas.paste_rgba(fitted, xy, background, colours)
    else:
        name = Box(logo.x0, name.y0, name.x1, name.y1)
    canvas.text(fit_text(brand.name, name, max_size=max_size, min_size=min_size, bold=True,
                         max_lines=2), colour, background)


@dataclass(frozen=True)
class Part:
    """One image of a `Layered` one, its top-left corner at `xy`. `shared`: the same
    image object is used by many pages (a template); a PDF stores it only once."""

    xy: tuple[int, int]
    image: Image.Image
    shared: bool = False


@dataclass(frozen=True)
class Layered:
    """An image made of parts drawn in order over white: a shared template, then the
    small pieces that differ (names, the QR). `mm`: its size on paper, if it is a print
    layout (then a PDF page is exactly that size)."""

    size: tuple[int, int]
    parts: tuple[Part, ...]
    mm: tuple[float, float] | None = None

    @property
    def dpi(self) -> tuple[float, float] | None:
        """Pixels per inch along x and y that give `mm` (about 300 for print layouts)."""
        if self.mm is None:
            return None
        return (self.size[0] * 25.4 / self.mm[0], self.size[1] * 25.4 / self.mm[1])

    def flatten(self) -> Image.Image:
        """One image: mode "P" if all parts share one palette (a layout's parts do),
        else "RGB"."""
        palettes = {bytes(part.image.getpalette() or b"") if part.image.mode == "P" else None
                    for part in self.parts}
        first = self.parts[0] if self.parts else None
        if len(palettes) == 1 and None not in palettes and first is not None:
            if first.xy == (0, 0) and first.image.size == self.size:
                image, rest = first.image.copy(), self.parts[1:]
            else:  # index 255 is white in every layout palette
                image, rest = Image.new("P", self.size, 255), self.parts
                image.putpalette(first.image.getpalette() or [], "RGB")
            for part in rest:
                image.paste(part.image, part.xy)
        else:
            image = Image.new("RGB", self.size, WHITE)
            for part in self.parts:
                image.paste(part.image.convert("RGB"), part.xy)
        if self.dpi is not None:
            image.info["dpi"] = self.dpi  # the physical size, for PNG and PDF
        return image


@dataclass(frozen=True)
class _Template:
    canvas: Canvas  # palette indices, frozen palette; never drawn on again
    image: Image.Image  # the same as a "P" image: the shared part
    colours: _Colours


def _template(canvas: Canvas, colours: _Colours) -> _Template:
    canvas.palette.freeze()
    return _Template(canvas, canvas.snapshot(), colours)


def _text_part(template: _Template, fitted: FittedText, fg: RGB, bg: RGB) -> list[Part]:
    """The text drawn on a piece of the template as big as its ink (none if empty)."""
    if fitted.bbox is None:
        return []
    piece = template.canvas.piece(fitted.bbox)
    piece.text(fitted, fg, bg)
    return [Part(fitted.bbox[:2], piece.result())]


def _qr_part(template: _Template, token: str, box: Box) -> Part:
    """The QR, centred in its (square) box, black on white with its quiet zone: its
    0 / 255 values are palette indices 0 (black) and 255 (white)."""
    qr = qr_fitting(token, min(box.width, box.height)).copy()
    qr.putpalette(template.canvas.palette.flat(), "RGB")
    return Part((box.x0 + (box.width - qr.width) // 2, box.y0 + (box.height - qr.height) // 2),
                qr)


# --------------------------------------------------------------------------- card

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


# --------------------------------------------------------------------------- invitation

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
             dict(max_size=px(32), min_size=px(22))),
            (when, g.when, c.on_primary, px(40),
             dict(max_size=px(38), min_size=px(24), max_lines=1)),
            (event_name, g.event, c.on_primary, px(22),
             dict(max_size=px(78), min_size=px(40), bold=True, max_lines=3)),
            (labels.invitation, g.label, c.label_on_primary, px(26),
             dict(max_size=px(34), min_size=px(20), bold=True, max_lines=1))):
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


# --------------------------------------------------------------------------- badge

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
