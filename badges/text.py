"""The shipped fonts, and the one helper that fits a text into a box (used by all layouts).

Only the DejaVu Sans files inside this package are ever loaded, never a font the machine
happens to have, so a badge looks the same everywhere and every Vietnamese letter has a
glyph. Text is laid out with Pillow's basic layout engine (no dependence on whether
libraqm is installed) after NFC normalisation, so a name typed with combining accents
("Nguye\u0302\u0303n") is drawn with the precomposed glyphs ("Nguyễn").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}
ELLIPSIS = "\u2026"
# Every Vietnamese capital with stacked marks and every descender: the tallest and the
# deepest ink a line of Vietnamese can have. Lines are placed on baselines from these
# extents, so names line up the same way whatever accents they carry.
_PROBE = "ẤẦẨẪẬỂỄỀẾỖỔỐỒỰỮỬỨỪĐÁgjpqyỵậ"

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: left, top inclusive; right, bottom exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def contains(self, bbox: tuple[int, int, int, int]) -> bool:
        return (self.x0 <= bbox[0] and self.y0 <= bbox[1]
                and bbox[2] <= self.x1 and bbox[3] <= self.y1)

    def scaled(self, factor: float) -> Box:
        return Box(round(self.x0 * factor), round(self.y0 * factor),
                   round(self.x1 * factor), round(self.y1 * factor))

    def tuple(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class FittedText:
    """Where each line goes: `origins` are baseline-left points (Pillow anchor "ls");
    `bbox` is the union of the lines' ink, always inside the box it was fitted to."""

    lines: tuple[str, ...]
    size: int
    bold: bool
    origins: tuple[tuple[int, int], ...]
    bbox: tuple[int, int, int, int] | None  # None for an empty text

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return font(self.size, self.bold)


@lru_cache(maxsize=512)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The shipped DejaVu Sans (bold or regular) at `size` pixels, cached."""
    return ImageFont.truetype(str(FONT_FILES[bold]), size,
                              layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=1024)
def _extents(size: int, bold: bool) -> tuple[int, int]:
    """(ascent, descent) of the tallest and deepest Vietnamese ink, from the baseline."""
    _, top, _, bottom = font(size, bold).getbbox(_PROBE, anchor="ls")
    return -int(top), int(bottom)  # whole pixels: Pillow types them as float for a stroke


@lru_cache(maxsize=8192)
def _ink(text: str, size: int, bold: bool) -> tuple[int, int, int, int]:
    """The ink box of one line drawn with its origin (anchor "ls") at (0, 0)."""
    left, top, right, bottom = font(size, bold).getbbox(text, anchor="ls")
    return int(left), int(top), int(right), int(bottom)  # as in _extents


def _width(text: str, size: int, bold: bool) -> int:
    x0, _, x1, _ = _ink(text, size, bold)
    return x1 - x0


def clean(text: str) -> str:
    """NFC, single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(text.split())


def _balanced_split(words: list[str], lines: int, size: int, bold: bool) -> list[str]:
    """`words` in at most `lines` lines with the narrowest widest line (exhaustive over
    break points for 2 lines; greedy by target width beyond)."""
    if lines <= 1 or len(words) <= 1:
        return [" ".join(words)]
    if lines == 2:
        best: list[str] = []
        best_width = None
        for cut in range(1, len(words)):
            candidate = [" ".join(words[:cut]), " ".join(words[cut:])]
            widest = max(_width(line, size, bold) for line in candidate)
            if best_width is None or widest < best_width:
                best, best_width = candidate, widest
        return best
    total = _width(" ".join(words), size, bold)
    target = total / lines
    result: list[str] = []
    current: list[str] = []
    for index, word in enumerate(words):
        remaining_words = len(words) - index
        remaining_lines = lines - len(result)
        trial = " ".join([*current, word])
        if current and (_width(trial, size, bold) > target * 1.08
                        or remaining_words < remaining_lines):
            result.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    result.append(" ".join(current))
    if len(result) > lines:  # fold the overflow into the last line
        result = [*result[:lines - 1], " ".join(result[lines - 1:])]
    return result


