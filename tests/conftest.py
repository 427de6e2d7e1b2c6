"""Shared fixtures: a migrated database per test (SQLite file, and PostgreSQL when
KIOSK_TEST_DATABASE_URL is set), the app, an HTTP client, a real uvicorn server."""

import functools
import itertools
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database, id_of
from kiosk_server.core.migrations import upgrade
from kiosk_server.core.types import utcnow
from kiosk_server.main import create_app
from kiosk_server.models import metadata
from kiosk_server.staff import service as staff_service
from kiosk_server.staff.models import Role, StaffCreate

PG_ENV = "KIOSK_TEST_DATABASE_URL"
TEST_SECRET = "test-secret-" + "x" * 40


REDIS_ENV = "KIOSK_TEST_REDIS_URL"


def _worker_database(url: str, worker: int) -> str:
    """The PostgreSQL database of one test process: `<name>_w<n>` beside the named one,
    created when missing (each process drops and migrates its own schema)."""
    base = make_url(url)
    own = base.set(database=f"{base.database}_w{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": own.database}).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    except Exception:  # no server: the PostgreSQL tests skip themselves, saying why
        return url
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _worker_redis(url: str, worker: int) -> str:
    """The Redis database of one test process: the named one's number plus 8 plus n."""
    head, _, number = url.rpartition("/")
    base = int(number) if number.isdigit() else 0
    return f"{head if number.isdigit() else url.rstrip('/')}/{(base + 8 + worker) % 16}"


def pytest_configure(config: pytest.Config) -> None:
    """Under `pytest -n N` (scripts/test.sh runs two processes) each process has its own
    PostgreSQL database and Redis database, so that one's tests never see the other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    number = int(worker.removeprefix("gw"))
    if os.environ.get(PG_ENV):
        os.environ[PG_ENV] = _worker_database(os.environ[PG_ENV], number)
    if os.environ.get(REDIS_ENV):
        os.environ[REDIS_ENV] = _worker_redis(os.environ[REDIS_ENV], number)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """argon2's cost (190 ms a hash on a CI machine) is there for attackers, not for a test
    suite that signs staff up in most of its tests: in this process, passwords are hashed
    with argon2's own profile for tests. The code path is the same; servers the tests start
    as processes of their own keep the real cost."""
    real = staff_service._hasher
    staff_service._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    staff_service._hasher = real


def skipped_groups(reports: list[pytest.TestReport]) -> list[tuple[str, int, list[str]]]:
    """Skipped tests grouped by why: (reason, how many, the test folders they are in),
    the biggest group first."""
    groups: dict[str, tuple[int, set[str]]] = {}
    for report in reports:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(
            report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        folder = report.nodeid.split("::")[0].rsplit("/", 1)[0].removeprefix("tests").strip("/")
        count, folders = groups.get(reason, (0, set()))
        groups[reason] = (count + 1, folders | {folder or "."})
    return sorted(((reason, count, sorted(folders)) for reason, (count, folders)
                   in groups.items()), key=lambda group: (-group[1], group[0]))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After everything else: which groups of tests were skipped, and why (a machine without
    PostgreSQL, Redis or Chromium skips whole groups; this says which, and what to set)."""
    result = yield
    groups = skipped_groups(terminalreporter.stats.get("skipped", []))
    if groups:
        terminalreporter.section("skipped, and why", sep="-", bold=True)
        for reason, count, folders in groups:
            terminalreporter.write_line(f"{count:5} in {', '.join(folders)}: {reason}")
    return result


def _postgres_url_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (scripts/test.sh sets it when "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test answers)")
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any connection failure means: no server to test against
        pytest.skip(f"PostgreSQL at {PG_ENV} is not reachable: {exc.__class__.__name__}")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database built by the migrations once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    url = _postgres_url_or_skip()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    return url


# Emptying the tables row by row, children first, and restarting every id sequence: a test
# leaves a few rows, and DELETE takes milliseconds where TRUNCATE (new files for each of the
# dozens of tables and their indexes) took half a second per test.
_EMPTY_TABLES = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables))
_RESTART_IDS = ("SELECT setval(s.oid, 1, false) FROM pg_class s JOIN pg_namespace n "
                "ON n.oid = s.relnamespace WHERE s.relkind = 'S' AND n.nspname = 'public'")


