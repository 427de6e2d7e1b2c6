"""What the audit log calls the staff domain's rows: a staff member by their name (else
username), a kiosk device by its name, an API token by its owner's name."""

from typing import cast

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.staff.models import AuthToken, Device, DevicePairing
from kiosk_server.staff.service import staff_names


def staff_labels(session: Session, ids: list[int]) -> dict[int, str]:
    # Keyed by the staff rows' ids, never None (the None key is only for callers' lookups).
    return cast(dict[int, str], staff_names(session, staff_ids=ids))


def device_labels(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {device_id: name for device_id, name in session.execute(
        select(col(Device.id), col(Device.name)).where(col(Device.id).in_(ids)))}


def token_labels(session: Session, ids: list[int]) -> dict[int, str]:
    rows = list(session.execute(select(col(AuthToken.id), col(AuthToken.staff_id))
                                .where(col(AuthToken.id).in_(ids))))
    names = staff_names(session, staff_ids={staff_id for _, staff_id in rows})
    return {token_id: names[staff_id] for token_id, staff_id in rows if staff_id in names}


def pairing_events(session: Session, ids: list[int]) -> dict[int, int]:
    """The event each kiosk pairing code was made for, by the code's id."""
    if not ids:
        return {}
    return {pairing_id: event_id for pairing_id, event_id in session.execute(
        select(col(DevicePairing.id), col(DevicePairing.event_id))
        .where(col(DevicePairing.id).in_(ids)))}
