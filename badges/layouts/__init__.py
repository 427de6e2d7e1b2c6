"""Layouts: pure functions from data to a Pillow image with the token's QR on it.

Every layout returns a palette image (mode "P", at most 256 exact colours; see
`_canvas`): `export.png_bytes` writes it as it is, `image.convert("RGB")` gives RGB.
Print layouts are drawn at 300 dpi; their exact paper size is in `image.info["dpi"]`
(e.g. 1240 px over 105 mm: 299.96 dpi), which the PNG and PDF writers use.

| layout | size (px) | physical |
|---|---|---|
| `membership_card` | 1011 x 638 | 85.6 x 54 mm (ID-1 / CR80 card) |
| `invitation_phone` | 1080 x 1920 | a phone screen (9:16) |
| `invitation_email` | 600 x 1067 | the usual e-mail width |
| `event_badge` | 1240 x 1748 | A6, 105 x 148 mm |
| `a4_sheet` | 2480 x 3508 | A4, four A6 badges with cut marks |
| `registration_poster` | 2480 x 3508 | A4, the sign-up form's QR |

Speed: everything that does not depend on the person (background, panels, logo,
business name, labels, the event's texts) is drawn once per brand / event into a cached
template; a render draws only the name, the other personal texts and the QR, each on a
small piece cut from the template. The result is a `Layered` image: the shared template
plus those pieces. `.flatten()` pastes them onto a copy of the template (what the
public functions return); the PDF writer instead stores the template once for the whole
document and only the pieces on each page (`event_badge_layers`, `a4_sheet_layers`).

All texts go through `text.fit_text`: long names shrink, then wrap onto two lines, then
(only if still too long at the smallest size) end with '…'; they never leave their box.
The boxes are public (`CARD`, `INVITATION`, `BADGE`) so callers and tests can check.
"""

from ._common import DPI, EN, LOGO_COLOURS, VI, Labels, Layered, Part
from .badge import (
    BADGE,
    CUT_MARK,
    SHEET_SLOTS,
    BadgeGeometry,
    a4_sheet,
    a4_sheet_layers,
    event_badge,
    event_badge_layers,
)
from .card import CARD, CardGeometry, membership_card, membership_card_layers
from .invitation import (
    EMAIL_WIDTH,
    INVITATION,
    INVITATION_EMAIL,
    InvitationGeometry,
    invitation_email,
    invitation_phone,
)
from .poster import POSTER, SHOP, PosterGeometry, PosterWords, event_words, registration_poster

__all__ = [
    "BADGE", "CARD", "POSTER", "SHOP", "PosterGeometry", "PosterWords", "event_words",
    "registration_poster", "CUT_MARK", "DPI", "EMAIL_WIDTH", "EN", "INVITATION", "INVITATION_EMAIL",
    "LOGO_COLOURS", "SHEET_SLOTS", "VI", "BadgeGeometry", "CardGeometry", "InvitationGeometry",
    "Labels", "Layered", "Part", "a4_sheet", "a4_sheet_layers", "event_badge",
    "event_badge_layers", "invitation_email", "invitation_phone", "membership_card",
    "membership_card_layers",
]
