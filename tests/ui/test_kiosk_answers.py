"""Every guest who scans at the kiosk gets an answer: "saving…" at once, and the answer
when the server gives it (sent again, with the same scan_id, while the server is down); a
refusal stays until the next scan or a tap; a revoked kiosk says so; a kiosk without a
camera says so and still reads a handheld scanner."""

import pytest

from tests.ui.conftest import ARGS, CHROMIUM
from tests.ui.test_kiosk_camera import zxing_installed  # noqa: F401  (a fixture)
from tests.ui.test_kiosk_page import _paired_kiosk, _scan

# The page's behaviour does not depend on the database (the server's is tested on both
# elsewhere): SQLite alone keeps these browser tests quick.
pytestmark = pytest.mark.usefixtures("chromium")

CLASS = "document.getElementById('screen').className"


def _screen(page):
    return (page.evaluate(CLASS), page.inner_text("#headline"), page.inner_text("#detail"))


def test_a_scan_while_the_server_is_down_says_saving_then_greets_the_guest_once(
        chromium, served, http, admin, seminar, screenshot):
    # A kiosk with no offline copy: it cannot judge the scan itself (see test_kiosk_offline).
    context, page = _paired_kiosk(chromium, served.url, http, admin, seminar.event_id,
                                  offline_copy=False)
    try:
        served.stop()  # the server does not answer
        _scan(page, seminar.codes[0])
        assert _screen(page) == ("saving", "Đang lưu…", "Xin chờ một chút.")  # at once
        page.wait_for_selector("#retrying", state="visible")
        page.wait_for_timeout(4000)
        screenshot(page, "kiosk-saving-server-down")
        attempts = page.evaluate("window.kioskState.sender.attempts")
        assert 2 <= attempts <= 6  # sent again, one at a time, less and less often
        assert page.evaluate(CLASS) == "saving"  # still waiting for the answer, nothing else
        served.start()
        page.wait_for_function("window.kioskState.results.length === 1", timeout=15_000)
        assert _screen(page) == ("ok", "Xin chào Nguyễn Thị Hương 0", "Lần ghé thăm thứ 1")
        assert page.is_hidden("#retrying")
        assert page.evaluate("window.kioskState.sender.phase") == "idle"
    finally:
        context.close()
    stats = http.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [entry["status"] for entry in log] == ["ok"]


def test_a_server_error_then_a_request_never_answered_are_sent_again_one_at_a_time(
        chromium, live_server, http, admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id,
                                  offline_copy=False)
    try:
        seen, held = [], []

        def failing_then_silent(route):
            seen.append(route.request.post_data)
            if len(seen) == 1:
                route.fulfill(status=503, content_type="text/plain", body="busy")
            elif len(seen) == 2:
                held.append(route)  # accepted, never answered: the kiosk gives up on it
            else:
                route.continue_()

        page.route("**/api/v1/checkins", failing_then_silent)
        _scan(page, seminar.codes[2])
        page.wait_for_function("window.kioskState.sender.attempts === 2")
        assert page.evaluate(CLASS) == "saving"
        page.wait_for_timeout(1000)  # the held request is not given up yet: nothing more sent
        assert len(seen) == 2
        page.wait_for_function("window.kioskState.results.length === 1", timeout=10_000)
        assert _screen(page)[:2] == ("ok", "Xin chào Nguyễn Thị Hương 2")
        assert len(seen) == 3 and len(set(seen)) == 1  # the same scan_id each time
    finally:
        context.close()
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [entry["status"] for entry in log] == ["ok"]


