"""Headless Chromium for the page tests (Debian's chromium, driven by Playwright)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import sqlite_copy

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Pages run on SQLite only. They reach the database through the HTTP API, whose own
    tests run on both databases; measured, the page tests on PostgreSQL as well took 148 s
    more (a fifth of the whole suite, which must stay under 12 minutes on two cores)."""
    return sqlite_copy(request, tmp_path)


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"page tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("page tests need the playwright package (pip install playwright)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright) -> Iterator[object]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def screenshot():
    """Saves a page's screenshot under test-artifacts/ (kept by CI as an artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save
