"""What the kiosk says for each scan outcome, in words a guest understands (vi / en).

One set of sentences: the server's answers (`scan_message`) and the templates an offline
kiosk fills in by itself (`templates`, sent in its copy) are both made from them."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk_server.checkin.models import ScanStatus
from kiosk_server.core.text import Words, say

# Each sentence in Vietnamese and English. Placeholders: {name} the guest's name (else
# `guest`), {time} HH:MM in the shop's time zone, {at_gate} `at_gate` filled with {gate}
# (`at_named_gate` for a gate whose name says it is one: "tại Cổng A", not "tại cổng Cổng
# A"; nothing when the gate has no name).
_SENTENCES: dict[str, Words] = {
    ScanStatus.OK: ("Xin chào {name}! Mời bạn vào.", "Welcome, {name}! Please go in."),
    ScanStatus.ALREADY_CHECKED_IN: (
        "{name} đã check-in lúc {time}{at_gate}.",
        "{name} already checked in at {time}{at_gate}.",
    ),
    ScanStatus.INVALID: (
        "Mã QR không hợp lệ. Vui lòng gặp nhân viên.",
        "This QR code is not valid. Please see a staff member.",
    ),
    ScanStatus.REVOKED: (
        "Mã này đã bị hủy. Vui lòng gặp nhân viên.",
        "This code has been cancelled. Please see a staff member.",
    ),
    ScanStatus.WRONG_EVENT: (
        "Thư mời này dành cho một sự kiện khác.",
        "This invitation is for a different event.",
    ),
    ScanStatus.NOT_INVITED: (
        "Bạn chưa có tên trong danh sách khách mời. Vui lòng gặp nhân viên.",
        "You are not on the guest list. Please see a staff member.",
    ),
    "event_full": ("Sự kiện đã đủ chỗ. Vui lòng gặp nhân viên.",
                   "The event is full. Please see a staff member."),
    "not_yet_open": ("Chưa đến giờ check-in. Mở lúc {time}.",
                     "Check-in is not open yet. It opens at {time}."),
    "closed": ("Check-in đã đóng.", "Check-in has closed."),
    "at_gate": (" tại cổng {gate}", " at gate {gate}"),
    "at_named_gate": (" tại {gate}", " at {gate}"),
    "guest": ("Quý khách", "Guest"),
}


# The gate names that say they are one (kiosk_ui/static/gate-name.js has the same rule).
_NAMES_ITSELF = re.compile(r"(cổng|gate)(\s|$)", re.IGNORECASE)


def _pick(key: str, language: str) -> str:
    return say(_SENTENCES[key], language)


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def templates(language: str) -> dict[str, str]:
    """Every sentence of `scan_message` as a template with its placeholders, keyed by the
    scan status (or `event_full`, `not_yet_open`, `closed`, `at_gate`, `at_named_gate`,
    `guest`): what a kiosk judging scans offline fills in to say what the server would."""
    return {str(key): _pick(key, language) for key in _SENTENCES}


def scan_message(
    status: ScanStatus,
    *,
    language: str,
    zone: ZoneInfo,
    name: str = "",
    first_at: datetime | None = None,
    gate: str = "",
    opens_at: datetime | None = None,
    event_full: bool = False,
) -> str:
    """The sentence shown and spoken for one scan outcome."""
    if status is ScanStatus.NOT_OPEN:
        if opens_at is None:
            return _pick("closed", language)
        return _pick("not_yet_open", language).format(time=_clock(opens_at, zone))
    if status is ScanStatus.NOT_INVITED and event_full:
        return _pick("event_full", language)
    return _pick(status, language).format(
        name=name or _pick("guest", language),
        time=_clock(first_at, zone) if first_at else "",
        at_gate=_at_gate(gate, language),
    )


def _at_gate(gate: str, language: str) -> str:
    if not gate:
        return ""
    return _pick("at_named_gate" if _NAMES_ITSELF.match(gate) else "at_gate",
                 language).format(gate=gate)
