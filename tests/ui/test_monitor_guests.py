"""The staff monitor on the gate's laptop (1366x768), in a real browser: finding a guest
without diacritics and checking them in by hand, VIP and duplicate alerts, a guest's visits
arriving live, the arrivals chart, the gates and the time to clear the remaining guests."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk_server.core.types import utcnow
from tests.conftest import seed_seminar
from tests.ui.test_monitor_page import _monitor

LAPTOP = {"width": 1366, "height": 768}
VENUE = ZoneInfo("Asia/Ho_Chi_Minh")  # the server's default time zone for people


def _laptop(chromium, base, event_id):
    return _monitor(chromium, base, event_id, viewport=LAPTOP)


def _scan(client, admin, event_id, code, gate, **extra):
    answer = client.post("/api/v1/checkins", headers=admin.headers,
                         json={"code": code, "event_id": event_id, "gate": gate, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _wait_text(page, selector, text, timeout=5_000):
    """Wait until the first element matching `selector` shows `text`."""
    page.wait_for_function(
        "([selector, text]) => (document.querySelector(selector)?.innerText || '')"
        ".includes(text)", arg=[selector, text], timeout=timeout)


def _fits_on_screen(page, selector):
    box = page.locator(selector).bounding_box()
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= LAPTOP["width"]
            and box["y"] + box["height"] <= LAPTOP["height"])


def test_staff_find_a_guest_without_diacritics_and_check_them_in_by_hand(
        chromium, served, client, admin, seminar, screenshot):
    thang = client.post("/api/v1/customers", headers=admin.headers,
                        json={"full_name": "Trần Đức Thắng", "phone": "0987 654 321"}).json()
    invited = client.post(f"/api/v1/events/{seminar.event_id}/invitations",
                          headers=admin.headers, json={"customer_ids": [thang["id"]]})
    assert invited.status_code == 201, invited.text
    context, page = _laptop(chromium, served.url, seminar.event_id)
    try:
        row = f"#not-arrived-list li[data-customer-id='{thang['id']}']"
        page.wait_for_selector(row)
        assert page.locator("#not-arrived-list li.guest").count() == 4

        page.fill("#search-input", "nguyen thi huong")
        page.wait_for_function(
            "document.querySelectorAll('#search-results li.guest').length === 3")
        page.fill("#search-input", "tran duc thang")  # no diacritics, and đ typed as d
        page.wait_for_function(
            "document.querySelectorAll('#search-results li.guest').length === 1")
        found = page.locator("#search-results li.guest")
        assert "Trần Đức Thắng" in found.inner_text()
        assert "Chưa đến" in found.inner_text()

        found.locator("button.checkin").click()
        page.click("dialog.confirm button[value=yes]")  # asked first
        page.wait_for_function(
            "document.querySelector('#search-results li.guest .answer')?.textContent")
        assert "Trần Đức Thắng" in found.locator(".answer").inner_text()
        page.wait_for_function("document.querySelector('#search-results li.guest.arrived')")
        assert found.locator("button.checkin").count() == 0

        stats = client.get(f"/api/v1/events/{seminar.event_id}/stats",
                           headers=admin.headers).json()
        assert stats["checked_in"] == 1 and stats["not_arrived"] == 3
        page.wait_for_function("document.getElementById('checked-in').textContent === '1'")
        _wait_text(page, "#scan-list li", "Trần Đức Thắng")
        assert "thủ công" in page.inner_text("#scan-list li")
        page.wait_for_function("(row) => !document.querySelector(row)", arg=row)
        assert page.locator("#not-arrived-list li.guest").count() == 3
        scans = client.get(f"/api/v1/events/{seminar.event_id}/scans",
                           headers=admin.headers).json()
        assert [(s["customer_id"], s["status"], s["manual"]) for s in scans] == [
            (thang["id"], "ok", True)]

        page.fill("#search-input", "")
        page.wait_for_function("!document.querySelector('#search-results li')")
        page.fill("#search-input", "+84987654321")  # the phone, in another form
        page.wait_for_selector("#search-results li.guest")
        assert "Trần Đức Thắng" in page.inner_text("#search-results li.guest")
        assert "Đã đến" in page.inner_text("#search-results li.guest")
        screenshot(page, "monitor-search")
    finally:
        context.close()


def test_a_manual_check_in_whose_answer_is_lost_is_sent_again_with_the_same_scan_id(
        chromium, served, client, admin, seminar):
    context, page = _laptop(chromium, served.url, seminar.event_id)
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fetch()  # the server checks the guest in...
            route.abort()  # ...and the answer never reaches the page
        else:
            route.continue_()

    try:
        page.route("**/api/v1/checkins", lose_the_first_answer)
        page.fill("#search-input", "huong 0")
        page.wait_for_selector("#search-results li.guest .checkin")
        page.click("#search-results li.guest .checkin")
        page.click("dialog.confirm button[value=yes]")
        _wait_text(page, "#search-results li.guest .answer", "Xin chào Nguyễn Thị Hương 0")
        assert len(sent) == 2 and sent[0] == sent[1]
        assert sent[0]["customer_id"] == seminar.customer_ids[0] and sent[0]["scan_id"]
        scans = client.get(f"/api/v1/events/{seminar.event_id}/scans",
                           headers=admin.headers).json()
        assert [(s["customer_id"], s["status"]) for s in scans] == [
            (seminar.customer_ids[0], "ok")]
    finally:
        context.close()


def test_the_not_arrived_list_pages_and_loses_whoever_arrives(
        chromium, served, client, admin, screenshot):
    crowd = seed_seminar(client, admin.headers, guests=55)
    context, page = _laptop(chromium, served.url, crowd.event_id)
    try:
        page.wait_for_function(
            "document.querySelectorAll('#not-arrived-list li.guest').length === 50")
        page.click("#not-arrived-more")
        page.wait_for_function(
            "document.querySelectorAll('#not-arrived-list li.guest').length === 55")
        assert page.locator("#not-arrived-more").is_hidden()
        last = crowd.customer_ids[-1]
        _scan(client, admin, crowd.event_id, crowd.codes[-1], "Cổng A")
        page.wait_for_function(
            "document.querySelectorAll('#not-arrived-list li.guest').length === 54")
        assert page.locator(f"#not-arrived-list li[data-customer-id='{last}']").count() == 0
        _wait_text(page, "#not-arrived-count", "(54)")
    finally:
        context.close()


def test_alerts_show_a_vip_where_a_duplicate_first_came_in_and_why_a_code_failed(
        chromium, served, client, admin, seminar, screenshot):
    vip = seminar.customer_ids[0]
    tagged = client.patch(f"/api/v1/customers/{vip}", headers=admin.headers,
                          json={"tags": [" VIP", "speaker"]})
    assert tagged.json()["tags"] == ["vip", "speaker"], tagged.text
    context, page = _laptop(chromium, served.url, seminar.event_id)
    try:
        first = _scan(client, admin, seminar.event_id, seminar.codes[0], "Cổng A")
        page.wait_for_selector("#alert-list li.vip")
        assert "Nguyễn Thị Hương 0" in page.inner_text("#alert-list li.vip")
        assert "VIP" in page.inner_text("#alert-list li.vip")

        _scan(client, admin, seminar.event_id, seminar.codes[1], "Cổng A")  # no alert
        _scan(client, admin, seminar.event_id, seminar.codes[0], "Cổng B")
        forged = _scan(client, admin, seminar.event_id, "forged", "Cổng C")
        page.wait_for_function("window.monitorState.seqs.length === 4")
        alerts = page.locator("#alert-list li")
        assert alerts.count() == 3
        duplicate = page.inner_text("#alert-list li.warn")
        first_at = datetime.fromisoformat(first["checked_in_at"]).astimezone(VENUE)
        assert f"lúc {first_at:%H:%M:%S} tại Cổng A" in duplicate
        assert "Cổng B" in duplicate  # where it was scanned now
        refused = page.inner_text("#alert-list li.bad")
        assert forged["status"] == "invalid" and "Cổng C" in refused
        assert "Mã không hợp lệ" in refused and "Mã QR không hợp lệ hoặc bị sửa." in refused
        for part in ("#counters", "#alerts"):  # a glance is enough on the laptop
            assert _fits_on_screen(page, part), part
        screenshot(page, "monitor-alerts")

        page.click("#alert-list li.vip")
        page.wait_for_function(f"window.monitorState.guest?.id === {vip} "
                               "&& window.monitorState.guest.live")
        assert page.inner_text("#guest-name") == "Nguyễn Thị Hương 0"
        assert page.inner_text("#guest-tags").split() == ["VIP", "speaker"]
    finally:
        context.close()


def test_a_guest_s_visits_arrive_live_in_the_guest_panel(
        chromium, served, client, admin, seminar, screenshot):
    guest = seminar.customer_ids[1]
    second, third = (seed_seminar(client, admin.headers, guests=0, name=name)
                     for name in ("Hội nghị khách hàng", "Tiệc tri ân"))
    codes = {}
    for event in (second, third):
        invited = client.post(f"/api/v1/events/{event.event_id}/invitations",
                              headers=admin.headers, json={"customer_ids": [guest]})
        codes[event.event_id] = invited.json()[0]["code"]
    _scan(client, admin, seminar.event_id, seminar.codes[1], "Cổng A")
    context, page = _laptop(chromium, served.url, seminar.event_id)
    try:
        page.wait_for_function("window.monitorState.seqs.length === 1")
        page.click("#scan-list li .guest-link")
        page.wait_for_function(f"window.monitorState.guest?.id === {guest} "
                               "&& window.monitorState.guest.live "
                               "&& window.monitorState.guest.visits.length === 1")
        assert "Cổng A" in page.inner_text("#guest-visits")
        assert page.inner_text("#guest-visit-count") == "1"

        _scan(client, admin, second.event_id, codes[second.event_id], "Sảnh hội nghị")
        page.wait_for_function("window.monitorState.guest.visits.length === 2")
        assert "Sảnh hội nghị" in page.inner_text("#guest-visits li")  # newest first
        page.wait_for_function("document.getElementById('guest-visit-count').textContent === '2'")

        served.stop()  # the guest's feed comes back by itself and shows what it missed
        page.wait_for_function("!window.monitorState.guest.live")
        _scan(client, admin, third.event_id, codes[third.event_id], "Cổng tiệc")
        served.start()
        page.wait_for_function("window.monitorState.guest.live "
                               "&& window.monitorState.guest.visits.length === 3",
                               timeout=15_000)
        visits = page.evaluate("window.monitorState.guest.visits")
        assert len(set(visits)) == 3
        assert page.locator("#guest-visits li").count() == 3
        assert "Cổng tiệc" in page.inner_text("#guest-visits li")
        assert page.inner_text("#guest-visit-count") == "3"
        screenshot(page, "monitor-guest")

        other = seminar.customer_ids[2]
        page.click(f"#not-arrived-list li[data-customer-id='{other}'] .guest-link")
        page.wait_for_function(f"window.monitorState.guest?.id === {other} "
                               "&& window.monitorState.guest.live")
        assert page.inner_text("#guest-name") == "Nguyễn Thị Hương 2"
        assert page.locator("#guest-visits li").count() == 0
        page.click("#guest-close")
        page.wait_for_function("window.monitorState.guest === null")
        assert page.locator("#guest-card").is_hidden()
    finally:
        context.close()


def test_the_chart_gates_and_entry_plan_show_the_pace(
        chromium, served, client, admin, screenshot):
    started = seed_seminar(client, admin.headers, guests=8,
                           starts_at=(utcnow() - timedelta(minutes=5)).isoformat())
    context, page = _laptop(chromium, served.url, started.event_id)
    try:
        page.wait_for_function("document.querySelectorAll('#chart rect.bar').length === 15")
        assert set(page.eval_on_selector_all(
            "#chart rect.bar", "bars => bars.map(bar => bar.dataset.arrivals)")) == {"0"}
        _wait_text(page, "#plan-line", "Còn 8 khách")
        assert "5 phút qua chưa có ai vào" in page.inner_text("#plan-line")
        assert page.locator("#queue-banner").is_hidden()

        # A kiosk at gate A: guests waiting (codes come 0.4 s after it is ready) and slow
        # answers (0.8 s from code to screen, as it reports with its next scan).
        previous = None
        answers = []
        for code in started.codes[:5]:
            scan_id = uuid.uuid4().hex
            report = {"previous": {"scan_id": previous, "result_ms": 800}} if previous else {}
            answers.append(_scan(client, admin, started.event_id, code, "Cổng A",
                                 scan_id=scan_id, idle_ms=400, **report))
            previous = scan_id
        assert {answer["status"] for answer in answers} == {"ok"}
        first = datetime.fromisoformat(answers[0]["checked_in_at"])
        minute = int(first.replace(second=0, microsecond=0).timestamp() * 1000)
        bar = f"#chart rect.bar[data-minute='{minute}']"
        page.wait_for_function("(bar) => Number(document.querySelector(bar)?.dataset.arrivals) > 0",
                               arg=bar)
        assert float(page.get_attribute(bar, "height")) > 0
        now_minute = datetime.fromisoformat(client.get(
            f"/api/v1/events/{started.event_id}/stats", headers=admin.headers,
        ).json()["arrivals_by_minute"][-1]["minute"]).astimezone(VENUE)
        labels = page.locator("#chart text.minute").all_text_contents()
        assert labels[-1] == f"{now_minute:%H:%M}" and len(labels) == 5  # the venue's clock

        stats = client.get(f"/api/v1/events/{started.event_id}/stats",
                           headers=admin.headers).json()
        plan = stats["planning"]
        # Five guests in a minute are too few to tell when the rest will be in.
        assert plan["remaining"] == 3 and plan["minutes_to_clear"] is None
        assert plan["forecast_gap"] == "few_arrivals" and plan["late_by_minutes"] is None
        assert plan["queue_building"]
        _wait_text(page, "#plan-line", "Còn 3 khách")
        assert "chưa đủ dữ liệu để dự báo" in page.inner_text("#plan-line")
        assert "hết khách sau" not in page.inner_text("#plan-line")  # no "all in within"
        assert page.locator("#plan-late").is_hidden()
        _wait_text(page, "#queue-banner", "Khách đang xếp hàng ở Cổng A")
        gate = page.locator("#gate-rows tr[data-gate='Cổng A']")
        assert gate.get_attribute("class").split() == ["slow", "queue"]
        cells = gate.locator("td").all_inner_texts()
        assert cells[:3] == ["Cổng A", "5", "5"] and cells[4].startswith("800")
        for part in ("#counters", "#alerts", "#queue-banner"):
            assert _fits_on_screen(page, part), part
        screenshot(page, "monitor-full")
    finally:
        context.close()


def _find(page, query):
    page.fill("#search-input", query)
    page.wait_for_function(
        "document.querySelectorAll('#search-results li.guest').length === 1")
    return page.locator("#search-results li.guest")


def test_a_hand_check_in_is_asked_first_and_made_at_the_gate_in_the_gate_box(
        chromium, served, client, admin, seminar, screenshot):
    context, page = _laptop(chromium, served.url, seminar.event_id)
    scans = f"/api/v1/events/{seminar.event_id}/scans"
    try:
        page.fill("#gate", "A")
        found = _find(page, "huong 1")
        found.locator("button.checkin").click()
        question = page.locator("dialog.confirm p")
        assert question.inner_text() == "Check-in Nguyễn Thị Hương 1 bằng tay tại cổng A?"
        screenshot(page, "monitor-hand-check-in-question")
        page.click("dialog.confirm button[value=no]")  # not this one after all
        page.wait_for_function("!document.querySelector('dialog.confirm')")
        assert client.get(scans, headers=admin.headers).json() == []
        assert "Chưa đến" in found.inner_text()

        found.locator("button.checkin").click()
        page.click("dialog.confirm button[value=yes]")
        page.wait_for_selector("#search-results li.guest.arrived")
        [scan] = client.get(scans, headers=admin.headers).json()
        assert (scan["customer_id"], scan["gate"], scan["manual"]) == (
            seminar.customer_ids[1], "A", True)
        assert "cổng A" in found.inner_text()
        _wait_text(page, "#scan-list li", "Nguyễn Thị Hương 1")
        assert page.inner_text("#scan-list li .gate") == "A"

        page.fill("#gate", "")  # an empty box is said so before anything is recorded
        found = _find(page, "huong 2")
        found.locator("button.checkin").click()
        assert "Ô Cổng đang trống" in page.inner_text("dialog.confirm p")
        page.click("dialog.confirm button[value=no]")
        page.fill("#gate", "Cổng B")
        page.reload()  # the box keeps its gate on this laptop
        page.wait_for_function("window.monitorState.connected")
        assert page.input_value("#gate") == "Cổng B"
    finally:
        context.close()


def test_staff_undo_a_check_in_and_every_monitor_shows_the_guest_not_arrived(
        chromium, served, client, admin, seminar, screenshot):
    guest = seminar.customer_ids[0]
    _scan(client, admin, seminar.event_id, seminar.codes[0], "Cổng A")
    here, page = _laptop(chromium, served.url, seminar.event_id)
    there, other = _laptop(chromium, served.url, seminar.event_id)
    try:
        for monitor in (page, other):
            monitor.wait_for_function("window.monitorState.seqs.length === 1")
        other.wait_for_selector("#not-arrived-list li.guest")
        assert other.locator(f"#not-arrived-list li[data-customer-id='{guest}']").count() == 0
        other.click("#scan-list li .guest-link")  # the guest's history, open elsewhere
        other.wait_for_function("window.monitorState.guest?.visits.length === 1")

        found = _find(page, "huong 0")
        assert "Đã đến" in found.inner_text()
        found.locator("button.undo").click()
        assert "Hủy check-in của Nguyễn Thị Hương 0?" in page.inner_text("dialog.confirm p")
        page.click("dialog.confirm button[value=yes]")
        _wait_text(page, "#search-results li.guest .answer",
                   "Đã hủy check-in của Nguyễn Thị Hương 0")
        assert "Chưa đến" in found.inner_text() and found.locator("button.checkin").count() == 1
        page.wait_for_function("document.getElementById('checked-in').textContent === '0'")
        screenshot(page, "monitor-undone")

        other.wait_for_function("window.monitorState.seqs.length === 2")
        other.wait_for_function("document.getElementById('checked-in').textContent === '0'")
        other.wait_for_selector(f"#not-arrived-list li[data-customer-id='{guest}']")
        assert "Check-in đã bị hủy" in other.inner_text("#scan-list li.undone")
        assert "Hủy check-in" in other.inner_text("#scan-list li")  # the undo, newest first
        assert "đã bị nhân viên hủy" in other.inner_text("#alert-list li")
        other.wait_for_function("window.monitorState.guest.visits.length === 0")
        assert other.inner_text("#guest-visit-count") == "0"
        screenshot(other, "monitor-undone-elsewhere")

        arrived = client.get(f"/api/v1/events/{seminar.event_id}/guests", headers=admin.headers,
                             params={"arrived": "true"}).json()["items"]
        assert arrived == []
        audit = client.get("/api/v1/audit", headers=admin.headers).json()["items"]
        assert [entry["action"] for entry in audit][:1] == ["checkin.undo"]
    finally:
        here.close()
        there.close()
