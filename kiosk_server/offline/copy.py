"""The kiosk's copy of its event's guest list, and the crypto that keeps it unreadable.

A kiosk keeps this copy to judge scans while the network is down. A lost or stolen
tablet must not give the guest list away, so the copy names nobody in clear. Wire
format (the kiosk's page does the same with WebCrypto):

- T, the token text: `extract_token_text(scanned)` (upper case, a URL's last segment).
- S, the event's salt: the first 16 bytes of HMAC-SHA256(server secret,
  "kiosk/offline/salt/<event id>"): stable across restarts, different per event; sent
  in base64url without padding.
- lookup = base64url(HKDF-SHA256(ikm=T, salt=S, info="kiosk/offline/lookup", 16 bytes)):
  the key of the copy's entries. It cannot be turned back into the token.
- key = HKDF-SHA256(ikm=T, salt=S, info="kiosk/offline/seal", 32 bytes), an AES-256-GCM
  key; box = base64url(nonce (12 random bytes) || ciphertext with its tag), the lookup's
  ASCII as associated data, the plaintext the UTF-8 JSON {"name", "visit_count", "vip"}.
  Only the guest's own code opens their box: the name shows when their QR is shown.
"""

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session

from kiosk_server.cards import service as cards
from kiosk_server.checkin import feed, messages
from kiosk_server.checkin import service as checkin
from kiosk_server.checkin.models import ScanStatus
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Guest
from kiosk_server.events import service as events
from kiosk_server.events.models import InvitationStatus
from kiosk_server.offline.api_models import CopyEntry, CopyEvent, KioskCopy

SALT_BYTES = 16
LOOKUP_INFO = b"kiosk/offline/lookup"
SEAL_INFO = b"kiosk/offline/seal"
LOOKUP_BYTES = 16
KEY_BYTES = 32
NONCE_BYTES = 12


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def event_salt(secret: bytes, event_id: int) -> bytes:
    """The salt of an event's lookups and keys (stable as long as the server secret is)."""
    message = f"kiosk/offline/salt/{event_id}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).digest()[:SALT_BYTES]


def _hkdf(token_text: str, salt: bytes) -> tuple[bytes, bytes]:
    """HKDF-SHA256 (RFC 5869) of a token text: its lookup's 16 bytes and its 32-byte key."""
    material = token_text.encode("ascii")
    return (HKDF(hashes.SHA256(), LOOKUP_BYTES, salt, LOOKUP_INFO).derive(material),
            HKDF(hashes.SHA256(), KEY_BYTES, salt, SEAL_INFO).derive(material))


def lookup_of(token_text: str, salt: bytes) -> str:
    """The copy's key for a code's token text."""
    return b64url(_hkdf(token_text, salt)[0])


_GUEST_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def guest_plaintext(name: str, visit_count: int, vip: bool) -> bytes:
    """What a box holds: the UTF-8 JSON {"name", "visit_count", "vip"}."""
    return _GUEST_JSON.encode({"name": name, "visit_count": visit_count,
                               "vip": vip}).encode("utf-8")


def seal(key: bytes, lookup: str, plaintext: bytes, nonce: bytes) -> str:
    """`plaintext` in a box only `key` opens, bound to its entry by the lookup."""
    return b64url(nonce + AESGCM(key).encrypt(nonce, plaintext, lookup.encode("ascii")))


@dataclass(frozen=True)
class _Invited:
    """What the copy says of one invitation, for its own entry and its holder's cards."""

    ref: int
    status: ScanStatus
    arrival: checkin.Arrival | None
    plaintext: bytes | None  # what the box holds; None for an erased customer


def _invited(ref: int, status: InvitationStatus, guest: Guest,
             arrival: checkin.Arrival | None) -> _Invited:
    erased = guest.erased_at is not None
    revoked = erased or status is InvitationStatus.CANCELLED
    before = guest.visit_count - (arrival.entries if arrival else 0)
    shown = None if erased else guest_plaintext(guest.name, max(before, 0), guest.vip)
    return _Invited(ref, ScanStatus.REVOKED if revoked else ScanStatus.OK, arrival, shown)


class _Entries:
    """The copy's entries as they are made: each token's lookup and sealed box."""

    def __init__(self, salt: bytes) -> None:
        self.salt = salt
        self.items: list[CopyEntry] = []
        self._random = b""  # nonces, drawn from the OS a thousand at a time
        self._taken = 0

    def _nonce(self) -> bytes:
        if self._taken >= len(self._random):
            self._random, self._taken = os.urandom(NONCE_BYTES * 1024), 0
        self._taken += NONCE_BYTES
        return self._random[self._taken - NONCE_BYTES:self._taken]

    def add(self, token_text: str, invited: _Invited, status: ScanStatus) -> None:
        digest, key = _hkdf(token_text, self.salt)
        lookup = b64url(digest)
        arrival = invited.arrival
        box = None
        if invited.plaintext is not None:
            box = seal(key, lookup, invited.plaintext, self._nonce())
        self.items.append(CopyEntry(
            id=lookup, ref=invited.ref, status=status,
            checked_in_at=arrival.checked_in_at if arrival else None,
            gate=arrival.gate if arrival else None, box=box,
        ))


def kiosk_copy(session: Session, *, event_id: int, gate: str, signer: TokenSigner,
               salt: bytes, timezone: str) -> KioskCopy:
    """What a kiosk of this event needs to judge scans by itself (see the module's
    docstring): every invitation of the event, its guests' cards, and the invitations to
    the other events not over (wrong_event). A handful of queries, whatever the guest
    list's size."""
    event = events.get_event(session, event_id=event_id)
    now = utcnow()
    # Read first: an update made while the copy is read is in it and replayed by the next
    # sync, which does no harm; one made before and missed could not be.
    last_seq = feed.last_seq(session, event_id=event_id)
    holders = events.invited(event_id)
    guests = customers.guests_within(session, customer_ids=holders)
    arrivals = checkin.arrivals_at_event(session, event_id=event_id)
    entries = _Entries(salt)
    by_holder: dict[int, _Invited] = {}
    for ref, customer_id, serial, status in events.serials_of_event(session, event_id=event_id):
        invited = _invited(ref, status, guests[customer_id], arrivals.get(ref))
        by_holder[customer_id] = invited
        entries.add(signer.sign(TokenKind.INVITATION, serial), invited, invited.status)
    for customer_id, serial, active in cards.serials_of_holders(session, customer_ids=holders):
        invited = by_holder[customer_id]
        entries.add(signer.sign(TokenKind.CARD, serial), invited,
                    invited.status if active else ScanStatus.REVOKED)
    for ref, serial in events.open_serials_elsewhere(session, event_id=event_id, now=now):
        other = _Invited(ref, ScanStatus.WRONG_EVENT, None, None)  # a kiosk names nobody there
        entries.add(signer.sign(TokenKind.INVITATION, serial), other, other.status)
    return KioskCopy(
        event=CopyEvent(id=event_id, name=event.name, gate=gate,
                        opens_at=event.checkin_opens_at, closes_at=event.checkin_closes_at,
                        allow_reentry=event.allow_reentry, timezone=timezone),
        salt=b64url(salt), generated_at=now, last_seq=last_seq,
        messages={language: messages.templates(language) for language in ("vi", "en")},
        entries=entries.items,
    )
