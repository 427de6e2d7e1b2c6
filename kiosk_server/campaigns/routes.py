"""The campaigns' routes, gathered: the admin API under /api/v1/campaigns and the public
pages a recipient opens from a message."""

from fastapi import APIRouter

from kiosk_server.campaigns.crud_routes import router as crud_router

router = APIRouter()
router.include_router(crud_router)
