"""The call list's settings (one row, changed by admins): the script, the hold-out share,
the win-back window, whether the exit survey is sent."""

from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.calls.models import CallSettings, CallSettingsPublic, CallSettingsUpdate
from kiosk_server.core.db import Executor, prepared_insert, table_of
from kiosk_server.core.types import utcnow

_FIELDS = list(CallSettingsUpdate.model_fields)
_READ = select(*table_of(CallSettings).c).where(col(CallSettings.id) == 1)
_DEFAULTS = CallSettings().model_dump(include={"id", *_FIELDS})
_ADD_DEFAULTS = prepared_insert(CallSettings, list(_DEFAULTS), ignore_conflicts=True)


def current(db: Executor) -> CallSettings:
    """The settings now (the defaults when none were ever saved)."""
    found = db.execute(_READ).first()
    return CallSettings.model_validate(found._asdict() if found else _DEFAULTS)


def to_public(row: CallSettings) -> CallSettingsPublic:
    return CallSettingsPublic.model_validate(row.model_dump())


def update_settings(session: Session, *, data: CallSettingsUpdate, by: int | None
                    ) -> tuple[CallSettings, dict[str, Any]]:
    """Save the settings (all of them, as the form shows them); the row as saved and the
    values that changed (for the audit log). A new hold-out share applies to the cases
    opened from then on."""
    _ADD_DEFAULTS.rows(session, _DEFAULTS)
    before = session.scalars(select(CallSettings).where(col(CallSettings.id) == 1)
                             .with_for_update()).one()
    changed = {name: value for name, value in data.model_dump().items()
               if getattr(before, name) != value}
    if changed:
        session.execute(update(CallSettings).where(col(CallSettings.id) == 1)
                        .values(**changed, updated_at=utcnow(), updated_by=by)
                        .execution_options(synchronize_session=False))
        session.refresh(before)
    return before, changed


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """The settings' one row, for the audit log."""
    return {row_id: "Cài đặt gọi lại khách" for row_id in ids}
