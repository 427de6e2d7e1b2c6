"""The campaigns' routes, gathered: the admin API under /api/v1/campaigns and the public
pages a recipient opens from a message. The fixed paths (/audience, /tiers) come before
the campaign's own (/{campaign_id})."""

from fastapi import APIRouter

from kiosk_server.campaigns import audience_routes, report_routes
from kiosk_server.campaigns.crud_routes import router as crud_router
from kiosk_server.campaigns.send_routes import router as send_router
from kiosk_server.campaigns.unsubscribe_routes import router as unsubscribe_router

router = APIRouter()
router.include_router(audience_routes.router)
router.include_router(crud_router)
router.include_router(send_router)
router.include_router(report_routes.router)
router.include_router(unsubscribe_router)
