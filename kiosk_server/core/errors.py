"""Domain errors: a stable machine code, a message in Vietnamese and English, a status.

Services raise these; one handler in `main.py` renders them (`error_response`) as
`{"error": {"code": ..., "message": ..., "field": ...}}`. 422 is kept for
payloads that do not parse, which FastAPI reports in its own shape
(`{"detail": [...]}`), with what the client sent made `json_safe` first.
"""

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from kiosk_server.core.text import preferred_language


@dataclass
class DomainError(Exception):
    code: str
    message_vi: str
    message_en: str
    status: int = 400
    field: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_vi

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


def error_response(request: Request, error: DomainError) -> JSONResponse:
    """`error` as the API answers it, in the caller's language."""
    language = preferred_language(request.headers.get("accept-language"))
    body = {"code": error.code, "message": error.message(language), "field": error.field,
            **error.extra}
    return JSONResponse({"error": body}, status_code=error.status, headers=error.headers)


def not_found(what_vi: str, what_en: str, code: str = "not_found") -> DomainError:
    return DomainError(code, f"Không tìm thấy {what_vi}.", f"{what_en} not found.", status=404)


def conflict(code: str, message_vi: str, message_en: str, field: str | None = None) -> DomainError:
    return DomainError(code, message_vi, message_en, status=409, field=field)


def invalid(code: str, message_vi: str, message_en: str, field: str | None = None) -> DomainError:
    return DomainError(code, message_vi, message_en, status=400, field=field)


def unauthenticated() -> DomainError:
    return DomainError(
        "not_authenticated", "Vui lòng đăng nhập.", "Authentication required.", status=401
    )


def forbidden(message_vi: str = "Bạn không có quyền làm việc này.",
              message_en: str = "You are not allowed to do this.") -> DomainError:
    return DomainError("forbidden", message_vi, message_en, status=403)


# How deep an echoed value is shown; deeper parts are cut (`"…"`). A body nested thousands
# of levels deep (a segment's rules) would otherwise overflow the stack while rendering.
ECHO_DEPTH = 12


def json_safe(value: Any, depth: int = 0) -> Any:
    """`value` (what a client sent, echoed in an error) in a form JSON can carry.

    A request may hold what no JSON answer can: `NaN` and `Infinity` (Python's JSON
    reader takes them), lone surrogates (`"\\ud800"`), bytes that are not UTF-8, or
    nesting deeper than rendering can follow. Rendering them would fail, turning a 422
    into a 500."""
    if depth > ECHO_DEPTH and isinstance(value, dict | list | tuple):
        return "…"
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item, depth + 1) for item in value]
    return value
