"""Signed QR tokens: the text inside every QR code Kiosk prints.

Wire format, version 1 (44 characters, all in QR alphanumeric mode so the
printed code stays small: digits, A-Z and `.`):

    1I.ABCDEFGHIJKLMNOP.ABCDEFGHIJKLMNOPQRSTUVWX
    ^^ ^^^^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^^^^^^^^^
    ||  serial           tag
    |kind
    version

- version: one digit, `1`. A reader refuses versions it does not know.
- kind: one letter naming what the token opens: `C` membership card,
  `I` event invitation, `V` coupon (voucher), `F` feedback on a visit, `L` a
  customer's one-time sign-in link to their portal, `P` a registration poster
  (its serial names the shop or an event, see `kiosk_server.signup.posters`: a
  poster is public, printed on a wall, so its serial need not be secret; the
  tag still keeps anyone from making one), `X` the exit survey sent to a customer who
  lapsed (`kiosk_server.calls.survey`). New kinds take new letters without changing
  the format.
- serial: 16 base32 characters (RFC 4648 alphabet A-Z2-7, no padding) of 80
  random bits. It is the token's identity in the database; it is not
  derived from any database id, so codes cannot be guessed or enumerated.
- tag: 24 base32 characters, the first 120 bits of
  HMAC-SHA256(key, "1I.<serial>") where key = HMAC-SHA256(server secret,
  "kiosk/qr-token"). It is checked in constant time before any database
  lookup, so a forged or altered code costs one hash and nothing else.

Readers accept the token in either letter case (a keyboard-wedge scanner with
Caps Lock on inverts it) and inside a URL whose last path segment is the token,
so the QR may hold a link to the server's card page.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

VERSION = "1"
SERIAL_BYTES = 10
TAG_BYTES = 15
MAX_SCANNED_LENGTH = 512
# Matched with fullmatch: `$` alone would also accept a trailing newline.
_TOKEN = re.compile(r"([0-9])([A-Z])\.([A-Z2-7]{16})\.([A-Z2-7]{24})")


class TokenKind(StrEnum):
    CARD = "C"
    INVITATION = "I"
    COUPON = "V"
    FEEDBACK = "F"
    SIGN_IN = "L"
    POSTER = "P"
    EXIT_SURVEY = "X"
    UNSUBSCRIBE = "U"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    serial: str


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def new_serial() -> str:
    """80 random bits as 16 base32 characters."""
    return _b32(secrets.token_bytes(SERIAL_BYTES))


class TokenSigner:
    """Makes and checks tokens with a key derived from the server secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"kiosk/qr-token", hashlib.sha256).digest()

    def _tag(self, head: str) -> str:
        return _b32(hmac.new(self._key, head.encode("ascii"), hashlib.sha256).digest()[:TAG_BYTES])

    def sign(self, kind: TokenKind, serial: str) -> str:
        head = f"{VERSION}{kind.value}.{serial}"
        return f"{head}.{self._tag(head)}"

    def verify(self, scanned: str) -> Token | None:
        """The token inside `scanned` (bare or in a URL) if its signature holds, else None."""
        match = _TOKEN.fullmatch(extract_token_text(scanned))
        if match is None:
            return None
        version, kind_letter, serial, tag = match.groups()
        if version != VERSION:
            return None
        if not hmac.compare_digest(self._tag(f"{version}{kind_letter}.{serial}"), tag):
            return None
        try:
            kind = TokenKind(kind_letter)
        except ValueError:
            return None
        return Token(kind=kind, serial=serial)

    def serial_of(self, scanned: str, kind: TokenKind) -> str | None:
        """The serial of the token of `kind` inside `scanned`; None for a forged or altered
        one, or a token of another kind (what a page or an endpoint of one kind refuses
        alike)."""
        token = self.verify(scanned)
        return token.serial if token is not None and token.kind is kind else None


def extract_token_text(scanned: str) -> str:
    """The candidate token in a scan: the text itself, or a URL's last path segment.

    Only ASCII text can be a token: upper-casing anything else would let look-alikes
    through ('ı' and 'ſ' upper-case to 'I' and 'S')."""
    text = scanned.strip()[:MAX_SCANNED_LENGTH]
    if not text.isascii():
        return ""
    if "/" in text:
        text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return text.upper()


def token_link(public_url: str, token: str, page: str) -> str:
    """A link to the server's page `page` ("c": a card, "f": feedback) for `token`: what a
    QR holds when scanning it with a phone should open that page. Its last segment is the
    token, which the kiosk and the till read from it. Upper-cased where that changes
    nothing a browser needs (scheme, host, the page letter), so the QR stays in the
    compact alphanumeric mode."""
    base = public_url.rstrip("/")
    scheme, sep, rest = base.partition("://")
    host, _, path = rest.partition("/")
    if sep and not path:
        return f"{scheme.upper()}://{host.upper()}/{page.upper()}/{token}"
    return f"{base}/{page.lower()}/{token}"
