"""Kiosk badges: every image that carries a QR code (membership cards, invitations,
event badges and A4 sheets of them), as Pillow images, PNG, PDF or ZIP.

A rendering library with no knowledge of the server: it takes ready strings (names,
the token, the event's date as it should be printed) and a `Brand`, and never imports
`kiosk_server`. Fonts are shipped in `badges/fonts/` (DejaVu Sans, every Vietnamese
letter); nothing is read from the machine.

    from badges import Brand, membership_card, png_bytes
    png = png_bytes(membership_card(token=token, name="Nguyễn Thị Hương",
                                    member_number="KH-000123", tier="Vàng",
                                    brand=Brand(name="Cà phê Sài Gòn")))

For hundreds at once, off the request path, with progress:

    pdf = render_batch(guests, lambda g: event_badge_layers(**g), output="a4-pdf",
                       progress=lambda done, total: ...)

(`*_layers` give the shared template and the person's pieces apart, so a PDF stores
the template once: several times faster and smaller than whole images.)
"""

from .brand import DEFAULT_BRAND, Brand
from .export import pdf_bytes, png_bytes, render_batch, write_pdf, zip_bytes
from .layouts import (
    BADGE,
    CARD,
    EN,
    INVITATION,
    INVITATION_EMAIL,
    VI,
    Labels,
    Layered,
    Part,
    a4_sheet,
    a4_sheet_layers,
    event_badge,
    event_badge_layers,
    invitation_email,
    invitation_phone,
    membership_card,
    membership_card_layers,
)
from .qr import qr_image
from .text import Box, fit_text

__all__ = [
    "BADGE", "CARD", "DEFAULT_BRAND", "EN", "INVITATION", "INVITATION_EMAIL", "VI", "Box",
    "Brand", "Labels", "Layered", "Part", "a4_sheet", "a4_sheet_layers", "event_badge",
    "event_badge_layers", "fit_text", "invitation_email", "invitation_phone",
    "membership_card", "membership_card_layers", "pdf_bytes", "png_bytes", "qr_image",
    "render_batch", "write_pdf", "zip_bytes",
]
