"""Registration posters: the signed token in their QR, what it names, and the A4 PDF.

A poster's token is of kind `P` (see `core/signing.py`). Its 16-character serial names
what the poster is for, in the token's base32 alphabet:

    SHOPAAAAAAAAAAAA   the shop's poster: sign up as a member
    E<15 characters>   an event's poster: the event's id in base32 (A=0 ... 7=31),
                       most significant first, padded with A (zero) on the left

A poster hangs on a wall for anyone to read, so its serial is not a secret and need not be
random; the tag (an HMAC with the server's key) is what keeps anyone from making a poster
token for an event, or from turning a card or an invitation into one (the kind letter is
signed too). The QR holds the link to the form's page, `/j/<token>`.
"""

from dataclasses import dataclass

from sqlmodel import Session

from badges import export, layouts
from kiosk_server.core.config import Settings
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.events import service as events
from kiosk_server.events.models import Event
from kiosk_server.prints import service as prints

SHOP_SERIAL = "SHOPAAAAAAAAAAAA"
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_EVENT_DIGITS = 15


def event_serial(event_id: int) -> str:
    digits = ""
    number = event_id
    while number:
        number, rest = divmod(number, 32)
        digits = _ALPHABET[rest] + digits
    return "E" + digits.rjust(_EVENT_DIGITS, "A")


def _event_of_serial(serial: str) -> int | None:
    if not serial.startswith("E"):
        return None
    number = 0
    for letter in serial[1:]:
        number = number * 32 + _ALPHABET.index(letter)
    return number


@dataclass(frozen=True)
class Poster:
    """What a poster's form is for: the shop (`event` None), or an event's walk-ins."""

    event: Event | None


def _no_such_poster() -> DomainError:
    return not_found("áp phích đăng ký này", "This registration poster",
                     code="poster_not_found")


def _no_walk_ins() -> DomainError:
    return conflict("walk_ins_not_allowed",
                    "Sự kiện này không nhận khách không có thư mời: không có áp phích đăng ký.",
                    "This event does not admit walk-ins: it has no registration poster.")


def poster_of(session: Session, *, token: str, signer: TokenSigner) -> Poster:
    """The poster a scanned token (or the form's link) names; a forged token, another
    kind of token, or the poster of an event that no longer admits walk-ins is refused
    (404, the same whichever)."""
    serial = signer.serial_of(token, TokenKind.POSTER)
    if serial is None:
        raise _no_such_poster()
    if serial == SHOP_SERIAL:
        return Poster(event=None)
    event_id = _event_of_serial(serial)
    event = session.get(Event, event_id) if event_id else None
    if event is None or not event.allow_walk_in:
        raise _no_such_poster()
    return Poster(event=event)


def form_link(settings: Settings, signer: TokenSigner, *, event_id: int | None = None) -> str:
    """The link a poster's QR holds: the form's page for the shop, or for an event."""
    serial = SHOP_SERIAL if event_id is None else event_serial(event_id)
    return token_link(settings.public_url, signer.sign(TokenKind.POSTER, serial), "j")


def shop_poster_pdf(*, settings: Settings, signer: TokenSigner) -> bytes:
    """The shop's A4 poster: scan to become a member."""
    image = layouts.registration_poster(link=form_link(settings, signer),
                                        brand=prints.brand_of(settings))
    return export.pdf_bytes([image], title=f"{settings.business_name} · Đăng ký thành viên")


def event_poster_pdf(session: Session, *, event_id: int, settings: Settings,
                     signer: TokenSigner) -> bytes:
    """An event's A4 poster for walk-ins (409 `walk_ins_not_allowed` for an event that
    admits none)."""
    event = events.get_event(session, event_id=event_id)
    if not event.allow_walk_in:
        raise _no_walk_ins()
    image = layouts.registration_poster(link=form_link(settings, signer, event_id=event_id),
                                        words=layouts.event_words(event.name),
                                        brand=prints.brand_of(settings))
    return export.pdf_bytes([image], title=f"{event.name} · Đăng ký")
