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

A code the copy does not know is queued sealed to the server (a stolen tablet must not give
away a code that may be a guest's):

- the server's key: the P-256 key of scalar HMAC-SHA256(server secret,
  "kiosk/offline/upload-key") mod (n - 1) + 1, stable across restarts and processes; the
  copy gives its public point (uncompressed, 65 bytes) in base64url (`upload_key`);
- the kiosk draws a P-256 key pair for each code, and from ECDH with the server's key (the
  shared point's x, 32 bytes): key = HKDF-SHA256(ikm=x, salt=its own public point,
  info="kiosk/offline/upload", 32 bytes), an AES-256-GCM key;
- sealed_code = base64url(its public point (65) || nonce (12) || ciphertext with its tag)
  of the code's UTF-8 text, no associated data. Only the server opens it
  (`open_sealed_code`).
"""

import base64
import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
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
UPLOAD_INFO = b"kiosk/offline/upload"
POINT_BYTES = 65  # an uncompressed P-256 point
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def event_salt(secret: bytes, event_id: int) -> bytes:
    """The salt of an event's lookups and keys (stable as long as the server secret is)."""
    message = f"kiosk/offline/salt/{event_id}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).digest()[:SALT_BYTES]


@functools.cache
def upload_key(secret: bytes) -> ec.EllipticCurvePrivateKey:
    """The server's key that codes queued by a kiosk are sealed to (see the docstring)."""
    scalar = int.from_bytes(hmac.new(secret, b"kiosk/offline/upload-key",
                                     hashlib.sha256).digest())
    return ec.derive_private_key(scalar % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def upload_public_key(secret: bytes) -> str:
    """The public point of `upload_key`, as the copy gives it."""
    return b64url(upload_key(secret).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint))


def open_sealed_code(secret: bytes, sealed: str) -> str | None:
    """The code a kiosk sealed (see the docstring), or None if this is not one sealed to
    this server's key."""
    try:
        data = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        point, nonce = data[:POINT_BYTES], data[POINT_BYTES:POINT_BYTES + NONCE_BYTES]
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        shared = upload_key(secret).exchange(ec.ECDH(), peer)
        key = HKDF(hashes.SHA256(), KEY_BYTES, point, UPLOAD_INFO).derive(shared)
        return AESGCM(key).decrypt(nonce, data[POINT_BYTES + NONCE_BYTES:], None).decode()
    except (ValueError, InvalidTag):  # (a bad point, base64, tag or UTF-8 is a ValueError)
        return None


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
               salt: bytes, upload_key_text: str, timezone: str) -> KioskCopy:
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
        salt=b64url(salt), upload_key=upload_key_text, generated_at=now, last_seq=last_seq,
        messages={language: messages.templates(language) for language in ("vi", "en")},
        entries=entries.items,
    )
