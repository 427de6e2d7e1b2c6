"""What the kiosk says for each scan outcome, in words a guest understands (vi / en)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk_server.checkin.models import ScanStatus

_MESSAGES: dict[ScanStatus, tuple[str, str]] = {
    ScanStatus.OK: ("Xin chào {name}! Mời bạn vào.", "Welcome, {name}! Please go in."),
    ScanStatus.ALREADY_CHECKED_IN: (
        "{name} đã check-in lúc {time}{at_gate_vi}.",
        "{name} already checked in at {time}{at_gate_en}.",
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
}
_EVENT_FULL = ("Sự kiện đã đủ chỗ. Vui lòng gặp nhân viên.",
               "The event is full. Please see a staff member.")
_NOT_YET_OPEN = ("Chưa đến giờ check-in. Mở lúc {time}.",
                 "Check-in is not open yet. It opens at {time}.")
_CLOSED = ("Check-in đã đóng.", "Check-in has closed.")


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


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
            return _pick(_CLOSED, language)
        return _pick(_NOT_YET_OPEN, language).format(time=_clock(opens_at, zone))
    if status is ScanStatus.NOT_INVITED and event_full:
        return _pick(_EVENT_FULL, language)
    return _pick(_MESSAGES[status], language).format(
        name=name or ("Quý khách" if language != "en" else "Guest"),
        time=_clock(first_at, zone) if first_at else "",
        at_gate_vi=f" tại cổng {gate}" if gate else "",
        at_gate_en=f" at gate {gate}" if gate else "",
    )
