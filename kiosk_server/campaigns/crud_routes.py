"""Admin. Campaigns written and read: drafts created, changed and deleted; the list and one
campaign. (Starting, pausing and following a campaign are the sending routes'.)"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from kiosk_server.campaigns import progress, service
from kiosk_server.campaigns.api_models import (
    CampaignCreate,
    CampaignPage,
    CampaignPublic,
    CampaignUpdate,
)
from kiosk_server.campaigns.models import CampaignState
from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.core.types import Id
from kiosk_server.staff.deps import AdminOnly, Audit

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])

NOT_DRAFT: dict[int | str, dict[str, Any]] = {
    404: {"description": "`campaign_not_found`"},
    409: {"description": "`campaign_not_draft`: it has started; only a draft changes"}}
# The long bodies are written to the audit log shortened: the log says what was changed,
# the campaign itself keeps what it says.
_LOGGED_LENGTH = 200


def _logged(values: dict[str, Any]) -> dict[str, Any]:
    return {name: (value[:_LOGGED_LENGTH] + "…" if isinstance(value, str)
                   and len(value) > _LOGGED_LENGTH else value)
            for name, value in values.items()}


@router.post("", response_model=CampaignPublic, status_code=status.HTTP_201_CREATED)
def create_campaign(body: CampaignCreate, session: SessionDep, settings: SettingsDep,
                    caller: AdminOnly, log: Audit):
    """Admin. Save a new draft: its name, channel, segment and templates (placeholders
    `{{name}}`, `{{tier}}`, `{{points}}`, `{{coupon}}`, `{{coupon_expires}}`,
    `{{coupon_link}}`, `{{card_link}}`, `{{unsubscribe_link}}`; any other is refused, 422
    `unknown_placeholders`). It may be incomplete: `missing` says what starting needs."""
    campaign = service.create_campaign(session, data=body, by=caller.staff_id,
                                       settings=settings)
    log.record("campaign.create", campaign,
               details=_logged(body.model_dump(mode="json", exclude_unset=True)))
    return service.to_public(campaign)


@router.get("", response_model=CampaignPage)
def list_campaigns(
    session: SessionDep, settings: SettingsDep, caller: AdminOnly,
    before: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
):
    """Admin. Campaigns, newest first, with their state, how many customers each is sent
    to and how many of those were sent. A sending campaign with nothing left to send is
    done here, as when its progress is read."""
    page = service.list_campaigns(session, before=before, limit=limit)
    for item in page.items:
        if item.state is CampaignState.SENDING and progress.finish_if_done(
                session, campaign_id=item.id, settings=settings):
            item.state = CampaignState.DONE
    return page


@router.get("/{campaign_id}", response_model=CampaignPublic,
            responses={404: {"description": "`campaign_not_found`"}})
def get_campaign(campaign_id: Id, session: SessionDep, caller: AdminOnly):
    """Admin. One campaign as written, its state, and what it still needs to start."""
    return service.to_public(service.get_campaign(session, campaign_id=campaign_id))


@router.patch("/{campaign_id}", response_model=CampaignPublic, responses=NOT_DRAFT)
def update_campaign(campaign_id: Id, body: CampaignUpdate, session: SessionDep,
                    settings: SettingsDep, caller: AdminOnly, log: Audit):
    """Admin. Change a draft; fields left out stay as they are."""
    campaign, changed = service.update_campaign(session, campaign_id=campaign_id, data=body,
                                                settings=settings)
    if changed:
        given = body.model_dump(mode="json", exclude_unset=True)
        log.record("campaign.update", campaign,
                   details=_logged({name: given[name] for name in changed}))
    return service.to_public(campaign)


@router.delete("/{campaign_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=NOT_DRAFT)
def delete_campaign(campaign_id: Id, session: SessionDep, caller: AdminOnly, log: Audit):
    """Admin. Delete a draft."""
    campaign = service.delete_campaign(session, campaign_id=campaign_id)
    log.record("campaign.delete", ("campaigns", campaign_id), details={"name": campaign.name})
