"""The page tests' two screens, a phone and a tablet, and screenshots of a page at both.

A test runs its flow once, at the phone's width (the harder layout), and takes each of its
screenshots at both widths with `shots`, which also checks that nothing is wider than the
screen at either."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the page tests skip themselves where Playwright is not installed
    from playwright.sync_api import Page, ViewportSize

PHONE: ViewportSize = {"width": 375, "height": 812}
TABLET: ViewportSize = {"width": 820, "height": 1180}
# True when the page scrolls sideways: something on it is wider than the screen.
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def shots(page: Page, directory: str | Path, name: str, *, full_page: bool = False,
          element: str | None = None) -> list[Path]:
    """At PHONE's then TABLET's size: checks that `page` has no horizontal overflow and saves
    `<directory>/<name>-<width>.png` (the whole page with `full_page`; only the element
    the `element` selector matches, if given). The page gets back the viewport it had before.
    Returns the two paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    try:
        for size in (PHONE, TABLET):
            page.set_viewport_size(size)
            width = size["width"]
            assert not page.evaluate(OVERFLOW), f"{name} is wider than the screen at {width} px"
            path = directory / f"{name}-{width}.png"
            if element is None:
                page.screenshot(path=str(path), full_page=full_page)
            else:
                page.locator(element).screenshot(path=str(path))
            paths.append(path)
    finally:
        if before is not None:
            page.set_viewport_size(before)
    return paths
