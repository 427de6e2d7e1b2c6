"""Attacks against a real server (uvicorn, on SQLite and on PostgreSQL): what another
site, a stolen kiosk or a guessing script can get out of Kiosk."""

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Caller, Seminar, seed_seminar

EVIL = "https://evil.example"


@pytest.fixture
def victim(live_server: str, admin: Caller) -> Iterator[httpx.Client]:
    """A staff member's browser signed in to Kiosk (the session cookie), as another
    site's page would make it send requests: the cookie attached, no other credentials."""
    with httpx.Client(base_url=live_server, timeout=30) as browser:
        signed_in = browser.post("/api/v1/auth/login", headers={"Origin": live_server}, json={
            "username": "admin", "password": "correct horse battery"})
        assert signed_in.status_code == 200 and "kiosk_session" in browser.cookies
        yield browser


@pytest.fixture
def event(http: httpx.Client, admin: Caller) -> Seminar:
    return seed_seminar(http, admin.headers, guests=3)
