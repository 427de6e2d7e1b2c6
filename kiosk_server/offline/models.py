"""What each kiosk last said of itself: whether it reaches the server, its queue of scans
judged offline, and its last upload, for the monitor."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime


class KioskState(SQLModel, table=True):
    """One kiosk device's last report (its sync, every few seconds while it is online).

    `last_seen_at` is the server's clock; the other times are the kiosk's own, corrected
    for the difference between its clock and the server's."""

    __tablename__ = "kiosk_states"
    device_id: int = Field(foreign_key="devices.id", primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    # Since when the kiosk has been judging scans by itself (null: it reaches the server).
    offline_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    queued: int = 0  # scans judged offline, not yet uploaded
    oldest_queued_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_upload_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
