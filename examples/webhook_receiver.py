"""A gateway's side of the Kiosk webhook: check the signature and the time, drop repeats.

Run: KIOSK_WEBHOOK_SECRET=... python examples/webhook_receiver.py 8080
Standard library only; copy `verify` into a gateway written in Python.
"""

import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_S = 300  # refuse a request signed more than 5 minutes away from now


class Refused(Exception):
    pass


def verify(secret: bytes, headers: Mapping[str, str] | Message, body: bytes,
           now: float | None = None) -> dict:
    """The message, if the Kiosk server signed this body recently; else `Refused`."""
    timestamp = headers.get("X-Kiosk-Timestamp") or ""
    signature = headers.get("X-Kiosk-Signature") or ""
    if not timestamp.isdigit():
        raise Refused("no timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_S:
        raise Refused("signed too long ago (or in the future): a replayed request?")
    expected = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest("sha256=" + expected, signature):
        raise Refused("bad signature")
    return json.loads(body)


class Handler(BaseHTTPRequestHandler):
    secret = os.environ.get("KIOSK_WEBHOOK_SECRET", "").encode()
    delivered: set[int] = set()  # a real gateway keeps these ids in its database

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            message = verify(self.secret, self.headers, body)
        except (Refused, ValueError):
            self.send_response(401)
            self.end_headers()
            return
        # The same id again is a retry of a message already handled (its answer was lost
        # or came too late): answer 200 and do not send it a second time.
        if message["id"] not in self.delivered:
            try:
                forward(message)
            except Exception:  # not sent: a 5xx has Kiosk try again later
                self.send_response(502)
                self.end_headers()
                return
            self.delivered.add(message["id"])
        self.send_response(200)
        self.end_headers()


def forward(message: dict) -> None:
    """Hand the message to the SMS or Zalo provider here (raise if it failed)."""
    print(f"to {message['to']}: {message['text']}")


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
