"""Batch exports of an event's badges or invitations, made off the request path."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from kiosk_server.core.types import UtcDateTime, enum_column, utcnow


class ExportKind(StrEnum):
    BADGES_PDF = "badges_pdf"  # one A6 badge per page, for badge printers
    BADGE_SHEETS_PDF = "badge_sheets_pdf"  # several badges per A4 page, for office printers
    BADGES_ZIP = "badges_zip"  # one PNG per guest
    INVITATIONS_PDF = "invitations_pdf"
    INVITATIONS_ZIP = "invitations_zip"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    # Made before one of its guests' data was erased: its file is deleted, make it again.
    WITHDRAWN = "withdrawn"


class Export(SQLModel, table=True):
    __tablename__ = "exports"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    kind: ExportKind = Field(sa_type=enum_column(ExportKind))
    status: ExportStatus = Field(default=ExportStatus.QUEUED, sa_type=enum_column(ExportStatus))
    done: int = 0
    total: int = 0
    file_name: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, max_length=500)
    # Which server process makes it ("host:pid"): a restart fails what a dead one left.
    worker: str = Field(default="", max_length=100)
    created_by: int | None = Field(default=None, foreign_key="staff_users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ExportCreate(SQLModel):
    kind: ExportKind


class ExportPublic(SQLModel):
    id: int
    event_id: int
    kind: ExportKind
    status: ExportStatus
    done: int = Field(description="items rendered so far")
    total: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    download: str | None = Field(description="where to get the file, once done")
