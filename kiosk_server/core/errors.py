"""Domain errors: a stable machine code, a message in Vietnamese and English, a status.

Services raise these; one handler in `main.py` renders them as
`{"error": {"code": ..., "message": ..., "field": ...}}`. 422 is kept for
payloads that do not parse, which FastAPI reports itself.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class DomainError(Exception):
    code: str
    message_vi: str
    message_en: str
    status: int = 400
    field: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_vi

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


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
