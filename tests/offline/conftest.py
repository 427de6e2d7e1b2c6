"""What the offline tests share: a kiosk device of an event, and the kiosk's side of the
copy's crypto written again from its specification (HKDF and AES-GCM of `cryptography`),
so that the server's own code is checked against it, not against itself."""

import base64
import json
import os
import uuid
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def device(client, admin, event_id: int, gate: str = "A", name: str | None = None
           ) -> dict[str, str]:
    """A kiosk device of the event's gate: its request headers."""
    made = client.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                       json={"name": name or f"Cổng {gate}", "gate": gate})
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(token: str, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=salt, info=info).derive(
        token.encode("ascii"))


def lookup(token: str, salt: str) -> str:
    """The copy's key for a scanned token, as the kiosk computes it."""
    digest = _hkdf(token.upper(), unb64(salt), b"kiosk/offline/lookup", 16)
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def open_box(entry: dict, token: str, salt: str) -> dict:
    """The guest an entry's box holds, opened with the guest's token."""
    key = _hkdf(token.upper(), unb64(salt), b"kiosk/offline/seal", 32)
    sealed = unb64(entry["box"])
    plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], entry["id"].encode("ascii"))
    return json.loads(plain)


def sealed(code: str, copy: dict) -> str:
    """`code` sealed to the server's upload key of `copy`, as the kiosk seals an unknown one."""
    server = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                          unb64(copy["upload_key"]))
    drawn = ec.generate_private_key(ec.SECP256R1())
    point = drawn.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    key = HKDF(algorithm=SHA256(), length=32, salt=point, info=b"kiosk/offline/upload").derive(
        drawn.exchange(ec.ECDH(), server))
    nonce = os.urandom(12)
    data = point + nonce + AESGCM(key).encrypt(nonce, code.encode("utf-8"), None)
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def entry_of(copy: dict, token: str) -> dict:
    [entry] = [e for e in copy["entries"] if e["id"] == lookup(token, copy["salt"])]
    return entry


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def kiosk_copy(client, headers) -> dict:
    answer = client.get("/api/v1/kiosk/copy", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def by_lookup(copy: dict, token: str, scanned_at: datetime, shown: str = "ok",
              scan_id: str | None = None) -> dict:
    """An uploaded scan of a code the copy knew: its lookup and ref, never the code."""
    entry = entry_of(copy, token)
    return {"scan_id": scan_id or str(uuid.uuid4()), "scanned_at": scanned_at.isoformat(),
            "offline_status": shown, "lookup": entry["id"], "ref": entry["ref"]}


def by_code(code: str, scanned_at: datetime, shown: str = "invalid",
            scan_id: str | None = None) -> dict:
    """An uploaded scan of a code the copy did not know."""
    return {"scan_id": scan_id or str(uuid.uuid4()), "scanned_at": scanned_at.isoformat(),
            "offline_status": shown, "code": code}


def upload(client, headers, scans: list[dict], sent_at: datetime) -> list[dict]:
    answer = client.post("/api/v1/kiosk/uploads", headers=headers,
                         json={"sent_at": sent_at.isoformat(), "scans": scans})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def scan_log(client, admin, event_id: int) -> list[dict]:
    """The event's scan log, oldest first."""
    answer = client.get(f"/api/v1/events/{event_id}/scans", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()[::-1]
