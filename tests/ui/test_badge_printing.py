"""The kiosk prints a guest's name badge as they arrive, when that setting is on: after the
green answer is on screen, from a frame whose page is the badge's A6; a badge that cannot
be had leaves scanning as it was."""

import pytest
from PIL import PdfParser

from tests.ui.test_kiosk_page import _paired_kiosk, _scan

pytestmark = pytest.mark.usefixtures("chromium")

# Every frame's print() is replaced (headless Chromium must not open a print dialog): a call
# is recorded in the kiosk page with what the frame held then, and what was on screen.
RECORD_PRINTS = """
window.print = function () {
  const image = document.querySelector("img");
  const style = [...document.querySelectorAll("style")].map((node) => node.textContent).join(" ");
  const kiosk = window.top;
  (kiosk.printCalls = kiosk.printCalls || []).push({
    framed: window !== kiosk,
    style,
    image: image ? { complete: image.complete, width: image.naturalWidth,
                     height: image.naturalHeight } : null,
    screen: kiosk.document.getElementById("screen").className,
    answersPainted: kiosk.kioskState.timings.length,
  });
};
"""
TOGGLE = "#print-badges"


def _invitation_ids(http, admin, event_id):
    """Invitation id by code."""
    items = http.get(f"/api/v1/events/{event_id}/invitations", headers=admin.headers).json()
    return {item["code"]: item["id"] for item in items["items"]}


def _badge_requests(page):
    requests = []
    page.on("request", lambda request: requests.append(request.url)
            if request.url.endswith("/badge.png") else None)
    return requests


def _printed_pages(context, page):
    """The print frame's document printed by Chromium (to a PDF, with the page size its
    CSS asks for): each page's size in whole millimetres."""
    html = page.evaluate("""async () => {
        const frame = document.querySelector("iframe.print-frame").contentDocument;
        const copy = frame.documentElement.cloneNode(true);
        const badge = await (await fetch(frame.querySelector("img").src)).blob();
        copy.querySelector("img").src = await new Promise((resolve) => {
          const reader = new FileReader();
          reader.onload = () => resolve(reader.result);
          reader.readAsDataURL(badge);
        });
        return copy.outerHTML;
    }""")
    sheet = context.new_page()
    try:
        sheet.set_content(f"<!doctype html>{html}")
        sheet.wait_for_function("document.images[0].complete && document.images[0].naturalWidth")
        parser = PdfParser.PdfParser(buf=sheet.pdf(prefer_css_page_size=True))
    finally:
        sheet.close()
    sizes = []
    for ref in parser.pages:
        left, bottom, right, top = parser.read_indirect(ref)[b"MediaBox"]
        sizes.append((round((right - left) / 72 * 25.4), round((top - bottom) / 72 * 25.4)))
    return sizes


def test_with_the_setting_on_an_arriving_guests_badge_is_printed(
        chromium, live_server, http, admin, seminar, screenshot):
    ids = _invitation_ids(http, admin, seminar.event_id)
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        context.add_init_script(RECORD_PRINTS)
        page.reload()
        page.wait_for_selector("#scan", state="visible")
        badges = _badge_requests(page)
        assert not page.is_checked(TOGGLE)  # off until someone switches it on

        # Off: a guest is greeted, nothing is fetched or printed.
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.timings.length === 1")
        assert page.get_attribute("#screen", "class") == "ok"
        page.wait_for_timeout(700)
        assert badges == [] and page.evaluate("window.kioskState.printed") == []
        assert page.evaluate("window.printCalls || []") == []

        page.click(TOGGLE)
        assert page.is_checked(TOGGLE)
        assert page.evaluate("document.activeElement.id") == "scan-input"  # still scanning
        _scan(page, seminar.codes[1])
        page.wait_for_function("window.kioskState.timings.length === 2")
        assert page.get_attribute("#screen", "class") == "ok"
        assert page.inner_text("#headline") == "Xin chào Nguyễn Thị Hương 1"
        page.wait_for_function("window.kioskState.printed.length === 1")
        assert page.evaluate("window.kioskState.printed") == [ids[seminar.codes[1]]]
        [call] = page.evaluate("window.printCalls")
        assert call["framed"], "print() was called on the kiosk page, not the badge's frame"
        assert "@page { size: 105mm 148mm; margin: 0 }" in call["style"]
        assert call["image"] == {"complete": True, "width": 1240, "height": 1748}
        # The answer was on screen (and measured as painted) before the badge was printed.
        assert call["screen"] == "ok" and call["answersPainted"] == 2
        assert badges == [f"{live_server}/api/v1/events/{seminar.event_id}/invitations/"
                          f"{ids[seminar.codes[1]]}/badge.png"]
        frame = page.evaluate("""() => {
            const frame = document.querySelector("iframe.print-frame");
            const image = frame.contentDocument.querySelector("img");
            return { images: frame.contentDocument.images.length, width: image.naturalWidth,
                     shown: image.getBoundingClientRect().width > 0 };
        }""")
        assert frame == {"images": 1, "width": 1240, "shown": True}
        assert _printed_pages(context, page) == [(105, 148)]
        screenshot(page, "kiosk-print-on-arrival")

        # An amber answer (already checked in) prints nothing more.
        page.wait_for_function("document.getElementById('screen').className === 'idle'")
        _scan(page, seminar.codes[1])
        page.wait_for_function("window.kioskState.timings.length === 3")
        assert page.get_attribute("#screen", "class") == "warn"

        # The setting is kept by this kiosk; switched off, the next guest is not printed.
        page.reload()
        page.wait_for_selector("#scan", state="visible")
        assert page.is_checked(TOGGLE)
        page.click(TOGGLE)
        _scan(page, seminar.codes[2])
        page.wait_for_function("window.kioskState.timings.length === 1")
        page.wait_for_timeout(700)
        assert page.evaluate("window.kioskState.printed") == []
        assert page.evaluate("window.printCalls || []") == []
        assert len(badges) == 1
    finally:
        context.close()


def test_a_badge_that_cannot_be_had_leaves_scanning_as_it_was(
        chromium, live_server, http, admin, seminar, screenshot):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        context.add_init_script(RECORD_PRINTS)
        page.reload()
        page.wait_for_selector("#scan", state="visible")
        page.click(TOGGLE)
        page.route("**/badge.png", lambda route: route.fulfill(status=503, body="busy"))
        _scan(page, seminar.codes[0])
        page.wait_for_selector("#print-note", state="visible")
        assert page.inner_text("#print-note") == "Không in được thẻ tên"
        assert page.get_attribute("#screen", "class") == "ok"
        assert page.inner_text("#headline") == "Xin chào Nguyễn Thị Hương 0"
        screenshot(page, "kiosk-badge-not-printed")

        page.unroute("**/badge.png")
        _scan(page, seminar.codes[1])  # the next guest: greeted, and their badge printed
        page.wait_for_function("window.kioskState.timings.length === 2")
        assert page.inner_text("#headline") == "Xin chào Nguyễn Thị Hương 1"
        page.wait_for_function("window.kioskState.printed.length === 1")
        assert [result["status"] for result in page.evaluate("window.kioskState.results")] == [
            "ok", "ok"]
        assert len(page.evaluate("window.printCalls")) == 1
    finally:
        context.close()
