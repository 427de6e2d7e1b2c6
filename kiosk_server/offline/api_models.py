"""The offline kiosk's API bodies: its copy of the guest list, its sync, its uploads, and
the kiosks' states as the monitor reads them."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from kiosk_server.checkin.models import ScanId, ScanResult, ScanStatus
from kiosk_server.core.types import MAX_ID, Id, Moment

MAX_UPLOAD = 100  # scans in one upload
MAX_QUEUED = 1_000_000
# A lookup: 16 bytes in base64url without padding.
LOOKUP_PATTERN = r"^[A-Za-z0-9_-]{22}$"
Lookup = Annotated[str, StringConstraints(pattern=LOOKUP_PATTERN)]
# A sealed code (copy.py): base64url without padding, of 77 bytes and a code of up to 512
# characters (each up to 4 bytes in UTF-8) with its 16-byte tag.
Sealed = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{126,2855}$")]


class CopyEvent(SQLModel):
    id: int
    name: str
    gate: str = Field(description="the gate of the device that asked")
    opens_at: datetime = Field(description="check-in opens")
    closes_at: datetime | None = Field(description="check-in closes")
    allow_reentry: bool
    timezone: str = Field(description="the shop's time zone, for {time} in the messages")


class CopyEntry(SQLModel):
    id: str = Field(description="the lookup: HKDF of the code's token text (see copy.py)")
    ref: int = Field(description="the invitation it stands for (uploaded with the lookup)")
    status: ScanStatus = Field(description="ok, revoked or wrong_event")
    checked_in_at: datetime | None = Field(description="the invitation's first entry, if any")
    gate: str | None = Field(description="the gate of that first entry")
    box: str | None = Field(description="the guest's name, visits and vip flag, sealed with a "
                                        "key only the code itself gives (null: nobody to name)")


class KioskCopy(SQLModel):
    event: CopyEvent
    salt: str = Field(description="the event's salt for lookups and keys (base64url)")
    upload_key: str = Field(description="the server's P-256 public point (uncompressed, "
                                        "base64url) a code the copy does not know is sealed "
                                        "to before it is queued (see copy.py)")
    generated_at: datetime = Field(description="when the copy was made (server clock)")
    last_seq: int = Field(description="the event feed's last update in the copy: sync after it")
    messages: dict[str, dict[str, str]] = Field(
        description="the server's sentences as templates, by language (vi, en)")
    entries: list[CopyEntry]


class KioskReport(SQLModel):
    """What a kiosk says of itself, on its own clock."""

    offline_since: Moment | None = Field(default=None, description="judging scans by itself "
                                                                   "since then (null: online)")
    queued: int = Field(default=0, ge=0, le=MAX_QUEUED, description="scans waiting to go up")
    oldest_queued_at: Moment | None = None
    last_upload_at: Moment | None = None


class SyncRequest(SQLModel):
    after: int = Field(ge=0, le=MAX_ID, description="the last update number the kiosk has")
    sent_at: Moment = Field(description="the kiosk's clock when sending")
    state: KioskReport


class CheckinChange(SQLModel):
    seq: int
    ref: int = Field(description="the invitation")
    checked_in_at: datetime | None = Field(description="null: not checked in any more (undone)")
    gate: str | None


class SyncAnswer(SQLModel):
    server_time: datetime
    last_seq: int = Field(description="pass as `after` next time")
    changes: list[CheckinChange]
    more: bool = Field(description="more changes wait: ask again at once")


class UploadedScan(SQLModel):
    """A scan judged by the kiosk offline: its code when the copy did not know it (sealed to
    the server's `upload_key`; in clear from a kiosk page of before), else the copy's lookup
    and ref (a kiosk never keeps a guest's code)."""

    scan_id: ScanId
    scanned_at: Moment = Field(description="the kiosk's clock when scanned")
    offline_status: ScanStatus = Field(description="what the kiosk showed")
    code: str | None = Field(default=None, min_length=1, max_length=512)
    sealed_code: Sealed | None = None
    lookup: Lookup | None = None
    ref: Id | None = None

    @model_validator(mode="after")
    def _code_or_lookup(self) -> "UploadedScan":
        given = [self.code is not None, self.sealed_code is not None,
                 self.lookup is not None and self.ref is not None]
        if sum(given) != 1 or (not given[2] and (self.lookup, self.ref) != (None, None)):
            raise PydanticCustomError("code_or_lookup", "give either the scanned code (in "
                                      "clear or sealed) or a lookup with its ref")
        return self


class UploadRequest(SQLModel):
    sent_at: Moment = Field(description="the kiosk's clock when sending")
    scans: list[UploadedScan] = Field(min_length=1, max_length=MAX_UPLOAD,
                                      description="in the order they were scanned")


class UploadedResult(SQLModel):
    scan_id: str
    conflict: bool = Field(description="the kiosk let in a guest the server had already "
                                       "checked in: a duplicate admission")
    result: ScanResult


class UploadAnswer(SQLModel):
    results: list[UploadedResult] = Field(description="in the order of the scans sent")


class KioskOnline(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    NEVER = "never"  # never synced


class KioskLine(SQLModel):
    device_id: int
    name: str
    gate: str
    state: KioskOnline = Field(description="online: seen within the last 10 s and not "
                                           "judging scans by itself")
    since: datetime | None = Field(description="offline: since when")
    last_seen_at: datetime | None
    queued: int
    oldest_queued_at: datetime | None
    last_upload_at: datetime | None
