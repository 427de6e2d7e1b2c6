"""Fuzz every operation of the published OpenAPI schema (schemathesis): as an admin and
anonymously, no request may crash the server (5xx), and answers must match the schema."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database
from kiosk_server.core.migrations import upgrade
from kiosk_server.main import create_app
from kiosk_server.staff import service as staff_service
from kiosk_server.staff.models import Role
from tests.conftest import TEST_SECRET, Caller, make_staff, seed_seminar, truncate_postgres

# Only checks that hold for this API: FastAPI documents 200/201/422 but not the 401/403/404/409
# every endpoint may answer, so status-code and positive/negative-data checks would only be noise.
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=7, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

# Examples generated only: the schema's own examples (the explicit phase) run once, as admin
# on SQLite.
GENERATED_ONLY = [Phase.generate]

_SCHEMA_DIR = tempfile.TemporaryDirectory(prefix="kiosk-openapi-")


def _schema_app() -> FastAPI:
    """An app only to serve the schema document; each test calls its own `app` fixture instead
    (`app=` below), so the fuzzing runs on every database conftest provides.

    (`schemathesis.pytest.from_fixture` would be the lazy alternative, but schemathesis 4.32
    fails on pytest 9.2 there: `'Function' object has no attribute '_nodeid'`.)"""
    data_dir = Path(_SCHEMA_DIR.name)  # no request reaches its database; its start-up does
    upgrade(f"sqlite:///{data_dir / 'kiosk.db'}")
    return create_app(Settings(data_dir=data_dir, secret_key="s" * 40, _env_file=None))


schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app())


def fresh_admin_headers(db: Database, staff_id: int) -> dict[str, str]:
    """A new token per request: the fuzzer may well revoke the admin's tokens (DELETE /tokens)."""
    with db.session() as session:
        _, secret = staff_service.create_api_token(session, staff_id=staff_id, label="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[FastAPI, Caller]]:
    """One app per database for every operation's fuzzing (a fresh one per operation cost
    more than the fuzzing): an admin, and a seminar whose small ids name real rows (event
    1, customers 1-3 and their invitations, staff 1). What one operation's examples leave
    behind, the next meets: more data, never less checking."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "kiosk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        truncate_postgres(url)
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("fuzz-data"), database_url=url,
                              secret_key=TEST_SECRET, _env_file=None))
    with TestClient(app) as client:
        admin = make_staff(app.state.db, "admin", Role.ADMIN)
        seed_seminar(client, admin.headers)
        yield app, admin
    app.state.db.dispose()


@schema.parametrize()
@FUZZ
@pytest.mark.parametrize("fuzzed", ["sqlite"], indirect=True)
def test_fuzz_as_admin(case, fuzzed):
    _call_as_admin(case, fuzzed)


@schema.parametrize()
@settings(FUZZ, max_examples=4, phases=GENERATED_ONLY)
# The same requests' handling on PostgreSQL: what differs there is the database's own
# refusals (an id beyond 32 bits, a text with a NUL, a lock), which few examples reach
# (the schema's own examples, half the time, run on SQLite only).
@pytest.mark.parametrize("fuzzed", ["postgresql"], indirect=True)
def test_fuzz_as_admin_on_postgresql(case, fuzzed):
    _call_as_admin(case, fuzzed)


def _call_as_admin(case, fuzzed) -> None:
    app, admin = fuzzed
    headers = fresh_admin_headers(app.state.db, admin.staff_id)
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


@schema.parametrize()
# Most answers are an early 401: fewer examples suffice, and the schema's own not again.
@settings(FUZZ, max_examples=3, phases=GENERATED_ONLY)
# Anonymous calls are refused alike on either database: SQLite alone is enough.
@pytest.mark.parametrize("fuzzed", ["sqlite"], indirect=True)
def test_fuzz_anonymously(case, fuzzed):
    # Without our headers schemathesis sends no or made-up credentials (bearer, cookie).
    app, _ = fuzzed
    case.call_and_validate(app=app, checks=CHECKS)
