"""A gate and the staff monitor together: the camera of a kiosk reads an invitation, the
guest is greeted at the gate and the arrival appears on the monitor, live."""

import pytest

from tests.ui.conftest import ARGS, CHROMIUM
from tests.ui.test_kiosk_camera import _feed, zxing_installed  # noqa: F401  (a fixture)
from tests.ui.test_monitor_page import _monitor

GATE = "Cổng camera"

# Whether the camera's preview (in a corner) lies over a line of the greeting.
PREVIEW_COVERS_TEXT = """() => {
  const camera = document.getElementById("camera").getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(document.getElementById("screen"));
  return [...range.getClientRects()].some((line) => line.width > 0 && line.height > 0
    && line.left < camera.right && camera.left < line.right
    && line.top < camera.bottom && camera.top < line.bottom);
}"""


@pytest.mark.usefixtures("zxing_installed")
def test_a_guest_read_by_the_camera_appears_on_the_monitor(
        playwright, live_server, http, admin, seminar, tmp_path, screenshot):
    feed = tmp_path / "feed.y4m"
    _feed(feed, seminar.codes[1])
    name = "Nguyễn Thị Hương 1"  # seed_seminar's second guest
    pairing = http.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=admin.headers,
                        json={"gate": GATE}).json()["code"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={feed}"])
    try:
        # Staff watch the event first, in a context (cookies, storage) of their own.
        monitor_context, monitor = _monitor(browser, live_server, seminar.event_id)
        assert monitor.inner_text("#checked-in") == "0"
        assert monitor.inner_text("#scan-list") == ""

        kiosk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
        kiosk.goto(live_server + "/kiosk")
        kiosk.fill("#pair-code", pairing)
        kiosk.click("#pair-form button")
        # The pairing starts the camera's use: the QR shows after one second of blank frames.
        kiosk.wait_for_function("window.kioskState.results.length >= 1", timeout=20_000)
        assert kiosk.evaluate("window.kioskState.camera") is True
        result = kiosk.evaluate("window.kioskState.results[0]")
        assert result["status"] == "ok" and result["customer"]["name"] == name
        assert kiosk.get_attribute("#screen", "class") == "ok"
        assert kiosk.inner_text("#headline") == f"Xin chào {name}"
        assert not kiosk.evaluate(PREVIEW_COVERS_TEXT), "the camera preview hides the greeting"
        screenshot(kiosk, "gate-kiosk")

        monitor.wait_for_function(
            "document.getElementById('checked-in').textContent === '1'", timeout=10_000)
        monitor.wait_for_function("window.monitorState.seqs.length >= 1")
        arrival = monitor.inner_text("#scan-list li:last-child")  # the oldest line: the first scan
        assert name in arrival and GATE in arrival
        assert monitor.inner_text("#invited") == "3" and monitor.inner_text("#missing") == "2"
        assert monitor.inner_text("#alert-list") == ""
        screenshot(monitor, "gate-monitor")
        monitor_context.close()
    finally:
        browser.close()
    stats = http.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1
