"""The shop's follow-up settings: whether to ask for feedback by message after a visit (and
how long after), and whether to thank each answer with a coupon for the next visit.

One row, changed by admins week to week on the ratings page (not an environment setting).
Until an admin saves them, the defaults hold: both off."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, prepared_insert, table_of
from kiosk_server.core.text import format_vnd
from kiosk_server.core.types import utcnow
from kiosk_server.feedback.models import (
    FeedbackSettings,
    FeedbackSettingsPublic,
    FeedbackSettingsUpdate,
    ThanksKind,
)

_READ = Prepared(select(*table_of(FeedbackSettings).c).where(col(FeedbackSettings.id) == 1))
_DEFAULTS = FeedbackSettings().model_dump(include={
    "id", "followup_enabled", "followup_delay_minutes", "thanks_enabled", "thanks_kind",
    "thanks_value", "thanks_valid_days"})
_ADD_DEFAULTS = prepared_insert(FeedbackSettings, list(_DEFAULTS), ignore_conflicts=True)


def current(db: Executor) -> FeedbackSettings:
    """The settings now (the defaults, all off, when none were ever saved)."""
    found = _READ.records(db)
    return FeedbackSettings.model_validate(found[0]._asdict() if found else _DEFAULTS)


def benefit_text(kind: ThanksKind, value: int) -> str:
    """What a thank-you coupon says it gives, in both languages (the till and the
    customer's page show it whichever language they are in)."""
    off = f"{value}%" if kind is ThanksKind.PERCENT else format_vnd(value)
    return f"Giảm {off} cho lần ghé tới · {off} off your next visit"


def to_public(row: FeedbackSettings) -> FeedbackSettingsPublic:
    return FeedbackSettingsPublic(
        **row.model_dump(include=set(FeedbackSettingsPublic.model_fields)),
        thanks_benefit=benefit_text(row.thanks_kind, row.thanks_value))


def update_settings(session: Session, *, data: FeedbackSettingsUpdate, by: int | None,
                    now: datetime | None = None) -> tuple[FeedbackSettings, dict[str, Any]]:
    """Save the settings; the row as saved, and the values that changed (for the audit log).
    Turning follow-ups on starts from now: visits before are never messaged."""
    now = now or utcnow()
    _ADD_DEFAULTS.rows(session, _DEFAULTS)
    before = session.scalars(select(FeedbackSettings).where(col(FeedbackSettings.id) == 1)
                             .with_for_update()).one()
    wanted = data.model_dump()
    changed = {name: value for name, value in wanted.items() if getattr(before, name) != value}
    if not changed:
        return before, {}
    values: dict[str, Any] = {**changed, "updated_at": now, "updated_by": by}
    if changed.get("followup_enabled"):
        values["followup_enabled_since"] = now
        values["followup_checked_until"] = None
    session.execute(update(FeedbackSettings).where(col(FeedbackSettings.id) == 1)
                    .values(**values).execution_options(synchronize_session=False))
    session.refresh(before)
    return before, changed


_MOVE_CHECKED = Prepared(
    update(FeedbackSettings)
    .where(col(FeedbackSettings.id) == 1, col(FeedbackSettings.followup_enabled_since)
           == bindparam("enabled_since"),
           or_(col(FeedbackSettings.followup_checked_until).is_(None),
               col(FeedbackSettings.followup_checked_until) < bindparam("until")))
    .values(followup_checked_until=bindparam("until")))


def mark_checked(db: Executor, *, until: datetime, enabled_since: datetime) -> None:
    """Every visit before `until` was handled by the follow-up pass (unless follow-ups were
    turned off and on again meanwhile: then the new start stands)."""
    _MOVE_CHECKED.rows(db, {"until": until, "enabled_since": enabled_since})


def delay_of(row: FeedbackSettings) -> timedelta:
    return timedelta(minutes=row.followup_delay_minutes)


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """The settings' one row, for the audit log (its sentences say which settings)."""
    return {row_id: "Cài đặt góp ý" for row_id in ids}
