"""The registration poster: A4 at 300 dpi, its QR (the form's link) read back exactly, also
degraded, and its texts inside their areas whatever the event's name."""

from badges import Brand
from badges.layouts import POSTER, event_words, registration_poster
from badges.text import fit_text
from tests.badges.helpers import LONG_NAME, assert_scans

LINK = "HTTPS://CAPHE.EXAMPLE/J/1P.E" + "A" * 14 + "B." + "ABCDEFGHIJKLMNOPQRSTUVWX"
BRAND = Brand(name="Cà phê Sài Gòn Xưa", primary="#7A1F2B", accent="#E8B04B")


def test_the_shop_poster_is_a4_and_its_qr_opens_the_form():
    image = registration_poster(link=LINK, brand=BRAND)
    assert image.size == POSTER.size
    assert [round(value) for value in image.info["dpi"]] == [300, 300]
    assert_scans(image, LINK)


def test_an_events_poster_names_it_even_when_long():
    words = event_words(LONG_NAME)
    image = registration_poster(link=LINK, words=words, brand=BRAND)
    assert_scans(image, LINK)
    headline = fit_text(words.headline, POSTER.headline, max_size=150, min_size=80,
                        bold=True, max_lines=2, align="center")
    assert headline.bbox is not None and POSTER.headline.contains(headline.bbox)