def truncate_postgres(url: str) -> None:
    """Empty every table of the database and restart its ids at 1, as migrated."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
        connection.exec_driver_sql(_EMPTY_TABLES)
        connection.exec_driver_sql(_RESTART_IDS)
    engine.dispose()


def sqlite_copy(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty SQLite file (a copy of the session's template)."""
    path = tmp_path / "kiosk.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_copy(request, tmp_path)
    url = request.getfixturevalue("postgres_migrated")
    truncate_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    secret_key=TEST_SECRET, _env_file=None)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.db.dispose()


@pytest.fixture
def db(app: FastAPI) -> Database:
    return app.state.db


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # As the app's own pages do: a browser names the page's origin on every write, which
    # the request guard asks of cookie-authenticated writes (tests/security/ attacks it).
    with TestClient(app, headers={"Origin": "http://testserver"}) as test_client:
        yield test_client


@dataclass
class Caller:
    staff_id: int
    headers: dict[str, str]


STAFF_PASSWORD = "correct horse battery"


@functools.cache
def _staff_password_hash() -> staff_service.PasswordHash:
    """The argon2 hash of every test staff member's password, made once per process (each
    hash costs tens of milliseconds, and nearly every test makes an admin)."""
    return staff_service.hash_password(STAFF_PASSWORD)


def make_staff(db: Database, username: str, role: Role) -> Caller:
    with db.session() as session:
        user = staff_service.create_staff(session, data=StaffCreate(
            username=username, password=STAFF_PASSWORD, role=role
        ), password_hash=_staff_password_hash())
        _, secret = staff_service.create_api_token(session, staff_id=id_of(user), label="tests")
    return Caller(staff_id=id_of(user), headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def admin(db: Database) -> Caller:
    return make_staff(db, "admin", Role.ADMIN)


@pytest.fixture
def clerk(db: Database) -> Caller:
    return make_staff(db, "clerk", Role.STAFF)


def open_event_body(**overrides: object) -> dict:
    now = utcnow()
    body: dict[str, object] = {
        "name": "Hội thảo mùa thu", "venue": "Hà Nội",
        "starts_at": (now + timedelta(minutes=30)).isoformat(),
        "ends_at": (now + timedelta(hours=3)).isoformat(),
        "checkin_opens_at": (now - timedelta(minutes=10)).isoformat(),
        "checkin_closes_at": (now + timedelta(hours=3)).isoformat(),
    }
    body.update(overrides)
    return body


_phones = itertools.count(1)


@dataclass
class Seminar:
    event_id: int
    customer_ids: list[int]
    codes: list[str]


def seed_seminar(client: httpx.Client, headers: dict[str, str], guests: int = 3,
                 **event_overrides: object) -> Seminar:
    """An open event with `guests` invited customers, through the public API."""
    event = client.post("/api/v1/events", json=open_event_body(**event_overrides), headers=headers)
    assert event.status_code == 201, event.text
    ids = []
    for n in range(guests):
        created = client.post("/api/v1/customers", headers=headers, json={
            "full_name": f"Nguyễn Thị Hương {n}", "phone": f"0912{next(_phones):06d}",
        })
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    if not ids:
        return Seminar(event.json()["id"], [], [])
    invited = client.post(f"/api/v1/events/{event.json()['id']}/invitations",
                          json={"customer_ids": ids}, headers=headers)
    assert invited.status_code == 201, invited.text
    return Seminar(event.json()["id"], ids, [i["code"] for i in invited.json()])


@pytest.fixture
def seminar(client: TestClient, admin: Caller) -> Seminar:
    return seed_seminar(client, admin.headers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadServer:
    """The app on a real uvicorn server in a thread; it can be stopped and started again on
    the same port (a server restart, as a page or a client sees it)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self) -> None:
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(app: FastAPI) -> Iterator[ThreadServer]:
    server = ThreadServer(app)
    yield server
    server.stop()


@pytest.fixture
def live_server(served: ThreadServer) -> str:
    """The base URL of the app served by a real uvicorn server."""
    return served.url


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as session:
        yield session
