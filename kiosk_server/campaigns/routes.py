"""The campaigns' routes, gathered: the admin API under /api/v1/campaigns and the public
pages a recipient opens from a message."""

from fastapi import APIRouter

router = APIRouter()
