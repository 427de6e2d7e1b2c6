"""The kiosk page in a real browser: pair once, scan with a handheld scanner, never lose a scan."""

import pytest

pytestmark = pytest.mark.usefixtures("chromium")


def _paired_kiosk(chromium, live_server, http, admin, event_id, gate="Cổng A", *,
                  offline_copy=True, **options):
    """A kiosk page paired to the event's `gate`. Without its `offline_copy` (the server's
    answer to it cut), it cannot judge scans itself: it sends each until the server answers."""
    code = http.post(f"/api/v1/events/{event_id}/pairings", headers=admin.headers,
                     json={"gate": gate}).json()["code"]
    context = chromium.new_context(**{"viewport": {"width": 1024, "height": 768}, **options})
    if not offline_copy:
        context.route("**/api/v1/kiosk/copy", lambda route: route.abort("connectionrefused"))
    page = context.new_page()
    page.goto(live_server + "/kiosk")
    page.fill("#pair-code", code)
    page.fill("#pair-name", "Máy 1")
    page.click("#pair-form button")
    page.wait_for_selector("#scan", state="visible")
    assert not page.is_visible("#pair")
    return context, page


def _scan(page, code):
    page.focus("#scan-input")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_guest_is_greeted_by_name_and_a_second_scan_is_amber(chromium, live_server, http,
                                                               admin, seminar, screenshot):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.get_attribute("#screen", "class") == "ok"
        assert page.inner_text("#headline") == "Xin chào Nguyễn Thị Hương 0"
        assert page.inner_text("#detail") == "Lần ghé thăm thứ 1"
        screenshot(page, "kiosk-welcome")
        page.wait_for_function("document.getElementById('screen').className === 'idle'")
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 2")
        assert page.get_attribute("#screen", "class") == "warn"
        screenshot(page, "kiosk-already-checked-in")
        page.click("#language")
        _scan(page, "not a code")
        page.wait_for_function("window.kioskState.results.length === 3")
        assert page.get_attribute("#screen", "class") == "bad"
        assert "not" in page.inner_text("#detail").lower()  # the server's English sentence
        screenshot(page, "kiosk-invalid")
    finally:
        context.close()


def test_a_scan_sent_while_offline_is_retried_and_counted_once(chromium, live_server, http,
                                                               admin, seminar, screenshot):
    # A kiosk with no offline copy: it cannot judge the scan itself (see test_kiosk_offline).
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id,
                                  offline_copy=False)
    try:
        failures = []

        def drop_first_two(route):
            if len(failures) < 2:
                failures.append(route.request.post_data)
                route.abort("internetdisconnected")
            else:
                route.continue_()

        page.route("**/api/v1/checkins", drop_first_two)
        _scan(page, seminar.codes[1])
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.evaluate("window.kioskState.retries") == 2
        assert page.get_attribute("#screen", "class") == "ok"
        assert len(set(failures)) == 1  # the same body, the same scan_id, each time
        screenshot(page, "kiosk-after-retry")
    finally:
        context.close()
    stats = http.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 1
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert len(log) == 1


def test_a_wrong_pairing_code_is_explained(chromium, live_server):
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(live_server + "/kiosk")
        page.fill("#pair-code", "AAAA-BBBB")
        page.click("#pair-form button")
        page.wait_for_function("document.getElementById('pair-error').textContent !== ''")
        assert "mã ghép nối" in page.inner_text("#pair-error").lower()
        page.fill("#pair-code", "AB$%")  # not even the shape of a code: the server says 422
        page.click("#pair-form button")
        page.wait_for_function("document.getElementById('pair-error').textContent"
                               ".includes('K7QM-4XPA')")
        assert "máy chủ" not in page.inner_text("#pair-error")
    finally:
        context.close()


def test_the_kiosk_reports_its_scan_to_answer_times_to_the_gate_stats(chromium, live_server,
                                                                      http, admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id,
                                  gate="Cổng B")
    try:
        for count, code in enumerate(seminar.codes[:2], start=1):
            _scan(page, code)
            page.wait_for_function(f"window.kioskState.timings.length === {count}")
        measured = page.evaluate("window.kioskState.timings")
    finally:
        context.close()
    assert all(0 < ms < 5000 for ms in measured)
    first, second = reversed(http.get(f"/api/v1/events/{seminar.event_id}/scans",
                                      headers=admin.headers).json())
    # The first scan's time came with the second scan; the second's is not reported yet.
    assert first["result_ms"] == measured[0] and second["result_ms"] is None
    assert first["idle_ms"] is not None and 0 <= second["idle_ms"] < 60_000
    gate = http.get(f"/api/v1/events/{seminar.event_id}/stats",
                    headers=admin.headers).json()["gates"][0]
    assert gate["gate"] == "Cổng B" and gate["checked_in"] == 2
    assert gate["median_result_ms"] == measured[0]


def test_codes_scanned_while_one_is_being_sent_are_all_sent(chromium, live_server, http,
                                                            admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.evaluate("""(codes) => {
            for (const code of codes) {  // one after another, before any answer comes
                document.getElementById("scan-input").value = code;
                document.getElementById("scan-form").requestSubmit();
            }
        }""", seminar.codes)
        page.wait_for_function("window.kioskState.results.length === 3")
        names = [r["customer"]["name"] for r in page.evaluate("window.kioskState.results")]
    finally:
        context.close()
    assert names == [f"Nguyễn Thị Hương {n}" for n in range(3)]
    stats = http.get(f"/api/v1/events/{seminar.event_id}/stats", headers=admin.headers).json()
    assert stats["checked_in"] == 3


def test_a_request_left_unanswered_is_sent_again_and_counted_once(chromium, live_server, http,
                                                                  admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id,
                                  offline_copy=False)
    try:
        held = []

        def hold_the_first(route):
            if not held:
                held.append(route)  # never answered: the kiosk must give up and retry
            else:
                route.continue_()

        page.route("**/api/v1/checkins", hold_the_first)
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 1", timeout=10_000)
        assert page.evaluate("window.kioskState.retries") == 1
        assert page.get_attribute("#screen", "class") == "ok"
    finally:
        context.close()
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [entry["status"] for entry in log] == ["ok"]


def test_a_refusal_that_is_not_json_still_shows_an_answer(chromium, live_server, http, admin,
                                                          seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.route("**/api/v1/checkins", lambda route: route.fulfill(
            status=413, content_type="text/html", body="<h1>Request Entity Too Large</h1>"))
        _scan(page, seminar.codes[0])
        page.wait_for_function("window.kioskState.results.length === 1")
        assert page.get_attribute("#screen", "class") == "bad"
        assert page.inner_text("#detail") == "Không đọc được mã này."
    finally:
        context.close()
