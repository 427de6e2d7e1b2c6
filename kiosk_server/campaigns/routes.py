"""The campaigns' routes, gathered: the admin API under /api/v1/campaigns and the public
pages a recipient opens from a message."""

from fastapi import APIRouter

from kiosk_server.campaigns import report_routes

router = APIRouter()
router.include_router(report_routes.router)
