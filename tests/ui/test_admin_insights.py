"""The owner's charts in a real browser, on a demo-like history: every chart drawn (its
canvas has ink), the PNG download a real PNG of the chart on white, the CSV download the
API's table, the English switch, nothing loaded from another host; staff are told the page
is the owner's; no data says so instead of a blank chart. Screenshots on a phone and a
tablet."""

import io
import os
import random
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from kiosk_server import history
from kiosk_server.calls.models import AnswerSource, Group, LeaveAnswer, LeaveReason
from kiosk_server.core.types import utcnow
from kiosk_server.reports import charts
from kiosk_server.retention.worker import full_pass
from kiosk_server.wiring import retention_hooks
from tests.calls.helpers import open_case
from tests.feedback.helpers import named_staff
from tests.reports.helpers import ZONE, Shop
from tests.ui.admin_pages import PASSWORD, AdminPage, admin_tab
from tests.ui.widths import OVERFLOW, PHONE, TABLET

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "dashboard"
NAMES = list(charts.CHARTS)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Each canvas's pixels that are not white: a drawn chart has thousands.
INK = """() => Object.fromEntries([...document.querySelectorAll('.chart-card')].map((card) => {
  const canvas = card.querySelector('canvas');
  if (!canvas) return [card.dataset.chart, 0];
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
  }
  return [card.dataset.chart, ink];
}))"""


@pytest.fixture
def shop_history(db, settings):
    """A demo's synthetic year (regulars, occasional customers, drifters), its statuses now
    and as of past Sundays, two staff members' ratings over the last months, and drifting
    customers' cases (contacted and held out, some come back) with the reasons given."""
    with db.session() as session:
        history.write(session, history.people(200), zone=ZONE)
    wired = retention_hooks(settings)
    full_pass(db, zone=ZONE, after=wired.after_pass)
    charts.record_status_history(db, zone=ZONE, weeks=20)
    shop = Shop(db)
    rng = random.Random(7)
    people = [named_staff(db, "lan", "Trần Thị Lan"), named_staff(db, "minh", "Phạm Văn Minh")]
    customer = shop.customer("Nguyễn Thị Hương")
    for days_ago in range(3, 170, 4):
        for person in people:
            shop.visit(customer, utcnow() - timedelta(days=days_ago, hours=rng.randint(0, 5)),
                       staff_id=person.staff_id, rated=rng.choice((3, 4, 4, 5, 5)))
    for n in range(24):
        group = Group.HOLD_OUT if n % 4 == 0 else Group.CONTACT
        opened = utcnow() - timedelta(days=70 + 5 * n)
        drifter = shop.customer(f"Lê Văn Khách {n}")
        open_case(db, drifter, group, opened_at=opened)
        if n % 3:  # two in three come back within the 60 days
            shop.visit(drifter, opened + timedelta(days=12))
        with db.session() as session:
            session.add(LeaveAnswer(customer_id=drifter, reason=list(LeaveReason)[n % 7],
                                    source=AnswerSource(("call", "survey")[n % 2]),
                                    answered_at=utcnow() - timedelta(days=n + 1)))


def _drawn(tab):
    page = tab.page
    page.wait_for_function("() => document.querySelectorAll('.chart-card').length === "
                           f"{len(NAMES)} && [...document.querySelectorAll('.chart-card')]"
                           ".every((card) => card.dataset.state === 'drawn')", timeout=20_000)
    return page.evaluate(INK)


