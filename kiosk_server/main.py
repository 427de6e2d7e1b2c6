"""The application: routers, error rendering, pages. Built from a `Settings` object."""

import dataclasses
import gc
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from kiosk_server.audit.service import Labelers
from kiosk_server.calls import service as calls
from kiosk_server.calls import settings as call_settings
from kiosk_server.calls import survey as exit_survey
from kiosk_server.calls.routes import router as calls_router
from kiosk_server.calls.survey_routes import router as survey_router
from kiosk_server.calls.winback_routes import router as winback_router
from kiosk_server.campaigns import service as campaigns
from kiosk_server.campaigns.routes import router as campaigns_router
from kiosk_server.campaigns.send_worker import CampaignStarter
from kiosk_server.cards import service as cards
from kiosk_server.cards.routes import router as cards_router
from kiosk_server.checkin import service as checkin
from kiosk_server.checkin.routes import router as checkin_router
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.errors import DomainError, error_response, json_safe
from kiosk_server.core.files import private_dir
from kiosk_server.core.guard import BodyLimits, RequestGuard, route_matcher
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.uploads import CSV_BODY
from kiosk_server.customers import service as customers
from kiosk_server.customers.routes import router as customers_router
from kiosk_server.events import sending as invitation_sending
from kiosk_server.events import service as events
from kiosk_server.events.routes import public_router as invitation_router
from kiosk_server.events.routes import router as events_router
from kiosk_server.events.send_worker import InvitationSender
from kiosk_server.feedback import answers as feedback_answers
from kiosk_server.feedback import service as feedback
from kiosk_server.feedback import settings as feedback_settings
from kiosk_server.feedback.followup import FollowupWorker
from kiosk_server.feedback.hooks import AnswerHooks
from kiosk_server.feedback.routes import router as feedback_router
from kiosk_server.live.hub import create_hub
from kiosk_server.loyalty import labels as loyalty
from kiosk_server.loyalty.routes import router as loyalty_router
from kiosk_server.loyalty.thanks import ThankYouCoupons
from kiosk_server.messaging.routes import router as messaging_router
from kiosk_server.messaging.sender import OutboxSender
from kiosk_server.offline.routes import router as offline_router
from kiosk_server.portal import service as portal
from kiosk_server.portal.routes import router as portal_router
from kiosk_server.prints import service as prints
from kiosk_server.prints.erasure import WithdrawExports
from kiosk_server.prints.routes import public_router as card_router
from kiosk_server.prints.routes import router as prints_router
from kiosk_server.prints.runner import ExportRunner, fail_abandoned
from kiosk_server.privacy.routes import router as privacy_router
from kiosk_server.reports.chart_routes import router as chart_router
from kiosk_server.reports.export_routes import router as reports_router
from kiosk_server.retention import fit as retention_fit
from kiosk_server.retention import service as retention
from kiosk_server.retention.model_routes import router as retention_model_router
from kiosk_server.retention.routes import router as retention_router
from kiosk_server.retention.worker import RetentionWorker
from kiosk_server.signup import posters as signup_posters
from kiosk_server.signup.routes import router as signup_router
from kiosk_server.staff import labels as staff
from kiosk_server.staff.routes import router as staff_router
from kiosk_server.wiring import retention_hooks
from kiosk_ui import chart_dirs, page, static_dir, zxing_dir

API_DESCRIPTION = """\
Kiosk: QR membership cards and event invitations, one-second check-in, a living
customer list.

Every endpoint says who may call it: **Public**, **Staff** (a session cookie from
`/api/v1/auth/login` or `Authorization: Bearer <staff API token>`), **Admin**, a
**kiosk device** (`Authorization: Bearer <device token>`, limited to check-in for its
event), or a **Customer (portal session)** (the `kiosk_portal` cookie a one-time sign-in
link sets; `/api/v1/me` only ever addresses that customer). Errors are
`{"error": {"code", "message", "field"}}` with a stable `code`; messages follow
`Accept-Language` (Vietnamese by default, English).
"""


def _render_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return error_response(request, exc)


def _render_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (`{"detail": [...]}`), safe whatever the request held."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": jsonable_encoder(json_safe(exc.errors()))}, status_code=422)


