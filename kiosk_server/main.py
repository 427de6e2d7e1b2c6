"""The application: routers, error rendering, pages. Built from a `Settings` object."""

import gc
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from kiosk_server.cards.routes import router as cards_router
from kiosk_server.checkin.routes import router as checkin_router
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.errors import DomainError, json_safe
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.text import preferred_language
from kiosk_server.customers.routes import router as customers_router
from kiosk_server.events.routes import router as events_router
from kiosk_server.live.hub import create_hub
from kiosk_server.staff.routes import router as staff_router
from kiosk_ui import page, static_dir, zxing_dir

API_DESCRIPTION = """\
Kiosk: QR membership cards and event invitations, one-second check-in, a living
customer list.

Every endpoint says who may call it: **Public**, **Staff** (a session cookie from
`/api/v1/auth/login` or `Authorization: Bearer <staff API token>`), **Admin**, or a
**kiosk device** (`Authorization: Bearer <device token>`, limited to check-in for its
event). Errors are `{"error": {"code", "message", "field"}}` with a stable `code`;
messages follow `Accept-Language` (Vietnamese by default, English).
"""


def _render_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    language = preferred_language(request.headers.get("accept-language"))
    body = {"code": exc.code, "message": exc.message(language), "field": exc.field, **exc.extra}
    return JSONResponse({"error": body}, status_code=exc.status)


def _render_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (`{"detail": [...]}`), safe whatever the request held."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": jsonable_encoder(json_safe(exc.errors()))}, status_code=422)


def create_app(settings: Settings) -> FastAPI:
    """A Kiosk server for these settings (the database must be migrated)."""
    database = Database(settings.resolved_database_url,
                        busy_timeout_ms=settings.sqlite_busy_timeout_ms, serving=True)
    # Installations sharing a Redis server are told apart by a key derived from their secret.
    namespace = hmac.new(settings.signing_key, b"kiosk/live", hashlib.sha256).hexdigest()[:16]
    hub = create_hub(settings.redis_url, namespace=namespace)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The objects alive at start-up (modules, routes, compiled statements) live as long
        # as the process: keep them out of the collector's sweeps, which otherwise walk
        # them again and again under load.
        gc.collect()
        gc.freeze()
        await hub.start()
        yield
        await hub.close()
        database.dispose()

    app = FastAPI(title="Kiosk", version="0.1.0", description=API_DESCRIPTION, lifespan=lifespan,
                  # No OpenTelemetry here: its per-request checks cost more than a check-in's SQL.
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.db = database
    app.state.hub = hub
    app.state.signer = TokenSigner(settings.signing_key)
    app.add_exception_handler(DomainError, _render_domain_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    # The check-in router first: the busiest endpoint is matched before all others.
    for router in (checkin_router, staff_router, customers_router, cards_router, events_router):
        app.include_router(router)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Public. Liveness probe."""
        return {"status": "ok"}

    if zxing := zxing_dir():  # mounted first: /ui/vendor/... is not in static/
        app.mount("/ui/vendor/zxing", StaticFiles(directory=zxing), name="zxing")
    app.mount("/ui", StaticFiles(directory=static_dir()), name="ui")

    @app.get("/kiosk", response_class=HTMLResponse, include_in_schema=False)
    def kiosk_page() -> str:
        return page("kiosk.html")

    @app.get("/monitor", response_class=HTMLResponse, include_in_schema=False)
    def monitor_page() -> str:
        return page("monitor.html", timezone=settings.timezone)

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def admin_page() -> str:
        return page("admin.html", timezone=settings.timezone)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return page("home.html", business=settings.business_name)

    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker process reads the environment)."""
    return create_app(Settings())
