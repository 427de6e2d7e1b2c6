"""A business's look: its name, two colours and an optional logo, used by every layout."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

RGB = tuple[int, int, int]

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
MAX_LOGO_BYTES = 2_000_000
MAX_LOGO_PIXELS = 4096 * 4096

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
INK: RGB = (0x1B, 0x1F, 0x24)  # main text on light backgrounds
MUTED: RGB = (0x5B, 0x66, 0x73)  # secondary text on light backgrounds


def parse_hex(colour: str) -> RGB:
    """'#0F4C81', '0f4c81' or '#08c' as an (r, g, b) tuple; ValueError otherwise."""
    match = _HEX.fullmatch(colour.strip())
    if match is None:
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour a fraction `t` of the way from `a` to `b`."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: RGB) -> RGB:
    """White or near-black, whichever reads better on `background`."""
    return WHITE if contrast(WHITE, background) >= contrast(INK, background) else INK


def readable(preferred: RGB, background: RGB, minimum: float = 3.0) -> RGB:
    """`preferred` if it stands out enough on `background`, else plain white or ink."""
    return preferred if contrast(preferred, background) >= minimum else text_on(background)


@dataclass(frozen=True)
class Brand:
    """Who the card, invitation or badge is from.

    `primary` fills the header panels, `accent` the thin stripes and the tier / ribbon
    pills; both are hex colours. `logo` is a PNG (or JPEG) file's bytes; it is scaled
    down to fit its area, keeping its proportions and transparency."""

    name: str
    primary: str = "#0F4C81"
    accent: str = "#F2A900"
    logo: bytes | None = None

    def __post_init__(self) -> None:
        parse_hex(self.primary)
        parse_hex(self.accent)
        if self.logo is not None:
            if len(self.logo) > MAX_LOGO_BYTES:
                raise ValueError(f"logo larger than {MAX_LOGO_BYTES} bytes")
            decode_logo(self.logo)  # fails now, not at the first render

    @property
    def primary_rgb(self) -> RGB:
        return parse_hex(self.primary)

    @property
    def accent_rgb(self) -> RGB:
        return parse_hex(self.accent)

    def logo_image(self) -> Image.Image | None:
        """The logo as an RGBA image, or None."""
        return None if self.logo is None else decode_logo(self.logo)


@lru_cache(maxsize=32)
def decode_logo(data: bytes) -> Image.Image:
    """The logo file as RGBA; ValueError if it is not an image Pillow can read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise ValueError("logo has too many pixels")
            return image.convert("RGBA")
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"logo is not a readable image: {exc}") from exc


DEFAULT_BRAND = Brand(name="Kiosk", primary="#0F4C81", accent="#F2A900")
