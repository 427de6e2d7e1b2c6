"""The kiosk's greeting fits the screen: tablets upright and sideways, and a phone."""

import pytest

from tests.ui.test_kiosk_page import _scan

pytestmark = pytest.mark.usefixtures("chromium")

LONG_NAME = "Nguyễn Thị Phương Thảo Hoàng Ngọc Bích"
MIN_HEADLINE_PX = 28  # read from a step or two away
MIN_DETAIL_PX = 16

VIEWPORTS = {
    "portrait-tablet": dict(viewport={"width": 800, "height": 1280}),
    "portrait-phone": dict(viewport={"width": 414, "height": 896}, device_scale_factor=2,
                           is_mobile=True, has_touch=True),
    "landscape-tablet": dict(viewport={"width": 1280, "height": 800}),
}

# Where the greeting is drawn: the boxes of #headline and #detail, every line box of their
# text (a Range's client rects: what is really painted, even if it spills out of its box),
# the page's scroll size and the computed font sizes.
MEASURE = """() => {
  const boxes = {};
  for (const id of ["headline", "detail"]) {
    const node = document.getElementById(id);
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = node.getBoundingClientRect();
    boxes[id] = {
      box: [rect.left, rect.top, rect.right, rect.bottom],
      lines: [...range.getClientRects()].map((r) => [r.left, r.top, r.right, r.bottom]),
      overflowing: node.scrollWidth > node.clientWidth,
      fontPx: parseFloat(getComputedStyle(node).fontSize),
    };
  }
  const root = document.scrollingElement;
  return { boxes, scrollWidth: root.scrollWidth, scrollHeight: root.scrollHeight,
           width: window.innerWidth, height: window.innerHeight };
}"""


def _long_named_guest(http, admin, event_id) -> str:
    created = http.post("/api/v1/customers", headers=admin.headers,
                        json={"full_name": LONG_NAME, "phone": "0987654321"})
    assert created.status_code == 201, created.text
    invited = http.post(f"/api/v1/events/{event_id}/invitations", headers=admin.headers,
                        json={"customer_ids": [created.json()["id"]]})
    assert invited.status_code == 201, invited.text
    return invited.json()[0]["code"]


def _inside(rect, width, height) -> bool:
    left, top, right, bottom = rect
    return left >= 0 and top >= 0 and right <= width and bottom <= height


@pytest.mark.parametrize("shape", VIEWPORTS)
def test_a_long_vietnamese_name_fits_the_screen(shape, chromium, live_server, http, admin,
                                                seminar, screenshot):
    code = _long_named_guest(http, admin, seminar.event_id)
    pairing = http.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=admin.headers,
                        json={"gate": "Cổng chính khu vực hội nghị"}).json()["code"]
    context = chromium.new_context(**VIEWPORTS[shape])
    page = context.new_page()
    try:
        page.goto(live_server + "/kiosk")
        page.fill("#pair-code", pairing)
        page.fill("#pair-name", "Máy quét sảnh tầng trệt")
        page.click("#pair-form button")
        page.wait_for_selector("#scan", state="visible")
        _scan(page, code)
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.get_attribute("#screen", "class") == "ok"
        assert page.inner_text("#headline") == f"Xin chào {LONG_NAME}"
        found = page.evaluate(MEASURE)
        screenshot(page, f"kiosk-{shape}")
    finally:
        context.close()

    width, height = found["width"], found["height"]
    assert (width, height) == tuple(VIEWPORTS[shape]["viewport"].values())
    assert found["scrollWidth"] <= width, "the page scrolls sideways"
    for name, minimum in (("headline", MIN_HEADLINE_PX), ("detail", MIN_DETAIL_PX)):
        part = found["boxes"][name]
        assert _inside(part["box"], width, height), f"#{name} {part['box']} is off screen"
        assert part["lines"], f"#{name} has no text on screen"
        for line in part["lines"]:
            assert _inside(line, width, height), f"a line of #{name} is cut: {line}"
        assert not part["overflowing"], f"#{name}'s text is wider than its box"
        assert part["fontPx"] >= minimum, f"#{name} is {part['fontPx']}px, too small to read"
