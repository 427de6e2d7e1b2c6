"""PNG, PDF and ZIP files, and batches: sizes, paper sizes, and every QR read back."""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, PdfParser

import badges
from badges import (
    a4_sheet,
    a4_sheet_layers,
    event_badge,
    event_badge_layers,
    invitation_phone,
    membership_card,
    pdf_bytes,
    png_bytes,
    render_batch,
    write_pdf,
    zip_bytes,
)
from badges.export import Output
from kiosk_server.core.signing import TokenKind
from tests.badges.helpers import NAMES, assert_scans, decode, pdf_pages, token

EVENT = "Hội thảo Chuyển đổi số cho Doanh nghiệp Nhỏ 2026"
PT = 72 / 25.4  # points a millimetre
A6_PT = (297.64, 419.53)
A4_PT = (595.28, 841.89)
CARD_PT = (242.65, 153.07)


def guests(count: int) -> list[dict]:
    names = (NAMES * (count // len(NAMES) + 1))[:count]
    return [dict(token=token(), name=name, event_name=EVENT,
                 ribbon="VIP" if number == 0 else None,
                 company="Công ty TNHH Sao Mai" if number % 2 else None)
            for number, name in enumerate(names)]


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(
        a.convert("RGB"), b.convert("RGB")).getbbox() is None


def close(box: list[float], size: tuple[float, float]) -> bool:
    return box[:2] == [0, 0] and abs(box[2] - size[0]) < 0.01 and abs(box[3] - size[1]) < 0.01


def test_png_bytes() -> None:
    text = token(TokenKind.CARD)
    card = membership_card(token=text, name="Lê Thị Bích Ngọc", member_number="KH-1")
    data = png_bytes(card)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    back = Image.open(io.BytesIO(data))
    assert back.size == (1011, 638) and back.mode == "P"
    assert same_pixels(back, card)
    # its physical size: 85.6 mm wide at ~300 dpi (PNG stores whole pixels a metre)
    assert abs(back.info["dpi"][0] - 1011 / 85.6 * 25.4) < 0.05
    assert abs(back.info["dpi"][1] - 638 / 54 * 25.4) < 0.05
    assert_scans(back, text)
    assert len(data) < 60_000


def test_pdf_pages_have_the_paper_size_and_every_qr_scans() -> None:
    tokens = [token(TokenKind.CARD), token(), token(), *[token() for _ in range(4)]]
    card = membership_card(token=tokens[0], name=NAMES[0], member_number="KH-000001")
    badge = event_badge(token=tokens[1], name=NAMES[1], event_name=EVENT)
    phone = invitation_phone(token=tokens[2], guest_name=NAMES[2], event_name=EVENT,
                             when="08:30 · Thứ Sáu, 12/06/2026", venue="Hà Nội")
    sheet = a4_sheet([event_badge(token=t, name=n, event_name=EVENT)
                      for t, n in zip(tokens[3:], NAMES, strict=True)])
    data = pdf_bytes([card, badge, phone, sheet], title=EVENT)
    assert data.startswith(b"%PDF-1.4")
    pages = pdf_pages(data)
    assert len(pages) == 4
    assert close(pages[0][0], CARD_PT)
    assert close(pages[1][0], A6_PT)
    assert close(pages[2][0], (1080 * 72 / 300, 1920 * 72 / 300))  # no paper size: 300 dpi
    assert close(pages[3][0], A4_PT)
    assert_scans(pages[0][1], tokens[0])
    assert_scans(pages[1][1], tokens[1])
    assert_scans(pages[2][1], tokens[2])
    assert_scans(pages[3][1], *tokens[3:])
    for (_, page), image in zip(pages, [card, badge, phone, sheet], strict=True):
        assert same_pixels(page, image)  # lossless
    assert PdfParser.PdfParser(buf=data).info.Title == EVENT


def test_a_layered_pdf_stores_the_template_once_and_draws_the_same_pixels() -> None:
    people = guests(6)
    layered = [event_badge_layers(**guest) for guest in people]
    data = pdf_bytes(layered)
    pages = pdf_pages(data)
    assert len(pages) == 6
    for (box, page), guest, layers in zip(pages, people, layered, strict=True):
        assert close(box, A6_PT)
        assert same_pixels(page, layers.flatten())
        assert_scans(page, guest["token"])
    parser = PdfParser.PdfParser(buf=data)
    first_images = {parser.read_indirect(ref)[b"Resources"][b"XObject"][b"I0"]
                    for ref in parser.pages}
    assert len(first_images) == 2  # one template for the VIP, one for every other page
    flat = pdf_bytes([layers.flatten() for layers in layered])
    assert len(data) < 0.6 * len(flat)


def test_a4_sheets_of_layered_badges() -> None:
    people = guests(5)
    sheets = [a4_sheet_layers([event_badge_layers(**g) for g in people[:4]]),
              a4_sheet_layers([event_badge_layers(**people[4])])]
    pages = pdf_pages(pdf_bytes(sheets))
    assert [close(box, A4_PT) for box, _ in pages] == [True, True]
    assert_scans(pages[0][1], *[g["token"] for g in people[:4]])
    assert_scans(pages[1][1], people[4]["token"])
    assert same_pixels(pages[0][1], sheets[0].flatten())


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_a_real_pdf_renderer_draws_the_layered_pages(tmp_path: Path) -> None:
    """poppler renders the PDF (pieces over the shared template) and the QRs scan."""
    people = guests(4)
    path = tmp_path / "badges.pdf"
    with path.open("wb") as file:
        write_pdf([event_badge_layers(**g) for g in people[:2]]
                  + [a4_sheet_layers([event_badge_layers(**g) for g in people])], file)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")],
                   check=True, timeout=60)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == 3
    assert decode(Image.open(rendered[0])) == [people[0]["token"]]
    assert decode(Image.open(rendered[1])) == [people[1]["token"]]
    assert decode(Image.open(rendered[2])) == [g["token"] for g in people]
    width, height = Image.open(rendered[0]).size  # A6 at 150 dpi: 620.1 x 874.0 px
    assert abs(width - 620) <= 1 and abs(height - 874) <= 1


def test_zip_of_pngs() -> None:
    people = guests(3)
    data = zip_bytes((f"{g['name']}.png", event_badge(**g)) for g in people)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"{g['name']}.png" for g in people]
        for guest in people:
            image = Image.open(io.BytesIO(archive.read(f"{guest['name']}.png")))
            assert image.size == (1240, 1748)
            assert_scans(image, guest["token"])


