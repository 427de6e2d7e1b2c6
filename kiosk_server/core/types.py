"""Column types, and the value types every request model shares."""

import re
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, AwareDatetime, StringConstraints
from pydantic_core import PydanticCustomError
from sqlalchemy import DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Language(StrEnum):
    """The languages Kiosk speaks: Vietnamese first, English on request."""

    VI = "vi"
    EN = "en"


def enum_column(enum_class: type[Enum]) -> SAEnum:
    """An enum stored as its value in a plain VARCHAR (no database enum type to migrate)."""
    return SAEnum(
        enum_class, native_enum=False, length=32, validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


# Ids are 32-bit on PostgreSQL: a larger number is a client error, not a database one.
MAX_ID = 2**31 - 1
Id = Annotated[int, Ge(1), Le(MAX_ID)]

# A value a validator refuses is a `PydanticCustomError` with a stable type (the 422's
# `type`: "control_characters", "ends_before_start"...), which the pages turn into a sentence
# in their language; a bare ValueError would reach them as "value_error" and English text.

# Control characters are never part of what people type; PostgreSQL refuses NUL outright.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "text may not contain control characters")
    return value


def _notes(value: str) -> str:
    if _CONTROL_IN_NOTES.search(value):
        raise PydanticCustomError(
            "control_characters",
            "text may not contain control characters other than tab and new line")
    return value


# Written after length constraints (StringConstraints) so that a value too short is
# `string_too_short`; written before them, pydantic reports a list's `too_short`.
NO_CONTROL_CHARACTERS = AfterValidator(_plain)
PlainText = Annotated[str, NO_CONTROL_CHARACTERS]
"""One line of text (a name, a label, a search)."""

NoteText = Annotated[str, AfterValidator(_notes)]
"""Free text that may span lines (notes)."""

# Times a person can mean for an event or a visit; outside them, date arithmetic overflows.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise PydanticCustomError("time_out_of_range",
                                  "the time must be between the years 2000 and 2099")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""A timezone-aware time between 2000 and 2099."""


# Made by a page once per form it sends (a UUID): a retry with the same key acts once.
CLIENT_KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
ClientKey = Annotated[str, StringConstraints(pattern=CLIENT_KEY_PATTERN)]
