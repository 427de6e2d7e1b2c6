"""A campaign's report for the owner (JSON for its page, one row per recipient as CSV),
and the coupon page a recipient opens from their message."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kiosk_server.campaigns import coupon_page, report
from kiosk_server.campaigns.report import CampaignReport
from kiosk_server.core.deps import FileLanguage, SessionDep, SettingsDep
from kiosk_server.core.guard import refuse_cross_site_read
from kiosk_server.core.spreadsheet import csv_bytes
from kiosk_server.core.text import say
from kiosk_server.core.types import Id, utcnow
from kiosk_server.staff.deps import AdminOnly

router = APIRouter(tags=["campaigns"])
# The recipient's page: served with the report, so that the campaigns' router has one
# line for both.
router.include_router(coupon_page.router)

CSV: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/csv": {}},
    "description": "CSV (UTF-8 with BOM); no cell is a formula"}}


@router.get("/api/v1/campaigns/{campaign_id}/report", response_model=CampaignReport)
def campaign_report(campaign_id: Id, session: SessionDep, caller: AdminOnly):
    """Admin. What the campaign did: recipients, hold-out and those left out (by reason);
    its messages sent, failed (by reason, with the servers' words), unknown and pending;
    unsubscribed; coupons issued, redeemed and the sales they were used with; and the
    customers who came back within `return_days` of the start, the send group against the
    hold-out, with the difference and its 95 % interval (`too_few` when either group is
    too small to tell). Before those days are over, `returns.days_left` says how many
    remain."""
    return report.report(session, campaign_id, now=utcnow())


@router.get("/api/v1/campaigns/{campaign_id}/recipients.csv", response_class=Response,
            responses=CSV)
def campaign_recipients_csv(campaign_id: Id, request: Request, session: SessionDep,
                            caller: AdminOnly, settings: SettingsDep,
                            lang: FileLanguage = "vi"):
    """Admin. One row per recipient, in words of `lang` and the shop's local times: name,
    address, group, why left out, what became of the message, the error of a failed one,
    unsubscribed at, coupon (its state), redeemed at, the sale it was used with (VND),
    came back. Refused (403) to a browser sent by another site."""
    refuse_cross_site_read(request.headers)
    rows = report.recipient_rows(session, campaign_id, now=utcnow(), language=lang,
                                 zone=settings.zone)
    columns = [say(column, lang) for column in report.RECIPIENT_COLUMNS]
    return Response(csv_bytes(columns, rows),
                    media_type="text/csv; charset=utf-8", headers={
                        "Content-Disposition":
                            f'attachment; filename="campaign-{campaign_id}-recipients.csv"',
                        "Cache-Control": "no-store"})