def _ellipsize(line: str, width: int, size: int, bold: bool) -> str:
    """`line` cut at a word (or letter) boundary with '…' so it is at most `width` wide."""
    if _width(line, size, bold) <= width:
        return line
    words = line.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:-") + ELLIPSIS
        if _width(candidate, size, bold) <= width:
            return candidate
    word = words[0]
    while word:
        word = word[:-1]
        candidate = word + ELLIPSIS
        if _width(candidate, size, bold) <= width:
            return candidate
    return ""


def _block_height(lines: int, size: int, bold: bool, leading: float) -> int:
    ascent, descent = _extents(size, bold)
    return ascent + descent + (lines - 1) * round(size * leading)


def _place(lines: list[str], size: int, bold: bool, box: Box, align: Align, valign: VAlign,
           leading: float) -> FittedText:
    ascent, descent = _extents(size, bold)
    step = round(size * leading)
    height = ascent + descent + (len(lines) - 1) * step
    if valign == "top":
        top = box.y0
    elif valign == "bottom":
        top = box.y1 - height
    else:
        top = box.y0 + (box.height - height) // 2
    origins: list[tuple[int, int]] = []
    inks: list[tuple[int, int, int, int]] = []
    for number, line in enumerate(lines):
        x0, y0, x1, y1 = _ink(line, size, bold)
        baseline = top + ascent + number * step
        if align == "left":
            x = box.x0 - x0
        elif align == "right":
            x = box.x1 - x1
        else:
            x = box.x0 + (box.width - (x1 - x0)) // 2 - x0
        origins.append((x, baseline))
        inks.append((x + x0, baseline + y0, x + x1, baseline + y1))
    bbox = (min(b[0] for b in inks), min(b[1] for b in inks),
            max(b[2] for b in inks), max(b[3] for b in inks))
    return FittedText(tuple(lines), size, bold, tuple(origins), bbox)


def fit_text(text: str, box: Box, *, max_size: int, min_size: int, bold: bool = False,
             max_lines: int = 2, align: Align = "left", valign: VAlign = "middle",
             leading: float = 1.18) -> FittedText:
    """Lay `text` out inside `box`: on one line at the largest size from `max_size` down to
    `min_size` that fits; else wrapped (balanced) on up to `max_lines` lines at the largest
    size that fits; else at `min_size` on `max_lines` lines, the last one cut with '…'.
    The drawn ink never leaves the box."""
    text = clean(text)
    if not text:
        return FittedText((), max_size, bold, (), None)
    words = text.split(" ")
    for lines in range(1, max_lines + 1):
        if lines > len(words):
            break
        # The largest size whose lines fit: estimate from the width at max_size (width
        # grows about linearly with size), then step down until it really fits.
        split = _balanced_split(words, lines, max_size, bold)
        widest = max(_width(line, max_size, bold) for line in split)
        size = min(max_size, int(max_size * box.width / max(1, widest)) + 1)
        while size >= min_size:
            if _block_height(lines, size, bold, leading) <= box.height:
                split = _balanced_split(words, lines, size, bold)
                if max(_width(line, size, bold) for line in split) <= box.width:
                    fitted = _place(split, size, bold, box, align, valign, leading)
                    if fitted.bbox is not None and box.contains(fitted.bbox):
                        return fitted
            size -= 1
    # Too long even at min_size: wrap on max_lines lines, cut the last one.
    size = min_size
    while size > 4 and _block_height(1, size, bold, leading) > box.height:
        size -= 1
    lines = max_lines
    while lines > 1 and _block_height(lines, size, bold, leading) > box.height:
        lines -= 1
    split = _greedy(words, box.width, size, bold)
    if len(split) > lines:
        split = [*split[:lines - 1], " ".join(split[lines - 1:])]
    split = [_ellipsize(line, box.width, size, bold) for line in split]
    split = [line for line in split if line] or [ELLIPSIS]
    return _place(split, size, bold, box, align, valign, leading)


def _greedy(words: list[str], width: int, size: int, bold: bool) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        if current and _width(" ".join([*current, word]), size, bold) > width:
            lines.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    lines.append(" ".join(current))
    return lines
