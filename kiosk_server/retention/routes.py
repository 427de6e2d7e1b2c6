"""Customers' statuses against their own rhythm, their changes, and the thresholds."""

from typing import Annotated

from fastapi import APIRouter, Query

from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.types import Id, Moment
from kiosk_server.retention import service
from kiosk_server.retention.models import (
    CustomerStatusPage,
    CustomerStatusPublic,
    RetentionSettingsPublic,
    RetentionSettingsUpdate,
    Status,
    StatusChangePublic,
)
from kiosk_server.staff.deps import AdminOnly, Audit, CurrentStaff

router = APIRouter(prefix="/api/v1", tags=["retention"])


@router.get("/retention-settings", response_model=RetentionSettingsPublic)
def retention_settings(session: SessionDep, caller: CurrentStaff):
    """Staff. The thresholds of the statuses: how many intervals make a rhythm, the overdue
    multiples and spend drops of watch and at risk, when a customer has lapsed."""
    return service.settings_public(service.current_settings(session))


@router.put("/retention-settings", response_model=RetentionSettingsPublic)
def change_retention_settings(body: RetentionSettingsUpdate, session: SessionDep,
                              caller: AdminOnly, log: Audit):
    """Admin. Change the thresholds (all of them, as the form shows them); they must rise
    from watch to lapsed (422 `thresholds_out_of_order`). Statuses follow at the next
    recomputation."""
    row, changed = service.update_settings(session, data=body, by=caller.staff_id)
    if changed:
        log.record("settings.retention", ("retention_settings", row.id),
                   details={name: body.model_dump(mode="json")[name] for name in changed})
    return service.settings_public(row)


@router.get("/customers/{customer_id}/status", response_model=CustomerStatusPublic)
def customer_status(customer_id: Id, session: SessionDep, caller: CurrentStaff,
                    settings: SettingsDep):
    """Staff. The customer's status against their own rhythm, its reason (a code) and the
    figures the reason is said from (404 for no such customer)."""
    return service.status_of(session, customer_id=customer_id, zone=settings.zone)


@router.get("/customer-statuses", response_model=CustomerStatusPage)
def customers_by_status(
    session: SessionDep, caller: CurrentStaff, settings: SettingsDep,
    status: Annotated[Status, Query(description="the customers with this status")],
    after: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Staff. The customers with a status (as last computed), by id, a page at a time."""
    return service.status_page(session, status=status, zone=settings.zone, after=after or 0,
                               limit=limit)


@router.get("/status-changes", response_model=list[StatusChangePublic])
def status_changes(
    session: SessionDep, caller: CurrentStaff,
    since: Annotated[Moment, Query(description="changes from this time on")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    """Staff. Customers' status changes from `since` on, oldest first (for campaigns)."""
    return service.changes_since(session, since=since, limit=limit)

