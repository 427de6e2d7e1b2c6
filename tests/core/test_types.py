"""The value types every request shares: ids the database can hold, times date arithmetic
can shift, and text without control characters."""

import pytest
from pydantic import TypeAdapter, ValidationError

from kiosk_server.core.types import MAX_ID, Id, Moment, NoteText, PlainText

IDS = TypeAdapter(Id)
MOMENTS = TypeAdapter(Moment)
PLAIN = TypeAdapter(PlainText)
NOTES = TypeAdapter(NoteText)

CONTROL = [chr(c) for c in range(0x20)] + ["\x7f"]


def test_ids_are_postgresql_integers():
    assert MAX_ID == 2**31 - 1
    assert IDS.validate_python(1) == 1 and IDS.validate_python(MAX_ID) == MAX_ID
    assert IDS.validate_json(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize("number", [0, -1, MAX_ID + 1, 2**63, 2**64, 2**70])
def test_ids_the_database_cannot_hold_are_refused(number):
    with pytest.raises(ValidationError):
        IDS.validate_python(number)
    with pytest.raises(ValidationError):
        IDS.validate_json(str(number))


@pytest.mark.parametrize("text", ["2000-01-01T00:00:00Z", "2000-01-01T07:00:00+07:00",
                                  "2099-12-31T23:59:59.999999Z", "2026-11-23T09:00:00+07:00"])
def test_times_from_2000_to_2099_are_accepted(text):
    assert MOMENTS.validate_python(text).tzinfo is not None


@pytest.mark.parametrize("text", [
    "1999-12-31T23:59:59Z", "2000-01-01T06:59:59+07:00", "2100-01-01T00:00:00Z",
    "0001-01-01T00:00:00+07:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59Z",
])
def test_times_outside_2000_to_2099_are_refused_with_a_clear_message(text):
    with pytest.raises(ValidationError, match="between the years 2000 and 2099"):
        MOMENTS.validate_python(text)


def test_times_without_a_zone_are_refused():
    with pytest.raises(ValidationError):
        MOMENTS.validate_python("2026-11-23T09:00:00")


def test_plain_text_refuses_every_control_character():
    assert PLAIN.validate_python("Nguyễn Văn Đức, Cổng A") == "Nguyễn Văn Đức, Cổng A"
    for char in CONTROL:
        with pytest.raises(ValidationError, match="control characters"):
            PLAIN.validate_python(f"Lan{char}Anh")


def test_note_text_keeps_tabs_and_line_breaks_but_refuses_other_controls():
    assert NOTES.validate_python("thích trà\r\n\tkhông đường\n") == "thích trà\r\n\tkhông đường\n"
    for char in set(CONTROL) - {"\t", "\n", "\r"}:
        with pytest.raises(ValidationError, match="control characters"):
            NOTES.validate_python(f"ghi chú{char}")