def _audit_labelers() -> Labelers:
    """Who names the rows of each table an audit entry can be about (each domain its own)."""
    return {
        "staff_users": staff.staff_labels, "devices": staff.device_labels,
        "auth_tokens": staff.token_labels, "device_pairings": checkin.pairing_labels,
        "customers": customers.audit_labels, "cards": cards.audit_labels,
        "events": events.audit_labels, "invitations": events.invitation_labels,
        "complaints": feedback.audit_labels, "exports": prints.audit_labels,
        "purchases": loyalty.purchase_labels, "redemptions": loyalty.redemption_labels,
        "coupons": loyalty.coupon_labels, "rewards": loyalty.reward_labels,
        "feedback_settings": feedback_settings.audit_labels,
        "retention_fits": retention_fit.audit_labels,
        "retention_settings": retention.settings_labels,
        "retention_cases": calls.audit_labels, "call_settings": call_settings.audit_labels,
        "campaigns": campaigns.audit_labels,
    }


def create_app(settings: Settings) -> FastAPI:
    """A Kiosk server for these settings (the database must be migrated)."""
    private_dir(settings.data_dir)
    database = Database(settings.resolved_database_url,
                        busy_timeout_ms=settings.sqlite_busy_timeout_ms, serving=True)
    # Installations sharing a Redis server are told apart by a key derived from their secret.
    namespace = hmac.new(settings.signing_key, b"kiosk/live", hashlib.sha256).hexdigest()[:16]
    hub = create_hub(settings.redis_url, namespace=namespace)
    outbox = OutboxSender(database, settings)  # runs only for the channels set up
    signer = TokenSigner(settings.signing_key)
    invitations = InvitationSender(database, settings, signer)
    campaigns = CampaignStarter(database, settings, signer)
    followup = FollowupWorker(database, settings, signer)
    wired = retention_hooks(settings)
    statuses = RetentionWorker(database, settings, hub, hooks=wired.statuses,
                               after_pass=wired.after_pass)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The objects alive at start-up (modules, routes, compiled statements) live as long
        # as the process: keep them out of the collector's sweeps, which otherwise walk
        # them again and again under load.
        fail_abandoned(database)
        gc.collect()
        gc.freeze()
        await hub.start()
        await outbox.start()
        invitations.resume_unfinished()
        campaigns.resume_unfinished()  # a start cut short by a stop carries on
        await followup.start()
        statuses.start()
        yield
        statuses.stop()
        await followup.stop()
        campaigns.stop()
        invitations.stop()
        await outbox.stop()
        await hub.close()
        database.dispose()

    app = FastAPI(title="Kiosk", version="0.1.0", description=API_DESCRIPTION, lifespan=lifespan,
                  # No OpenTelemetry here: its per-request checks cost more than a check-in's SQL.
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.db = database
    app.state.hub = hub
    app.state.outbox = outbox
    app.state.exports = ExportRunner(database, settings.data_dir / "exports")
    # An erasure also withdraws the batches of badges that name the customer (prints sits
    # beside privacy, which calls it through this hook), and forgets their exit surveys' words.
    app.state.erasure_hooks = (WithdrawExports(app.state.exports.directory),
                               exit_survey.forget_answers)
    app.state.signer = signer
    app.state.invitation_sender = invitations
    app.state.campaign_starter = campaigns
    app.state.followup = followup
    app.state.retention = statuses
    # Visits and sales recorded (check-in and loyalty, below retention) reach it by this hook.
    app.state.visit_listener = statuses.customer_changed
    app.state.audit_labels = _audit_labelers()
    # A first answer on a feedback page is thanked with a coupon, which loyalty issues.
    app.state.answer_hooks = AnswerHooks(thanks=ThankYouCoupons())
    app.add_exception_handler(DomainError, _render_domain_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    # Routes are matched in order: the busiest first (check-ins, then the till), before
    # the dozens of others (measured: matching the till's lookup, 127 µs 6th, 33 µs 2nd).
    routers = (checkin_router, loyalty_router, staff_router, customers_router, cards_router,
               events_router, feedback_router, messaging_router, prints_router, card_router,
               privacy_router, portal_router, signup_router, invitation_router,
               retention_model_router, retention_router, chart_router, reports_router,
               survey_router, winback_router, calls_router, campaigns_router, offline_router)
    for router in routers:
        app.include_router(router)
    # File uploads may be larger than other bodies: the routes that declare a CSV body.
    uploads = [route.path_regex for router in routers for route in router.routes
               if isinstance(route, APIRoute) and route.openapi_extra == CSV_BODY]
    app.add_middleware(RequestGuard, public_url=settings.public_url, limits=BodyLimits(),
                       is_upload=route_matcher(uploads))

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Public. Liveness probe."""
        return {"status": "ok"}

    if zxing := zxing_dir():  # mounted first: /ui/vendor/... is not in static/
        app.mount("/ui/vendor/zxing", StaticFiles(directory=zxing), name="zxing")
    for name, directory in chart_dirs().items():
        app.mount(f"/ui/vendor/{name}", StaticFiles(directory=directory), name=name)
    app.mount("/ui", StaticFiles(directory=static_dir()), name="ui")

    @app.get("/kiosk", response_class=HTMLResponse, include_in_schema=False)
    def kiosk_page() -> str:
        return page("kiosk.html")

    @app.get("/kiosk-sw.js", include_in_schema=False)
    def kiosk_worker() -> Response:
        """The kiosk page's service worker (registered with scope /kiosk): keeps the page and
        what it loads, so that a kiosk opens without the network."""
        return FileResponse(Path(static_dir()) / "kiosk-sw.js",
                            media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/monitor", response_class=HTMLResponse, include_in_schema=False)
    def monitor_page() -> str:
        return page("monitor.html", timezone=settings.timezone)

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def admin_page() -> str:
        return page("admin.html", timezone=settings.timezone)

    @app.get("/checkout", response_class=HTMLResponse, include_in_schema=False)
    def checkout_page() -> str:
        return page("checkout.html", timezone=settings.timezone)

    @app.get("/c/sw.js", include_in_schema=False)
    def card_worker() -> Response:
        """The card pages' service worker, served from /c/ so that it may keep them."""
        return FileResponse(Path(static_dir()) / "card-sw.js",
                            media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/c/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/C/{code}", response_class=HTMLResponse, include_in_schema=False)
    def card_page(code: str) -> Response:
        """A customer's own card (its QR holds this page's link): the QR large, name, tier,
        points and usable coupons, read-only; kept by the phone to show offline (with the
        time of its figures), and can be added to the home screen."""
        with database.session(Access.READ) as session:
            try:
                card = prints.own_card(session, code=code, signer=app.state.signer,
                                       settings=settings)
            except DomainError:
                return HTMLResponse(page("card-invalid.html", business=settings.business_name,
                                         colour=settings.brand_primary), status_code=404)
        token = card.link.rsplit("/", 1)[-1]
        standing = json.dumps({"as_of": card.as_of.isoformat(), "points": card.points,
                               "coupons": [dataclasses.asdict(c) for c in card.coupons]},
                              default=datetime.isoformat, ensure_ascii=False)
        return HTMLResponse(page("card.html", business=settings.business_name, holder=card.name,
                                 number=card.member_number, tier=card.tier, token=token,
                                 colour=settings.brand_primary, timezone=settings.timezone,
                                 standing=standing),
                            headers={"Referrer-Policy": "no-referrer"})

    @app.get("/i/sw.js", include_in_schema=False)
    def invitation_worker() -> Response:
        """The card pages' service worker, served from /i/ so that it may keep invitations."""
        return FileResponse(Path(static_dir()) / "card-sw.js",
                            media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/i/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/I/{code}", response_class=HTMLResponse, include_in_schema=False)
    def invitation_page(code: str) -> Response:
        """A guest's own invitation (the link they were sent): its QR large, the event, the
        guest's name; kept by the phone to show offline. The link is the credential."""
        with database.session(Access.READ) as session:
            try:
                found = invitation_sending.phone_invitation(session, code=code, signer=signer)
            except DomainError:
                return HTMLResponse(page("invitation-invalid.html",
                                         business=settings.business_name), status_code=404)
        event = found.event
        return HTMLResponse(page(
            "invitation.html", business=settings.business_name, guest=found.guest_name,
            event=event.name, venue=event.venue, token=found.token,
            when_vi=events.when_text(event, settings.zone, "vi"),
            when_en=events.when_text(event, settings.zone, "en"),
            colour=settings.brand_primary),
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    @app.get("/f/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/F/{code}", response_class=HTMLResponse, include_in_schema=False)
    def feedback_page(code: str) -> Response:
        """The customer's feedback page for a visit (the receipt's link and QR): no sign-in,
        the signed link is the credential; a link that is not one says so (404)."""
        with database.session(Access.READ) as session:
            try:
                feedback_answers.feedback_page(session, token=code, signer=app.state.signer)
            except DomainError:
                return HTMLResponse(page("feedback-invalid.html",
                                         business=settings.business_name), status_code=404)
        return HTMLResponse(page("feedback.html", business=settings.business_name,
                                 token=code, colour=settings.brand_primary,
                                 timezone=settings.timezone),
                            headers={"Cache-Control": "no-store",
                                     "Referrer-Policy": "no-referrer"})

    @app.get("/x/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/X/{code}", response_class=HTMLResponse, include_in_schema=False)
    def exit_survey_page(code: str) -> Response:
        """The exit survey a customer who stopped coming was sent: no sign-in, the signed
        link is the credential; a link that is not one (or an erased customer's, or too
        old) says so (404, 410)."""
        with database.session(Access.READ) as session:
            try:
                exit_survey.survey_page(session, token=code, signer=app.state.signer)
            except DomainError as refused:
                return HTMLResponse(page("survey-invalid.html",
                                         business=settings.business_name),
                                    status_code=refused.status)
        return HTMLResponse(page("survey.html", business=settings.business_name, token=code,
                                 colour=settings.brand_primary, timezone=settings.timezone),
                            headers={"Cache-Control": "no-store",
                                     "Referrer-Policy": "no-referrer"})

    @app.get("/j/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/J/{code}", response_class=HTMLResponse, include_in_schema=False)
    def join_page(code: str) -> Response:
        """The sign-up form a registration poster's QR opens: no sign-in, the poster's
        signed token is the pass; a token that is not one says so (404)."""
        with database.session(Access.READ) as session:
            try:
                poster = signup_posters.poster_of(session, token=code, signer=app.state.signer)
            except DomainError:
                return HTMLResponse(page("join-invalid.html", business=settings.business_name),
                                    status_code=404)
        event = poster.event
        return HTMLResponse(page("join.html", business=settings.business_name, token=code,
                                 colour=settings.brand_primary, timezone=settings.timezone,
                                 event=event.name if event else ""),
                            headers={"Cache-Control": "no-store",
                                     "Referrer-Policy": "no-referrer"})

    @app.get("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/P/{token}", response_class=HTMLResponse, include_in_schema=False)
    def portal_link(token: str) -> Response:
        """A one-time sign-in link (sent to the customer, or a QR at the till). Opening it
        spends nothing (mail scanners and chat apps open links to preview them): a good link
        shows one button, whose press spends it (`POST /api/v1/portal/session`) and goes to
        /me; a link that is not one, or no longer, says so on a page offering a new one
        (404 or 410)."""
        private = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        with database.session(Access.READ) as session:
            try:
                portal.check_link(session, token=token, signer=app.state.signer)
            except DomainError as refused:
                return HTMLResponse(page("portal-link-invalid.html",
                                         business=settings.business_name,
                                         colour=settings.brand_primary),
                                    status_code=refused.status, headers=private)
        return HTMLResponse(page("portal-link.html", business=settings.business_name,
                                 colour=settings.brand_primary, token=token), headers=private)

    @app.get("/me", response_class=HTMLResponse, include_in_schema=False)
    def me_page() -> Response:
        """The customer's own page (their portal session; without one it offers a link)."""
        return HTMLResponse(page("me.html", business=settings.business_name,
                                 colour=settings.brand_primary, timezone=settings.timezone),
                            headers={"Cache-Control": "no-store"})

    @app.get("/c/{code}/manifest.webmanifest", include_in_schema=False)
    def card_manifest(code: str) -> JSONResponse:
        """Lets the customer add their card to the home screen."""
        return JSONResponse({
            "name": f"{settings.business_name} · Thẻ thành viên",
            "short_name": settings.business_name[:12], "start_url": f"/c/{code}",
            "scope": "/c/", "display": "standalone", "background_color": "#ffffff",
            "theme_color": settings.brand_primary,
            "icons": [{"src": "/ui/favicon.svg", "sizes": "any", "type": "image/svg+xml"}],
        }, media_type="application/manifest+json")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return page("home.html", business=settings.business_name)

    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker process reads the environment)."""
    return create_app(Settings())
