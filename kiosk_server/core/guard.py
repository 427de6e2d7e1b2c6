"""What every request passes before it reaches a route: cross-site checks and body sizes.

**Cross-site requests.** A browser attaches our cookies (the staff session) to any
request it sends to us, whichever site asked it to. So a request that could only be
authenticated by a cookie (it has a `Cookie` header and no `Authorization` header)
and that changes something (any method but GET, HEAD, OPTIONS) must come from our
own pages: its `Origin` (or, without one, its `Referer`) must be our public origin
(`KIOSK_PUBLIC_URL`) or the origin the request itself was addressed to (its `Host`
with its scheme). Every browser sends `Origin` with such requests and a page cannot
forge it, so this needs no token in the pages and no state on the server, and it
holds for every endpoint, present and future. Accepting the request's own host as
well as the public origin lets a shop open the admin area by the machine's address
before it sets `KIOSK_PUBLIC_URL`; another site never matches that host, and a site
that points its own name at our address gets none of our cookies. As a second
fence, such a request may not carry a body of a type that a plain HTML form can send
cross-site without asking (`text/plain`, form-encoded, multipart): our JSON and CSV
endpoints take `application/json` and `text/csv`. Websockets opened with a cookie
are held to the same origin rule, since browsers let any site open one.
Callers with an `Authorization` header (API and device tokens) are not concerned: a
browser never adds that header on another site's behalf.

**Body sizes.** A body longer than its kind allows is refused with 413 before it is
read (by its `Content-Length`) or as soon as it grows past the limit (a chunked
body): a request without credentials (sign-in, pairing) may send a few KiB, a staff
request 256 KiB, a file upload 5 MiB.
"""

import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_server.core.errors import DomainError, error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a cross-site HTML form (or a "simple" fetch) may send without a preflight.
_FORM_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# A websocket refused before it is accepted: the handshake is answered 403.
_WS_REFUSED: Message = {"type": "websocket.close", "code": 4403}


@dataclass(frozen=True)
class BodyLimits:
    """The largest body, in bytes, of each kind of request."""

    anonymous: int = 16 * 1024
    staff: int = 256 * 1024
    upload: int = 5 * 1024 * 1024


def media_type(content_type: str) -> str:
    """A `Content-Type`'s type without its parameters, lower case (`text/plain`)."""
    return content_type.split(";")[0].strip().lower()


def origin_of(url: str) -> str | None:
    """`scheme://host:port` of a URL (default ports written out), or None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or _DEFAULT_PORTS[scheme]}"


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", [])}


def too_large(limit: int) -> DomainError:
    kib = limit // 1024
    size_vi = f"{kib // 1024} MB" if kib >= 1024 else f"{kib} KB"
    return DomainError("body_too_large", f"Dữ liệu gửi lên quá lớn (tối đa {size_vi}).",
                       f"The request is too large ({size_vi} at most).", status=413)


def _cross_site() -> DomainError:
    return DomainError("cross_site_request",
                       "Yêu cầu này không đến từ trang của Kiosk nên đã bị từ chối. "
                       "Hãy tải lại trang rồi thử lại.",
                       "This request did not come from Kiosk's own pages and was refused. "
                       "Reload the page and try again.", status=403)


def refuse_cross_site_read(headers: Mapping[str, str]) -> None:
    """For the few reads that hand over personal data (a customer's export): refused when
    the browser says another site asked for it (`Sec-Fetch-Site`) and only a cookie vouches
    for the caller. A link on another site could otherwise have an admin's browser fetch
    (and the log record) a download the admin never asked for."""
    site = headers.get("sec-fetch-site", "same-origin")
    if _cookie_only(headers) and site not in ("same-origin", "none"):
        raise _cross_site()


def _form_body() -> DomainError:
    return DomainError("unsupported_media_type",
                       "Dữ liệu phải được gửi dưới dạng JSON (hoặc CSV khi nhập tệp).",
                       "The body must be JSON (or CSV for an import).", status=415)


class RequestGuard:
    """ASGI middleware: the cross-site and body-size rules above, for every request."""

    def __init__(self, app: ASGIApp, *, public_url: str, limits: BodyLimits,
                 is_upload: Callable[[str], bool]) -> None:
        self.app = app
        self.public_origin = origin_of(public_url)
        self.limits = limits
        self.is_upload = is_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = _headers(scope)
            if _cookie_only(headers) and not self._same_origin(scope, headers):
                await send(_WS_REFUSED)
                return
        elif scope["type"] == "http":
            headers = _headers(scope)
            limit = self._limit(scope, headers)
            refusal = self._refusal(scope, headers, limit)
            if refusal is not None:
                await error_response(Request(scope), refusal)(scope, receive, send)
                return
            capped = _Capped(scope, receive, send, limit)
            receive, send = capped.receive, capped.send
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str], limit: int
                 ) -> DomainError | None:
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return too_large(limit)
        if scope["method"] in SAFE_METHODS or not _cookie_only(headers):
            return None
        if not self._same_origin(scope, headers):
            return _cross_site()
        if media_type(headers.get("content-type", "")) in _FORM_TYPES:
            return _form_body()
        return None

    def _limit(self, scope: Scope, headers: dict[str, str]) -> int:
        if "authorization" not in headers and "cookie" not in headers:
            return self.limits.anonymous
        return self.limits.upload if self.is_upload(scope["path"]) else self.limits.staff

    def _same_origin(self, scope: Scope, headers: dict[str, str]) -> bool:
        claimed = headers.get("origin") or headers.get("referer")
        origin = origin_of(claimed) if claimed else None
        if origin is None:
            return False
        if origin == self.public_origin:
            return True
        scheme = {"ws": "http", "wss": "https"}.get(scope["scheme"], scope["scheme"])
        host = headers.get("host")
        return host is not None and origin == origin_of(f"{scheme}://{host}")


def _cookie_only(headers: Mapping[str, str]) -> bool:
    """Credentials, if any, come from a cookie the browser attached by itself."""
    return "cookie" in headers and "authorization" not in headers


class _Capped:
    """The request's `receive` and `send`, for a body that may grow past `limit` bytes:
    then the client is answered 413 at once, and the app is told the client left (what
    it would still send is dropped), so it stops reading and saves nothing."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self.scope, self._receive, self._send, self.limit = scope, receive, send, limit
        self.seen = 0
        self.started = self.refused = False

    async def receive(self) -> MutableMapping[str, Any]:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.seen += len(message.get("body", b""))
        if self.seen <= self.limit:
            return message
        if not self.started:
            refusal = error_response(Request(self.scope), too_large(self.limit))
            await refusal(self.scope, self._receive, self._send)
        self.refused = True
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def route_matcher(patterns: list[re.Pattern[str]]) -> Callable[[str], bool]:
    """Whether a path is one of these routes' (their compiled `path_regex`)."""
    def matches(path: str) -> bool:
        return any(pattern.match(path) for pattern in patterns)
    return matches