@pytest.mark.parametrize("output", ["pdf", "a4-pdf", "zip"])
def test_render_batch_reports_progress(output: Output) -> None:
    people = guests(7)
    seen: list[tuple[int, int]] = []
    data = render_batch(people, lambda g: event_badge_layers(**g), output=output,
                        progress=lambda done, total: seen.append((done, total)),
                        name=lambda i, g: f"{i:02d}-{g['token']}.png")
    assert seen[0] == (0, 7) and seen[-1] == (7, 7)
    assert all(total == 7 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    if output == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            assert names == [f"{i:02d}-{g['token']}.png" for i, g in enumerate(people)]
            for name, guest in zip(names, people, strict=True):
                assert decode(Image.open(io.BytesIO(archive.read(name)))) == [guest["token"]]
        return
    pages = pdf_pages(data)
    if output == "pdf":
        assert len(pages) == 7
        for (_, page), guest in zip(pages, people, strict=True):
            assert_scans(page, guest["token"])
    else:
        assert len(pages) == 2  # 4 + 3
        assert decode(pages[0][1]) == [g["token"] for g in people[:4]]
        assert decode(pages[1][1]) == [g["token"] for g in people[4:]]


def test_threads_do_not_change_the_file() -> None:
    people = guests(9)
    one = render_batch(people, lambda g: event_badge_layers(**g), threads=1)
    two = render_batch(people, lambda g: event_badge_layers(**g), threads=2)
    assert one == two


def test_bad_batches() -> None:
    with pytest.raises(ValueError):
        render_batch(guests(1), lambda g: event_badge(**g), output="tiff")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        render_batch([], lambda g: event_badge(**g), output="pdf")
    with pytest.raises(ValueError):
        zip_bytes([("a.png", event_badge(**guests(1)[0]))] * 2)


def test_the_library_does_not_import_the_server() -> None:
    code = ("import sys, badges, badges.export; "
            "assert not any(m.startswith('kiosk_server') for m in sys.modules), 'imported'")
    root = Path(badges.__file__).resolve().parents[1]
    subprocess.run([__import__("sys").executable, "-c", code], cwd=root, check=True,
                   timeout=60)
