"""The shipped fonts have a glyph for every Vietnamese letter; only they are loaded."""

import unicodedata
from pathlib import Path

import pytest
from PIL import ImageFont

import badges
from badges import text

BASES = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # huyền sắc hỏi ngã nặng


def vietnamese_letters() -> list[str]:
    """Every vowel (plain, breve, circumflex, horn) with no tone and the five tones, and
    đ, in lower and upper case: 12 x 6 + 1 = 73 letters each."""
    lower = [unicodedata.normalize("NFC", base + tone) for base in BASES for tone in TONES]
    lower.append("đ")
    letters = lower + [letter.upper() for letter in lower]
    assert all(len(letter) == 1 for letter in letters), "all precomposed"
    assert len(set(letters)) == 146
    return letters


def missing_glyphs(font: ImageFont.FreeTypeFont, letters: list[str]) -> list[str]:
    """Letters the font draws as its .notdef glyph (a box) or not at all. Pillow does not
    say whether a font has a glyph, so compare each letter's bitmap with the bitmap of a
    private-use character, which no text font has."""
    notdef = font.getmask("\ue000")
    notdef_key = (notdef.size, bytes(notdef))
    missing = []
    for letter in letters:
        mask = font.getmask(letter)
        if mask.size[0] == 0 or mask.getbbox() is None or (mask.size, bytes(mask)) == notdef_key:
            missing.append(letter)
    return missing


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
def test_shipped_fonts_cover_every_vietnamese_letter(bold: bool) -> None:
    assert missing_glyphs(text.font(40, bold), vietnamese_letters()) == []


def test_the_check_fails_on_a_font_without_vietnamese() -> None:
    """Pillow's built-in font (Aileron, Latin only) lacks them: the check can fail."""
    latin_only = ImageFont.load_default(40)
    assert isinstance(latin_only, ImageFont.FreeTypeFont)
    missing = missing_glyphs(latin_only, vietnamese_letters())
    assert "ệ" in missing and "Đ" in missing and "ư" in missing
    assert "a" not in missing and "E" not in missing  # it does know plain Latin


def test_fonts_are_loaded_from_the_package_only() -> None:
    package = Path(badges.__file__).resolve().parent
    for bold in (False, True):
        font_path = text.font(30, bold).path
        assert isinstance(font_path, str)  # opened by its file name
        path = Path(font_path).resolve()
        assert path.parent == package / "fonts"
        assert path.name == text.FONT_FILES[bold].name
    licence = (package / "fonts" / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_fonts_are_package_data() -> None:
    """pyproject ships the font files and the licence with the package."""
    pyproject = (Path(badges.__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert 'badges = ["fonts/*"]' in pyproject