def test_a_refusal_stays_until_the_next_scan_or_a_tap(chromium, live_server, http, admin,
                                                      seminar, screenshot):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        _scan(page, "not a code")
        page.wait_for_function("window.kioskState.results.length === 1")
        page.wait_for_timeout(2500)  # a greeting would be gone by now
        assert page.evaluate(CLASS) == "bad" and page.is_visible("#go-on")
        screenshot(page, "kiosk-refusal-stays")
        page.click("#screen")  # staff tap: ready for the next guest
        assert _screen(page) == ("idle", "Mời quét mã QR", "")

        _scan(page, seminar.codes[1])
        page.wait_for_function("window.kioskState.results.length === 2")
        page.wait_for_function(f"{CLASS} === 'idle'", timeout=3000)  # a greeting goes
        _scan(page, seminar.codes[1])  # again: already checked in
        page.wait_for_function("window.kioskState.results.length === 3")
        page.wait_for_timeout(2500)
        assert page.evaluate(CLASS) == "warn"
        page.click("#language")
        assert page.inner_text("#go-on") == "Scan the next code, or tap the screen to go on."
        _scan(page, seminar.codes[2])  # the next guest's scan replaces it
        page.wait_for_function("window.kioskState.results.length === 4")
        assert _screen(page)[:2] == ("ok", "Welcome, Nguyễn Thị Hương 2")
        assert page.is_hidden("#go-on")
    finally:
        context.close()


def test_a_revoked_kiosk_says_so_and_is_paired_again(chromium, live_server, http, admin,
                                                     seminar, screenshot):
    # The scan is what tells this kiosk: its syncs do not reach the server (a kiosk that
    # hears of it at a sync: test_kiosk_offline), and without its offline copy it sends the
    # scan to the server.
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id,
                                  offline_copy=False)
    try:
        page.route("**/api/v1/kiosk/sync", lambda route: route.abort("connectionrefused"))
        [device] = http.get("/api/v1/devices", params={"event_id": seminar.event_id},
                            headers=admin.headers).json()
        assert http.delete(f"/api/v1/devices/{device['id']}",
                           headers=admin.headers).status_code == 200
        _scan(page, seminar.codes[0])
        page.wait_for_selector("#pair", state="visible")
        assert page.inner_text("#revoked").startswith("Kiosk này đã bị thu hồi")
        assert "ghép nối lại" in page.inner_text("#revoked")
        assert page.input_value("#pair-code") == ""  # the old code is used up
        page.wait_for_timeout(1000)
        assert page.evaluate("window.kioskState.sender.attempts") == 1  # not sent again
        screenshot(page, "kiosk-revoked")
        page.reload()  # it still says so after a restart of the page
        page.wait_for_selector("#revoked", state="visible")

        code = http.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=admin.headers,
                         json={"gate": "Cổng A"}).json()["code"]
        page.fill("#pair-code", code)
        page.click("#pair-form button")
        page.wait_for_selector("#scan", state="visible")
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.evaluate(CLASS) == "ok"
        page.reload()
        page.wait_for_selector("#scan", state="visible")
        assert page.is_hidden("#revoked")
    finally:
        context.close()
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [entry["status"] for entry in log] == ["ok"]  # the refused token recorded nothing


@pytest.mark.usefixtures("zxing_installed")
def test_a_kiosk_without_a_camera_says_so_and_a_handheld_scanner_still_works(
        playwright, live_server, http, admin, seminar, screenshot):
    # Camera requests are granted, but this machine has no camera (no fake one either).
    browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                         args=[*ARGS, "--use-fake-ui-for-media-stream"])
    try:
        context, page = _paired_kiosk(browser, live_server, http, admin, seminar.event_id)
        page.wait_for_selector("#camera-note", state="visible")
        assert page.evaluate("window.kioskState.camera") == "no_camera"
        assert page.inner_text("#camera-note") == (
            "Không tìm thấy camera. Máy quét cầm tay vẫn dùng được.")
        screenshot(page, "kiosk-no-camera")
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.evaluate(CLASS) == "ok"
        page.click("#language")
        assert page.inner_text("#camera-note") == "No camera found. A handheld scanner still works."
        context.close()
    finally:
        browser.close()


@pytest.mark.usefixtures("zxing_installed")
def test_a_kiosk_not_allowed_the_camera_says_so(playwright, live_server, http, admin, seminar):
    # A camera is there, but the browser's question "use the camera?" is not answered yes.
    browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                         args=[*ARGS, "--use-fake-device-for-media-stream"])
    try:
        context, page = _paired_kiosk(browser, live_server, http, admin, seminar.event_id)
        page.wait_for_selector("#camera-note", state="visible")
        assert page.evaluate("window.kioskState.camera") == "denied"
        assert page.inner_text("#camera-note") == (
            "Không được phép dùng camera. Máy quét cầm tay vẫn dùng được.")
        context.close()
    finally:
        browser.close()
