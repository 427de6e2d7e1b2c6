"""The outbox, as admins see it."""

from typing import Annotated

from fastapi import APIRouter, Query

from kiosk_server.core.deps import SessionDep
from kiosk_server.core.types import Id
from kiosk_server.messaging import service
from kiosk_server.messaging.models import DeliveryState, OutboxPage
from kiosk_server.staff.deps import AdminOnly

router = APIRouter(prefix="/api/v1", tags=["messaging"])


@router.get("/messages", response_model=OutboxPage)
def list_messages(session: SessionDep, caller: AdminOnly,
                  state: DeliveryState | None = None, before: Id | None = None,
                  limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50):
    """Admin. Messages in the outbox, newest first, with where each delivery stands.
    `unknown`: a sender took the message long ago and never reported back (its process
    stopped mid-send); it is not sent again on its own, since it may have gone out."""
    items, next_cursor = service.list_messages(session, state=state, before=before, limit=limit)
    return OutboxPage(items=items, next_cursor=next_cursor)
