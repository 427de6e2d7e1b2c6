"""What every layout shares: labels, colours, the brand row, the layered image and
its parts (texts and the QR cut from a cached template)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from .._canvas import Canvas
from ..brand import RGB, WHITE, Brand, mix, readable, text_on
from ..qr import qr_fitting
from ..text import Box, FittedText, fit_text

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
