"""Every layout: its size, its QR (read back exactly, also degraded), its texts inside
their areas whatever the name, the brand's colours and logo."""

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops, ImageDraw

from badges import (
    BADGE,
    CARD,
    EN,
    INVITATION,
    INVITATION_EMAIL,
    Brand,
    a4_sheet,
    event_badge,
    invitation_email,
    invitation_phone,
    membership_card,
)
from badges.brand import parse_hex
from badges.text import Box, fit_text
from kiosk_server.core.signing import TokenKind
from tests.badges.helpers import (
    LONG_NAME,
    NAMES,
    assert_scans,
    decode,
    degrade,
    rgb_colours,
    token,
)

EVENT = "Hội thảo Chuyển đổi số cho Doanh nghiệp Nhỏ 2026"
WHEN = "08:30 · Thứ Sáu, 12/06/2026"
VENUE = "Trung tâm Hội nghị White Palace, TP. Hồ Chí Minh"
BRAND = Brand(name="Cà phê Sài Gòn Xưa", primary="#7A1F2B", accent="#E8B04B")


def logo_png() -> bytes:
    """A made-up logo: a red disc with a white square, on transparency, 400 x 300."""
    logo = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((50, 0, 350, 300), fill=(220, 30, 40, 255))
    draw.rectangle((160, 110, 240, 190), fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    return buffer.getvalue()


def card(name: str = "Nguyễn Thị Hương", **kwargs) -> Image.Image:
    kwargs.setdefault("token", token(TokenKind.CARD))
    kwargs.setdefault("member_number", "KH-000123")
    kwargs.setdefault("tier", "Vàng")
    return membership_card(name=name, **kwargs)


def phone(name: str = "Trần Đức Thắng", **kwargs) -> Image.Image:
    kwargs.setdefault("token", token())
    return invitation_phone(guest_name=name, event_name=EVENT, when=WHEN, venue=VENUE,
                            **kwargs)


def email(name: str = "Trần Đức Thắng", **kwargs) -> Image.Image:
    kwargs.setdefault("token", token())
    return invitation_email(guest_name=name, event_name=EVENT, when=WHEN, venue=VENUE,
                            **kwargs)


def badge(name: str = "Phạm Ngọc Ánh", **kwargs) -> Image.Image:
    kwargs.setdefault("token", token())
    kwargs.setdefault("company", "Công ty TNHH Sao Mai")
    kwargs.setdefault("title", "Giám đốc Kinh doanh")
    return event_badge(name=name, event_name=EVENT, **kwargs)


LAYOUTS: dict[str, tuple[Callable[..., Image.Image], tuple[int, int], Box]] = {
    "card": (card, (1011, 638), CARD.name),
    "invitation-phone": (phone, (1080, 1920), INVITATION.name),
    "invitation-email": (email, (600, 1067), INVITATION_EMAIL.name),
    "badge": (badge, (1240, 1748), BADGE.name),
}


def name_mask(render: Callable[..., Image.Image], name: str, **kwargs) -> Image.Image:
    """The name's pixels: where the image differs from the same one without a name."""
    kwargs.setdefault("token", token())
    with_name = render(name, **kwargs).convert("RGB")
    without = render("", **kwargs).convert("RGB")
    return ImageChops.difference(with_name, without).convert("L").point(lambda v: 255 * (v > 0))


def name_ink(render: Callable[..., Image.Image], name: str, **kwargs):
    return name_mask(render, name, **kwargs).getbbox()


def text_lines(mask: Image.Image) -> int:
    """1 or 2: whether the ink has a trough of nearly empty rows in its middle (the gap
    between two lines; one line is densest there, at its x-height)."""
    box = mask.getbbox()
    ink = mask.crop(box)
    rows = [ink.crop((0, y, ink.width, y + 1)).histogram()[255] for y in range(ink.height)]
    middle = rows[len(rows) * 35 // 100:len(rows) * 65 // 100]
    return 2 if min(middle) < 0.1 * max(rows) else 1


def contains(box: Box, bbox) -> bool:
    return bbox is not None and box.contains(bbox)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_size_and_qr(layout: str) -> None:
    render, size, _ = LAYOUTS[layout]
    text = token()
    image = render(token=text)
    assert image.size == size
    assert image.mode == "P"
    assert_scans(image, text)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", [*NAMES, LONG_NAME])
def test_names_are_drawn_inside_their_area(layout: str, name: str) -> None:
    render, _, area = LAYOUTS[layout]
    assert contains(area, name_ink(render, name))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_very_long_name_wraps_onto_two_lines(layout: str) -> None:
    render, _, area = LAYOUTS[layout]
    assert text_lines(name_mask(render, "Lê Thị Bích Ngọc")) == 1
    long = name_mask(render, LONG_NAME)
    assert text_lines(long) == 2
    assert contains(area, long.getbbox())


@pytest.mark.parametrize("geometry", [CARD, INVITATION, INVITATION_EMAIL, BADGE],
                         ids=["card", "invitation-phone", "invitation-email", "badge"])
def test_the_long_name_fits_whole_on_two_lines(geometry) -> None:
    """The smallest name size is small enough for a 65-character name: no '…'."""
    largest, smallest = geometry.name_font
    fitted = fit_text(LONG_NAME, geometry.name, max_size=largest, min_size=smallest,
                      bold=True)
    assert len(fitted.lines) == 2 and " ".join(fitted.lines) == LONG_NAME


def test_card_texts_are_inside_their_areas() -> None:
    text = token(TokenKind.CARD)
    full = card(token=text, member_number="KH-0001234567", tier="Kim cương").convert("RGB")
    no_number = card(token=text, member_number="", tier="Kim cương").convert("RGB")
    no_tier = card(token=text, member_number="KH-0001234567", tier=None).convert("RGB")
    assert contains(CARD.number, ImageChops.difference(full, no_number).getbbox())
    assert contains(CARD.tier, ImageChops.difference(full, no_tier).getbbox())


def test_badge_title_and_company_are_inside_their_areas() -> None:
    text = token()
    both = badge(token=text, title=LONG_NAME, company=LONG_NAME).convert("RGB")
    no_company = badge(token=text, title=LONG_NAME, company=None).convert("RGB")
    # Alone, the title moves to the middle slot; so compare with neither.
    neither = badge(token=text, title=None, company=None, name="").convert("RGB")
    name_only = badge(token=text, title=LONG_NAME, company=LONG_NAME, name="").convert("RGB")
    assert contains(Box(BADGE.title.x0, BADGE.title.y0, BADGE.company.x1, BADGE.company.y1),
                    ImageChops.difference(name_only, neither).getbbox())
    assert ImageChops.difference(both, no_company).getbbox() is not None
    alone = badge(token=text, title=None, company=None)
    assert_scans(alone, text)
    assert contains(BADGE.name_alone, name_ink(badge, LONG_NAME, title=None, company=None))


def test_brand_colours_and_logo() -> None:
    primary, accent = parse_hex(BRAND.primary), parse_hex(BRAND.accent)
    plain = card(brand=BRAND).convert("RGB")
    assert plain.getpixel((CARD.header.x1 - 5, CARD.header.y0 + 5)) == primary
    assert plain.getpixel((5, CARD.stripe.y0 + 3)) == accent
    branded = Brand(name=BRAND.name, primary=BRAND.primary, accent=BRAND.accent,
                    logo=logo_png())
    text = token(TokenKind.CARD)
    image = card(token=text, brand=branded)
    assert_scans(image, text)
    logo_area = image.convert("RGB").crop(CARD.logo.tuple())
    colours = rgb_colours(logo_area)
    assert (220, 30, 40) in colours  # the logo's red, exact
    assert primary in colours  # its transparent parts show the header
    body = image.convert("RGB").crop((0, CARD.header.y1, *CARD.size))
    assert not any(r > 200 and g < 80 for r, g, _b in rgb_colours(body))


def test_light_brand_colours_get_dark_text() -> None:
    light = Brand(name="Tiệm Bánh Mì Hạnh Phúc", primary="#F6E7B0", accent="#FFF4D6")
    image = card(brand=light).convert("RGB")
    header = image.crop(CARD.brand.tuple())
    darkest = min(sum(colour) for colour in rgb_colours(header))
    assert darkest < 150  # the business name is drawn dark on the light panel
    assert_scans(membership_card(token=(t := token()), name="A", member_number="1",
                                 brand=light), t)


def test_english_labels() -> None:
    text = token()
    vi, en = phone(token=text), phone(token=text, labels=EN)
    assert ImageChops.difference(vi.convert("RGB"), en.convert("RGB")).getbbox() is not None
    assert_scans(en, text)


def test_a4_sheet_of_four_badges() -> None:
    tokens = [token() for _ in range(4)]
    badges = [badge(name, token=text) for name, text in zip(NAMES, tokens, strict=True)]
    sheet = a4_sheet(badges)
    assert sheet.size == (2480, 3508)
    assert sheet.mode == "P"  # same brand and event: one palette, no RGB conversion
    assert decode(sheet) == tokens
    assert decode(degrade(sheet)) == tokens
    # badges keep their exact A6 size: each is a pixel-exact copy, but for the cut
    # marks, which are in their white 5 mm frame
    frame = 59
    for badge_image, (x, y) in zip(badges, [(0, 6), (1240, 6), (0, 1754), (1240, 1754)],
                                   strict=True):
        placed = sheet.crop((x, y, x + 1240, y + 1748)).convert("RGB")
        diff = ImageChops.difference(placed, badge_image.convert("RGB"))
        assert diff.crop((frame, frame, 1240 - frame, 1748 - frame)).getbbox() is None
        assert diff.getbbox() is not None  # the marks
    rgb = sheet.convert("RGB")
    assert rgb.getpixel((1240, 6 + 20)) != (255, 255, 255)  # cut mark, top of the cut line
    assert rgb.getpixel((1240, 1754)) != (255, 255, 255)  # cross in the middle
    assert rgb.getpixel((20, 1754)) != (255, 255, 255)  # left end of the horizontal cut


def test_a4_sheet_of_mixed_brands_and_a_partial_sheet() -> None:
    tokens = [token(), token()]
    sheet = a4_sheet([badge(token=tokens[0]), badge(token=tokens[1], brand=BRAND)])
    assert sheet.mode == "RGB"
    assert decode(sheet) == tokens
    with pytest.raises(ValueError):
        a4_sheet([])
    with pytest.raises(ValueError):
        a4_sheet([card()])


def test_invalid_brand() -> None:
    with pytest.raises(ValueError):
        Brand(name="x", primary="blue")
    with pytest.raises(ValueError):
        Brand(name="x", logo=b"not an image")


def test_samples(artifact) -> None:
    """The samples people look at (test-artifacts/badges-*.png)."""
    logo_brand = Brand(name=BRAND.name, primary=BRAND.primary, accent=BRAND.accent,
                       logo=logo_png())
    samples = {
        "card": card(),
        "card-logo-long-name": card(LONG_NAME, brand=logo_brand, tier="Kim cương"),
        "invitation-phone": phone(),
        "invitation-phone-logo-long-name": phone(LONG_NAME, brand=logo_brand),
        "invitation-email": email(),
        "badge": badge(),
        "badge-vip-long-name": badge(LONG_NAME, ribbon="VIP", brand=logo_brand),
        "a4-sheet": a4_sheet([badge(name) for name in NAMES]),
    }
    for name, image in samples.items():
        assert artifact(image, name).exists()
        assert len(decode(image)) == (4 if name == "a4-sheet" else 1)
