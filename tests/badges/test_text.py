"""fit_text: shrink, then wrap on two lines, then cut with '…'; never out of the box."""

import unicodedata

import pytest
from PIL import Image, ImageChops

from badges.text import ELLIPSIS, Align, Box, VAlign, fit_text, font
from tests.badges.helpers import LONG_NAME, NAMES

BOX = Box(40, 30, 740, 190)


def drawn_bbox(fitted, size=(800, 240)) -> tuple[int, int, int, int]:
    """Where the text really puts ink, drawn with Pillow at the fitted origins."""
    from PIL import ImageDraw

    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for line, origin in zip(fitted.lines, fitted.origins, strict=True):
        draw.text(origin, line, font=fitted.font, fill=255, anchor="ls")
    bbox = image.getbbox()
    assert bbox is not None, "no ink drawn"
    return bbox


def inside(inner, outer) -> bool:
    return (outer[0] <= inner[0] and outer[1] <= inner[1]
            and inner[2] <= outer[2] and inner[3] <= outer[3])


@pytest.mark.parametrize("name", NAMES)
def test_short_names_stay_on_one_line_at_full_size(name: str) -> None:
    fitted = fit_text(name, BOX, max_size=60, min_size=24, bold=True)
    assert fitted.lines == (name,)
    assert fitted.size == 60
    assert fitted.bbox is not None and BOX.contains(fitted.bbox)
    assert inside(drawn_bbox(fitted), fitted.bbox)  # the computed box holds the real ink


def test_a_long_name_shrinks_then_wraps_and_stays_inside() -> None:
    fitted = fit_text(LONG_NAME, BOX, max_size=60, min_size=30, bold=True)
    assert len(fitted.lines) == 2
    assert " ".join(fitted.lines) == LONG_NAME  # nothing lost
    assert 30 <= fitted.size < 60
    assert fitted.bbox is not None and BOX.contains(fitted.bbox)
    assert BOX.contains(drawn_bbox(fitted))


def test_a_name_too_long_even_on_two_lines_at_min_size_ends_with_an_ellipsis() -> None:
    fitted = fit_text(" ".join([LONG_NAME] * 3), BOX, max_size=60, min_size=30, bold=True)
    assert len(fitted.lines) == 2
    assert fitted.size == 30
    assert fitted.lines[-1].endswith(ELLIPSIS)
    assert BOX.contains(drawn_bbox(fitted))


def test_one_endless_word_is_cut() -> None:
    fitted = fit_text("Đ" * 200, BOX, max_size=60, min_size=30, bold=True)
    assert fitted.lines[0].endswith(ELLIPSIS)
    assert BOX.contains(drawn_bbox(fitted))


def test_shrinks_before_wrapping() -> None:
    box = Box(0, 0, 420, 160)
    one_line_at_60 = font(60, True).getlength("Nguyễn Hoàng Phương Thảo")
    assert one_line_at_60 > box.width
    fitted = fit_text("Nguyễn Hoàng Phương Thảo", box, max_size=60, min_size=24, bold=True)
    assert len(fitted.lines) == 1 and fitted.size < 60
    assert fitted.bbox is not None and box.contains(fitted.bbox)


def test_decomposed_accents_are_drawn_like_precomposed_ones() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    assert nfd != "Nguyễn Thị Hương"
    a = fit_text(nfd, BOX, max_size=60, min_size=24)
    b = fit_text("Nguyễn Thị Hương", BOX, max_size=60, min_size=24)
    assert a == b


def test_spaces_and_control_characters_are_tidied() -> None:
    assert fit_text("  Trần\tĐức \n Thắng ", BOX, max_size=40, min_size=20).lines == (
        "Trần Đức Thắng",)


def test_empty_text_draws_nothing() -> None:
    fitted = fit_text("   ", BOX, max_size=40, min_size=20)
    assert fitted.lines == () and fitted.bbox is None


@pytest.mark.parametrize("align", ["left", "center", "right"])
@pytest.mark.parametrize("valign", ["top", "middle", "bottom"])
def test_alignment_keeps_the_ink_inside(align: Align, valign: VAlign) -> None:
    fitted = fit_text("Lê Thị Bích Ngọc", BOX, max_size=50, min_size=20, bold=True,
                      align=align, valign=valign)
    bbox = drawn_bbox(fitted)
    assert BOX.contains(bbox)
    if align == "left":
        assert bbox[0] - BOX.x0 < 8
    if align == "right":
        assert BOX.x1 - bbox[2] < 8
    if valign == "top":
        # room is left above only for a capital with stacked marks (Ẫ)
        assert bbox[1] - BOX.y0 < fitted.size * 0.4
    if valign == "bottom":
        assert BOX.y1 - bbox[3] < 12  # a descender or a dot below would touch the foot


def test_the_drawn_text_changes_with_the_diacritics() -> None:
    """Sanity: ạ and a differ in ink, so a renderer silently dropping marks would fail."""
    a = fit_text("Ngoc", BOX, max_size=50, min_size=20)
    b = fit_text("Ngọc", BOX, max_size=50, min_size=20)
    image_a, image_b = Image.new("L", (800, 240)), Image.new("L", (800, 240))
    from PIL import ImageDraw

    ImageDraw.Draw(image_a).text(a.origins[0], a.lines[0], font=a.font, fill=255, anchor="ls")
    ImageDraw.Draw(image_b).text(b.origins[0], b.lines[0], font=b.font, fill=255, anchor="ls")
    assert ImageChops.difference(image_a, image_b).getbbox() is not None
