"""The kiosk reads an invitation's QR from the camera (a fake camera feed in Chromium)."""

import pytest

from tests.ui.conftest import ARGS, CHROMIUM

WIDTH, HEIGHT = 640, 480


def _feed(path, text: str) -> None:
    """A 4:2:0 Y4M video: one second of blank frames, then the QR on a light background."""
    import qrcode
    from PIL import Image

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    side = int(HEIGHT * 0.6)
    code = qr.make_image().convert("L").resize((side, side), Image.Resampling.NEAREST)
    blank = Image.new("L", (WIDTH, HEIGHT), 235)
    shown = blank.copy()
    shown.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode())
        for frame in [blank] * 15 + [shown] * 45:
            out.write(b"FRAME\n" + frame.tobytes() + chroma)


@pytest.fixture
def zxing_installed():
    from kiosk_ui import zxing_dir

    if zxing_dir() is None:
        pytest.skip("camera scanning needs the pages' npm packages (npm ci in kiosk_ui/)")


def test_the_camera_reads_an_invitation_and_greets_the_guest_once(
        playwright, zxing_installed, live_server, http, admin, seminar, tmp_path, screenshot):
    feed = tmp_path / "feed.y4m"
    _feed(feed, seminar.codes[2])
    code = http.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=admin.headers,
                     json={"gate": "Cổng camera"}).json()["code"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={feed}"])
    try:
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(live_server + "/kiosk")
        page.fill("#pair-code", code)
        page.click("#pair-form button")
        page.wait_for_function("window.kioskState.results.length === 1", timeout=20_000)
        result = page.evaluate("window.kioskState.results[0]")
        assert result["status"] == "ok" and result["customer"]["name"].endswith("2")
        assert page.evaluate("window.kioskState.camera") is True
        screenshot(page, "kiosk-camera")
        page.wait_for_timeout(2000)  # the code stays in view: not sent again
        assert page.evaluate("window.kioskState.results.length") == 1
    finally:
        browser.close()
    stats = http.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1
