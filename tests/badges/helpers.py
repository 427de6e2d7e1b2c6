"""Helpers for the badge tests: real tokens, QR decoding with zxing-cpp, the way a phone
photo or a cheap print degrades an image, reading our PDFs back."""

import io
import re
from typing import cast

import pytest
from PIL import Image, PdfParser

from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial

zxingcpp = pytest.importorskip("zxingcpp", reason="the badge tests decode QRs with zxing-cpp")

SIGNER = TokenSigner(b"badge-tests-" + b"x" * 32)

# Names with every kind of Vietnamese diacritic, and one far too long for any box.
NAMES = ["Nguyễn Thị Hương", "Trần Đức Thắng", "Phạm Ngọc Ánh", "Lê Thị Bích Ngọc"]
LONG_NAME = "Công ty TNHH Thương mại Dịch vụ Nguyễn Hoàng Phương Thảo Bích Ngọc"


def token(kind: TokenKind = TokenKind.INVITATION) -> str:
    """A token exactly like the server's: signed, 44 characters."""
    return SIGNER.sign(kind, new_serial())


def rgb_colours(image: Image.Image) -> set[tuple[int, int, int]]:
    """The colours of an RGB image (at most 65536 of them)."""
    assert image.mode == "RGB"
    found = image.getcolors(65536)
    assert found is not None, "more than 65536 colours"
    return {cast(tuple[int, int, int], colour) for _, colour in found}


def decode(image: Image.Image) -> list[str]:
    """The texts of every QR code zxing-cpp finds, top to bottom, left to right."""
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    found = sorted(found, key=lambda b: (b.position.top_left.y // 100, b.position.top_left.x))
    return [barcode.text for barcode in found]


def degrade(image: Image.Image) -> Image.Image:
    """Scaled to 50% and saved as JPEG quality 60: a phone photo / cheap print."""
    small = image.convert("RGB").resize((image.width // 2, image.height // 2),
                                        Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=60)
    buffer.seek(0)
    return Image.open(buffer)


def assert_scans(image: Image.Image, *tokens: str) -> None:
    """Every QR gives back exactly its token, also after degradation."""
    assert decode(image) == list(tokens)
    assert decode(degrade(image)) == list(tokens)


def _xobject_image(parser: PdfParser.PdfParser, stream) -> Image.Image:
    info = stream.dictionary
    size = (info[b"Width"], info[b"Height"])
    if info[b"Filter"] == b"DCTDecode":
        return Image.open(io.BytesIO(stream.buf))
    raw = stream.decode(max_length=size[0] * size[1] * 3)
    space = info[b"ColorSpace"]
    if isinstance(space, PdfParser.IndirectReference):
        space = parser.read_indirect(space)
    if isinstance(space, list) and space[0] == b"Indexed":
        image = Image.frombytes("P", size, raw)
        image.putpalette(bytes(space[3]), "RGB")
        return image
    return Image.frombytes("L" if space == b"DeviceGray" else "RGB", size, raw)


_DO = re.compile(rb"q (-?[\d.]+) 0 0 (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) cm /(\w+) Do Q")


def pdf_pages(data: bytes) -> list[tuple[list[float], Image.Image]]:
    """Each page's MediaBox (points) and its pixels, read back with Pillow's PDF parser
    (not with badges.export): the images the page draws, placed where its content
    stream puts them, at the resolution of its first image."""
    parser = PdfParser.PdfParser(buf=data)
    pages = []
    for ref in parser.pages:
        page = parser.read_indirect(ref)
        box = [float(v) for v in page[b"MediaBox"]]
        xobjects = page[b"Resources"][b"XObject"]
        content = parser.read_indirect(page[b"Contents"]).decode()
        canvas = None
        for w, h, x, y, name in _DO.findall(content):
            w, h, x, y = (float(v) for v in (w, h, x, y))
            stream = parser.read_indirect(xobjects[name])
            image = _xobject_image(parser, stream)
            if canvas is None:  # pixels a point, along x and y
                sx, sy = image.width / w, image.height / h
                canvas = Image.new("RGB", (round(box[2] * sx), round(box[3] * sy)),
                                   (255, 255, 255))
            assert abs(image.width / w - sx) < 1e-3 and abs(image.height / h - sy) < 1e-3
            canvas.paste(image.convert("RGB"), (round(x * sx), round((box[3] - y - h) * sy)))
        assert canvas is not None, "a page without images"
        pages.append((box, canvas))
    return pages
