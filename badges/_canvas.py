"""Palette drawing: the layouts paint palette indices, not RGB pixels.

Why: a card is a handful of flat colours plus anti-aliased text. Drawn as a palette
("P") image it is one byte a pixel instead of three, and Pillow's PNG writer compresses
palette rows without trying five row filters each: a membership card's PNG takes ~2 ms
instead of ~12 ms as RGB, which is what makes 150+ cards a second possible on one core.
The colours stay exact (no quantisation of the brand colours).

How: a `Palette` holds at most 256 colours; index 0 is pure black (the QR's dark
modules) and index 255 pure white (its light ones and its quiet zone), so a QR image
in mode "L" (0 / 255) is pasted as it is. Anti-aliased text and shapes are painted
through a "ramp": 16 shades from the background colour to the text colour, so a
coverage mask (0-255) maps to palette indices with one lookup table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from PIL import Image, ImageDraw

from .brand import BLACK, RGB, WHITE, mix
from .text import FittedText

RAMP_LEVELS = 16
_BINARY = bytes([0] + [255] * 255)  # where a coverage mask has any ink


class PaletteFull(ValueError):
    pass


@lru_cache(maxsize=64)
def _rounded_mask(width: int, height: int, radius: int) -> Image.Image:
    """Coverage of a rounded rectangle: drawn 4x larger, then reduced (anti-aliased)."""
    big = Image.new("L", (width * 4, height * 4), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, width * 4 - 1, height * 4 - 1), radius * 4,
                                          fill=255)
    return big.reduce(4)


@dataclass
class Palette:
    colours: list[RGB | None] = field(default_factory=lambda: [BLACK] + [None] * 254 + [WHITE])
    _index: dict[RGB, int] = field(default_factory=lambda: {BLACK: 0, WHITE: 255})
    _ramps: dict[tuple[RGB, RGB], bytes] = field(default_factory=dict)
    _frozen: bytes | None = None

    def freeze(self) -> None:
        """No new colours from now on: the palette of a cached template, shared by every
        image made from it (and by threads), must stay as it is."""
        self._frozen = bytes(c for colour in self.colours for c in (colour or BLACK))

    def index(self, colour: RGB) -> int:
        found = self._index.get(colour)
        if found is not None:
            return found
        if self._frozen is not None:
            raise RuntimeError(f"colour {colour} not registered in the template's palette")
        try:
            free = self.colours.index(None)
        except ValueError:
            raise PaletteFull("more than 256 colours in one layout") from None
        self.colours[free] = colour
        self._index[colour] = free
        return free

    def free(self) -> int:
        return self.colours.count(None)

    def ramp(self, fg: RGB, bg: RGB) -> bytes:
        """Lookup table: coverage 0-255 of `fg` over `bg` -> palette index."""
        key = (fg, bg)
        lut = self._ramps.get(key)
        if lut is None:
            shades = [self.index(mix(bg, fg, level / (RAMP_LEVELS - 1)))
                      for level in range(RAMP_LEVELS)]
            lut = bytes(shades[(v * (RAMP_LEVELS - 1) + 127) // 255] for v in range(256))
            self._ramps[key] = lut
        return lut

    def flat(self) -> bytes:
        if self._frozen is not None:
            return self._frozen
        return bytes(c for colour in self.colours for c in (colour or BLACK))


class Canvas:
    """An image of palette indices (mode "L" while drawing, "P" when done). A canvas may
    be a piece of a page: `origin` is its top-left corner, and drawing takes page
    coordinates."""

    def __init__(self, size: tuple[int, int], background: RGB, palette: Palette | None = None,
                 image: Image.Image | None = None, origin: tuple[int, int] = (0, 0)) -> None:
        self.palette = palette or Palette()
        self.image = image if image is not None else Image.new(
            "L", size, self.palette.index(background))
        self.origin = origin

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    def _local(self, xy: tuple[int, int]) -> tuple[int, int]:
        return (xy[0] - self.origin[0], xy[1] - self.origin[1])

    def rect(self, box: tuple[int, int, int, int], colour: RGB) -> None:
        """A filled, axis-aligned rectangle (right and bottom exclusive)."""
        x0, y0 = self._local(box[:2])
        x1, y1 = self._local(box[2:])
        self.image.paste(self.palette.index(colour), (x0, y0, x1, y1))

    def paint(self, mask: Image.Image, xy: tuple[int, int], fg: RGB, bg: RGB) -> None:
        """Paint coverage `mask` ("L") in `fg`, anti-aliased against the flat colour `bg`."""
        indices = mask.point(self.palette.ramp(fg, bg))
        self.image.paste(indices, self._local(xy), mask.point(_BINARY))

    def rounded(self, box: tuple[int, int, int, int], radius: int, fg: RGB, bg: RGB) -> None:
        """A rounded rectangle, its corners anti-aliased."""
        if radius <= 0:
            self.rect(box, fg)
            return
        self.paint(_rounded_mask(box[2] - box[0], box[3] - box[1], radius), box[:2], fg, bg)

    def text(self, fitted: FittedText, fg: RGB, bg: RGB) -> None:
        """Draw text laid out by `fit_text` in `fg` over `bg`. The text's whole ink box
        must be flat `bg` (it is replaced, which saves a mask: layouts put texts on
        flat panels)."""
        if fitted.bbox is None:
            return
        x0, y0, x1, y1 = fitted.bbox
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        draw = ImageDraw.Draw(mask)
        for line, (x, y) in zip(fitted.lines, fitted.origins, strict=True):
            draw.text((x - x0, y - y0), line, font=fitted.font, fill=255, anchor="ls")
        self.image.paste(mask.point(self.palette.ramp(fg, bg)), self._local((x0, y0)))

    def paste_rgba(self, image: Image.Image, xy: tuple[int, int], bg: RGB,
                   colours: int) -> None:
        """Paste an RGBA picture (a logo) over flat `bg` with at most `colours` colours."""
        flat = Image.new("RGB", image.size, bg)
        flat.paste(image, (0, 0), image)
        quantised = flat.quantize(colors=max(2, colours), method=Image.Quantize.MEDIANCUT,
                                  dither=Image.Dither.NONE)
        used = quantised.getpalette() or []
        lut = [self.palette.index(bg)] * 256
        # A "P" image's colours are palette indices.
        for _count, number in cast(list[tuple[int, int]], quantised.getcolors(256) or []):
            r, g, b = used[number * 3:number * 3 + 3]
            lut[number] = self.palette.index((r, g, b))
        indices = Image.frombytes("L", quantised.size, quantised.tobytes()).point(lut)
        self.image.paste(indices, self._local(xy))

    def piece(self, box: tuple[int, int, int, int]) -> Canvas:
        """A new canvas holding a copy of `box` of this one, sharing its (frozen) palette:
        draw on it with page coordinates."""
        return Canvas((box[2] - box[0], box[3] - box[1]), WHITE, self.palette,
                      self.image.crop(self._box(box)), origin=box[:2])

    def _box(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x0, y0 = self._local(box[:2])
        x1, y1 = self._local(box[2:])
        return (x0, y0, x1, y1)

    def result(self) -> Image.Image:
        """The finished image, mode "P" (drawing on this canvas must stop)."""
        image = self.image
        image.putpalette(self.palette.flat(), "RGB")
        return image

    def snapshot(self) -> Image.Image:
        """A finished copy ("P"); this canvas stays as it is."""
        image = self.image.copy()
        image.putpalette(self.palette.flat(), "RGB")
        return image