def test_every_chart_is_drawn_and_downloads_as_png_and_csv(chromium, served, admin,
                                                           shop_history, tmp_path):
    with admin_tab(chromium, served.url) as tab:
        page = tab.page
        asked = []
        page.on("request", lambda request: asked.append(request.url))
        tab.go("/insights")
        ink = _drawn(tab)
        assert all(ink[name] > 2000 for name in NAMES), ink
        assert "khách là khách quay lại" in page.inner_text("[data-chart=returning] "
                                                              ".chart-reading")

        card = page.locator("[data-chart=cohorts]")
        with page.expect_download() as downloading:
            card.locator(".chart-png").click()
        png = downloading.value
        span = (page.input_value("[name=from]"), page.input_value("[name=to]"))
        assert png.suggested_filename == f"kiosk-cohorts-{span[0]}-{span[1]}.png"
        data = Path(png.path()).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        size = page.evaluate("() => { const c = document.querySelector("
                             "'[data-chart=cohorts] canvas'); return [c.width, c.height]; }")
        image = Image.open(io.BytesIO(data))
        assert list(image.size) == size and size[0] > 300
        assert image.convert("RGBA").getpixel((1, 1)) == (255, 255, 255, 255)  # not transparent

        with page.expect_download() as downloading:
            page.locator("[data-chart=activity] .chart-csv").click()
        csv = downloading.value
        assert csv.suggested_filename == f"kiosk-activity-{span[0]}-{span[1]}.csv"
        api = httpx.get(f"{served.url}/api/v1/insights/activity.csv",
                        params={"from": span[0], "to": span[1]}, headers=admin.headers)
        assert Path(csv.path()).read_bytes() == api.content
        assert len(api.content.splitlines()) > 10

        page.click("#language button[data-lang=en]")
        tab.wait_view("/insights")
        _drawn(tab)
        titles = page.locator(".chart-card h2").all_inner_texts()
        assert titles == ["Customers by status", "Returning-customer rate",
                          "Visits and sales per week",
                          "New customers still visiting (by first month)",
                          "Staff ratings per month", "Reasons for leaving",
                          "Won back: contacted against left alone"]
        assert "of customers were returning ones" in page.inner_text(
            "[data-chart=returning] .chart-reading")
        assert asked and all(url.startswith(served.url) for url in asked), [
            url for url in asked if not url.startswith(served.url)]
        assert any("/ui/vendor/chartjs/" in url for url in asked)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_screenshots(chromium, served, admin, shop_history, language):
    """On a phone, then on a tablet: every chart drawn, nothing wider than the screen. The
    page is reloaded at the tablet's width, not just resized: a chart takes its ticks and
    legend from the width it is first drawn at (charts.js)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with admin_tab(chromium, served.url, viewport=PHONE) as tab:
        tab.context.add_init_script(
            f"localStorage.setItem('kiosk-admin-language', '{language}')")
        tab.page.reload()
        tab.wait_view("/")
        tab.go("/insights")
        for viewport in (PHONE, TABLET):
            if viewport is TABLET:
                tab.page.set_viewport_size(TABLET)
                tab.page.reload()
                tab.wait_view("/insights")
            ink = _drawn(tab)
            assert all(ink[chart] > 1000 for chart in NAMES), (viewport, ink)
            assert not tab.page.evaluate(OVERFLOW), viewport
            tab.page.screenshot(path=str(SHOTS / f"insights-{language}-{viewport['width']}.png"),
                                full_page=True)


def test_staff_are_told_the_charts_are_the_owners(chromium, served, clerk):
    tab = AdminPage(chromium, served.url)
    try:
        tab.open()
        tab.sign_in("clerk", PASSWORD)
        tab.wait_view("/")
        assert not tab.page.locator("#nav a[data-route=insights]").is_visible()
        tab.go("/insights")
        assert tab.page.inner_text(".owner-only") == (
            "Trang số liệu dành cho chủ cửa hàng (tài khoản quản trị).")
        assert tab.page.locator(".chart-card").count() == 0
        assert tab.errors == []
    finally:
        tab.close()


def test_no_data_says_so(chromium, served, admin):
    with admin_tab(chromium, served.url) as tab:
        assert tab.page.locator("#nav a[data-route=insights]").is_visible()
        tab.page.click("#nav a[data-route=insights]")
        tab.wait_view("/insights")
        tab.page.wait_for_function("() => [...document.querySelectorAll('.chart-card')]"
                                   ".every((card) => card.dataset.state === 'empty')")
        assert tab.page.locator(".chart-box .empty").all_inner_texts() == [
            "Chưa có dữ liệu."] * len(NAMES)
        assert tab.page.locator(".chart-png:disabled").count() == len(NAMES)
