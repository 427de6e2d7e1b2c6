"""The QR code of a token as a Pillow image.

Choices, for a code that still scans from a phone photo of a screen or a cheap print:

- Error correction level Q (about 25% of the symbol may be damaged). A Kiosk token is
  44 characters in QR alphanumeric mode, and QR version 3 (29 x 29 modules) holds 47
  alphanumeric characters at level Q, 61 at M: level Q costs nothing in size over L or
  M, and survives smudges, glare, a fold, JPEG blocks. Level H would need version 4
  (33 x 33), so smaller modules in the same space, for protection we do not need.
- Alphanumeric mode (digits, A-Z, space and $%*+-./:): 5.5 bits a character instead of
  8 in byte mode; the whole token is in that set, so the symbol is the smallest
  possible. Any other text (a link) is split into the cheapest mode per run.
- A quiet zone of 4 modules of white on every side, as the standard requires: without
  it a reader may take the card's border or text for part of the symbol.
- A fixed mask pattern, 0 (checkerboard). The standard lets an encoder pick any of the
  eight masks; picking the best means scoring all eight, which is 85% of the time the
  `qrcode` package spends on a symbol (4.4 ms instead of 0.6 ms). Scored with the
  standard's penalty rules over random tokens of our format, mask 0 has the lowest
  average penalty (626 against 655-768 for the others), so it is the best fixed choice;
  the tests decode random tokens, also degraded, with zxing-cpp.
- Black modules on white, drawn at module size 1 and scaled up with NEAREST, so every
  module is a sharp square of exactly `module_size` pixels.

Returned images are cached and shared: paste them, do not draw on them.
"""

from __future__ import annotations

from functools import lru_cache

import qrcode
from PIL import Image
from qrcode.util import ALPHA_NUM, MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QUIET_ZONE = 4  # modules
MASK_PATTERN = 0
DARK = 0  # values of the "L" image: palette index 0 is black in the layouts
LIGHT = 255


def _is_alphanumeric(text: str) -> bool:
    return all(ord(c) < 128 and c.encode("ascii") in ALPHA_NUM for c in text)


_LIGHT_DARK = bytes([LIGHT, DARK]) + bytes(254)  # module value False/True -> pixel


@lru_cache(maxsize=64)
def _alphanumeric_version(length: int) -> int:
    """The smallest version holding `length` alphanumeric characters at our level: it
    depends on the length only (all tokens: 3), so finding it once saves `qrcode` from
    encoding the data twice more per symbol to find it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, mask_pattern=MASK_PATTERN)
    # Not "000...": all-zero data makes all-zero blocks, which `qrcode` cannot encode.
    code.add_data(QRData(b"A" * length, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    return code.version


@lru_cache(maxsize=2048)
def qr_modules(text: str) -> Image.Image:
    """The symbol with its quiet zone at one pixel a module ("L": 0 dark, 255 light)."""
    if not text:
        raise ValueError("empty QR text")
    code = None
    if _is_alphanumeric(text):
        code = qrcode.QRCode(version=_alphanumeric_version(len(text)),
                             error_correction=ERROR_CORRECTION, border=QUIET_ZONE,
                             mask_pattern=MASK_PATTERN)
        code.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
        try:
            code.make(fit=False)
        except ValueError:  # `qrcode` fails on an all-zero data block ("0000..."):
            code = None  # byte mode has no zero bytes
    if code is None:
        code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE,
                             mask_pattern=MASK_PATTERN)
        if _is_alphanumeric(text):
            code.add_data(QRData(text.encode("ascii"), mode=MODE_8BIT_BYTE))
        else:
            code.add_data(text, optimize=20)
        code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix)
    return Image.frombytes("L", (side, side),
                           b"".join(map(bytes, matrix)).translate(_LIGHT_DARK))


def qr_side(text: str) -> int:
    """How many modules wide the symbol is, quiet zone included (37 for a token)."""
    return qr_modules(text).width


@lru_cache(maxsize=256)
def qr_image(text: str, module_size: int = 10) -> Image.Image:
    """The QR of `text` ("L", black on white, quiet zone included), each module
    `module_size` pixels square. Cached on (text, module_size)."""
    if module_size < 1:
        raise ValueError("module_size must be at least 1")
    modules = qr_modules(text)
    if module_size == 1:
        return modules
    side = modules.width * module_size
    return modules.resize((side, side), Image.Resampling.NEAREST)


def qr_fitting(text: str, side: int) -> Image.Image:
    """The QR of `text` with the largest whole module size that fits in `side` pixels."""
    module_size = side // qr_side(text)
    if module_size < 1:
        raise ValueError(f"a {qr_side(text)}-module QR does not fit in {side} px")
    return qr_image(text, module_size)
