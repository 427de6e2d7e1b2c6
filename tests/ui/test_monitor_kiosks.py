"""The monitor and the kiosks that judge scans offline, driven through the kiosks' own API on
a real server: each kiosk's state (online, offline since when, scans waiting, last upload),
live and aged on the page, and the scans uploaded later, marked offline, with a guest let in
at two gates as an alert that names both gates and times, in Vietnamese and English."""

import re
import uuid
from datetime import datetime, timedelta

from kiosk_server.core.types import utcnow
from tests.ui.test_monitor_page import _monitor


def _device(http, admin, event_id, gate):
    """A kiosk device of the event at `gate`: its id and its credentials."""
    answer = http.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                       json={"name": f"Kiosk {gate}", "gate": gate})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], {"Authorization": f"Bearer {answer.json()['token']}"}


def _venue_clock(settings):
    """A moment as the page shows it: the venue's HH:MM (or another strftime pattern)."""
    return lambda moment, pattern="%H:%M": moment.astimezone(settings.zone).strftime(pattern)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _sync(http, device, offline_since=None, queued=0, oldest_queued_at=None,
          last_upload_at=None):
    """The kiosk's sync, reporting its state (its clock is the test's: no correction)."""
    answer = http.post("/api/v1/kiosk/sync", headers=device, json={
        "after": 0, "sent_at": utcnow().isoformat(), "state": {
            "offline_since": _iso(offline_since), "queued": queued,
            "oldest_queued_at": _iso(oldest_queued_at), "last_upload_at": _iso(last_upload_at)}})
    assert answer.status_code == 200, answer.text


def _upload(http, device, *scans):
    """Scans judged offline, as (scanned_at, what the kiosk showed, code), sent at once."""
    answer = http.post("/api/v1/kiosk/uploads", headers=device, json={
        "sent_at": utcnow().isoformat(), "scans": [
            {"scan_id": str(uuid.uuid4()), "scanned_at": at.isoformat(), "offline_status": said,
             "code": code} for at, said, code in scans]})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def _kiosk(http, admin, event_id, device_id):
    kiosks = http.get(f"/api/v1/events/{event_id}/kiosks", headers=admin.headers).json()
    return next(kiosk for kiosk in kiosks if kiosk["device_id"] == device_id)


def _wait_shown(page, device_id, state):
    page.wait_for_function(
        "([id, state]) => window.monitorState.kiosks.some("
        "(kiosk) => kiosk.device_id === id && kiosk.shown === state)", arg=[device_id, state])


def _row(page, device_id):
    return page.inner_text(f'#kiosk-list li[data-device-id="{device_id}"]')


def _wait_row(page, device_id, text):
    page.wait_for_function(
        "([id, text]) => document.querySelector(`#kiosk-list li[data-device-id=\"${id}\"]`)"
        "?.innerText.includes(text)", arg=[device_id, text])


def test_the_monitor_shows_each_kiosks_state_live_and_as_read_again(
        chromium, served, http, admin, seminar, settings, screenshot):
    at = _venue_clock(settings)
    a, kiosk_a = _device(http, admin, seminar.event_id, "A")
    b, kiosk_b = _device(http, admin, seminar.event_id, "B")
    c, _ = _device(http, admin, seminar.event_id, "C")
    errors = []
    context, page = _monitor(chromium, served.url, seminar.event_id, errors=errors)
    try:
        page.wait_for_function("window.monitorState.kiosks.length === 3")
        assert page.evaluate("window.monitorState.kiosks.map((kiosk) => kiosk.shown)") == [
            "never", "never", "never"]
        assert "Kiosk C" in _row(page, c) and "cổng C" in _row(page, c)
        assert "Chưa kết nối lần nào" in _row(page, c)
        assert page.inner_text("#kiosks-count") == "(0/3 trực tuyến)"

        _sync(http, kiosk_a)
        _wait_shown(page, a, "online")
        row = _row(page, a)
        assert "Trực tuyến" in row and "Không có lượt quét chờ gửi" in row
        assert "Chưa gửi lên lần nào" in row

        # From here the page cannot read the list again: what changes comes over the feed.
        page.route("**/api/v1/events/*/kiosks", lambda route: route.abort())
        now = utcnow().replace(microsecond=0)
        # (20 s more: ages are on the server's clock as the page knows it, to within a second)
        offline_since, oldest, uploaded = (now - timedelta(minutes=5, seconds=20),
                                           now - timedelta(minutes=4, seconds=20),
                                           now - timedelta(minutes=10))
        _sync(http, kiosk_b, offline_since=offline_since, queued=3, oldest_queued_at=oldest,
              last_upload_at=uploaded)
        _wait_shown(page, b, "offline")
        row = _row(page, b)
        assert f"Ngoại tuyến từ {at(offline_since)} (5 phút " in row
        assert "3 lượt quét chờ gửi, lâu nhất 4 phút " in row
        assert f"Gửi lên lần cuối lúc {at(uploaded, '%H:%M:%S')}" in row
        assert page.locator("#kiosk-list li.offline", has_text="Kiosk B").count() == 1

        # Kiosk B uploads, then says one scan still waits.
        _upload(http, kiosk_b, (now - timedelta(minutes=4), "invalid", "FORGED-AT-B"))
        _sync(http, kiosk_b, offline_since=offline_since, queued=1, oldest_queued_at=now,
              last_upload_at=now)
        uploaded = datetime.fromisoformat(
            _kiosk(http, admin, seminar.event_id, b)["last_upload_at"])
        assert uploaded >= now
        _wait_row(page, b, f"Gửi lên lần cuối lúc {at(uploaded, '%H:%M:%S')}")
        assert "1 lượt quét chờ gửi, đã " in _row(page, b)
        page.unroute("**/api/v1/events/*/kiosks")

        page.click("#language [data-lang=en]")
        assert f"Offline since {at(offline_since)} (5 min " in _row(page, b)
        assert "1 scan waiting, for " in _row(page, b)
        assert f"Last upload at {at(uploaded, '%H:%M:%S')}" in _row(page, b)
        assert "Never connected" in _row(page, c) and "gate C" in _row(page, c)
        _sync(http, kiosk_a)
        _wait_shown(page, a, "online")
        row = _row(page, a)
        assert "Online" in row and "No scans waiting" in row and "No upload yet" in row
        assert page.inner_text("#kiosks-count") == "(1 of 3 online)"

        # Read again from the server: the same, in the language chosen.
        page.reload()
        page.wait_for_function("window.monitorState.kiosks.length === 3")
        assert [kiosk["device_id"] for kiosk in page.evaluate("window.monitorState.kiosks")] == [
            a, b, c]  # by gate
        assert f"Offline since {at(offline_since)} (5 min " in _row(page, b)
        assert f"Last upload at {at(uploaded, '%H:%M:%S')}" in _row(page, b)
        assert "Never connected" in _row(page, c)
        screenshot(page, "monitor-kiosks")
        assert errors == []
    finally:
        context.close()


def test_the_monitor_ages_kiosks_on_the_servers_clock_and_without_the_server(
        chromium, served, http, admin, seminar, settings):
    a, kiosk_a = _device(http, admin, seminar.event_id, "A")
    b, kiosk_b = _device(http, admin, seminar.event_id, "B")
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        page.clock.install(time=utcnow() + timedelta(hours=1))
        page.reload()  # the page's clock is now an hour fast, and the test's to move
        page.wait_for_function("window.monitorState.connected")
        _sync(http, kiosk_a)
        offline_since = utcnow() - timedelta(minutes=5, seconds=20)
        _sync(http, kiosk_b, offline_since=offline_since)
        _wait_shown(page, a, "online")
        _wait_shown(page, b, "offline")
        assert f"Ngoại tuyến từ {offline_since.astimezone(settings.zone):%H:%M} (5 phút " in (
            _row(page, b))  # five minutes on the server's clock, whatever the page's says
        seen = datetime.fromisoformat(_kiosk(http, admin, seminar.event_id, a)["last_seen_at"])

        # The monitor loses the server, and 15 s go by: kiosk A was last seen over 10 s ago.
        page.route("**/api/v1/**", lambda route: route.abort())
        page.clock.fast_forward("00:15")
        _wait_shown(page, a, "offline")
        assert re.search(rf"Ngoại tuyến từ {seen.astimezone(settings.zone):%H:%M} \(\d+ giây\)",
                         _row(page, a))

        # The server is back, and so is the kiosk: online again at the next reading.
        page.unroute("**/api/v1/**")
        _sync(http, kiosk_a)
        page.clock.fast_forward("00:11")
        _wait_shown(page, a, "online")
        assert "Trực tuyến" in _row(page, a)
    finally:
        context.close()


def test_offline_scans_and_a_guest_let_in_at_two_gates_on_the_monitor(
        chromium, served, http, admin, seminar, settings, screenshot):
    at = _venue_clock(settings)
    name = "Nguyễn Thị Hương 0"  # seed_seminar's first guest
    _, kiosk_a = _device(http, admin, seminar.event_id, "A")
    _, kiosk_b = _device(http, admin, seminar.event_id, "B")
    errors = []
    context, page = _monitor(chromium, served.url, seminar.event_id, errors=errors)
    try:
        first = (utcnow() - timedelta(minutes=4)).replace(second=30, microsecond=0)
        second = first + timedelta(minutes=2)
        [at_a] = _upload(http, kiosk_a, (first, "ok", seminar.codes[0]))
        at_b = _upload(http, kiosk_b, (second, "ok", seminar.codes[0]),
                       (second + timedelta(seconds=10), "invalid", "FORGED-CODE"))
        assert (at_a["conflict"], at_b[0]["conflict"]) == (False, True)
        page.wait_for_function("window.monitorState.seqs.length === 3")
        page.wait_for_function("document.getElementById('checked-in').textContent === '1'")

        # Each scan at its own time, marked offline; the oldest line is the first scan.
        assert page.locator("#scan-list li .tag.offline-tag").count() == 3
        assert page.inner_text("#scan-list li:last-child .time") == at(first, "%H:%M:%S")
        assert page.inner_text("#scan-list li:last-child .offline-tag") == "ngoại tuyến"
        conflict = (f"{name} được cho vào hai lần: cổng A lúc {at(first)} và cổng B lúc "
                    f"{at(second)} (ngoại tuyến).")
        alert = page.locator("#alert-list li.bad", has_text=conflict)
        assert alert.count() == 1
        assert alert.locator(".status").inner_text() == "Cho vào hai lần"
        assert "Mã QR không hợp lệ hoặc bị sửa." in page.inner_text("#alert-list")
        assert page.locator("#alert-list li").count() == 2  # the first admission is no alert
        assert page.inner_text("#missing") == "2"  # the second admission is no arrival
        stats = http.get(f"/api/v1/events/{seminar.event_id}/stats",
                         headers=admin.headers).json()
        assert (stats["checked_in"], stats["entries"]) == (1, 1)

        for width, height in ((375, 1700), (800, 1300)):  # the whole page, phone and tablet
            page.set_viewport_size({"width": width, "height": height})
            screenshot(page, f"monitor-offline-conflict-{width}")
        page.set_viewport_size({"width": 1280, "height": 800})

        page.click("#language [data-lang=en]")
        conflict = (f"{name} was let in twice: gate A at {at(first)} and gate B at "
                    f"{at(second)} (offline).")
        assert page.locator("#alert-list li", has_text=conflict).count() == 1
        assert page.inner_text("#scan-list li:last-child .offline-tag") == "offline"

        # Reloaded, the page reads the feed back from the record: the same alert.
        page.reload()
        page.wait_for_function("window.monitorState.seqs.length === 3")
        alert = page.locator("#alert-list li.bad", has_text=conflict)
        assert alert.count() == 1 and alert.locator(".status").inner_text() == "Let in twice"
        assert page.locator("#scan-list li .tag.offline-tag").count() == 3
        assert page.inner_text("#checked-in") == "1"
        screenshot(page, "monitor-offline-conflict")
        assert errors == []
    finally:
        context.close()


def test_a_kiosk_that_let_in_offline_a_guest_the_server_refuses_is_an_alert(
        chromium, served, http, admin, seminar):
    guest = http.get(f"/api/v1/events/{seminar.event_id}/guests", headers=admin.headers,
                     params={"q": "Hương 1"}).json()["items"][0]
    cancelled = http.delete(f"/api/v1/events/{seminar.event_id}/invitations/"
                            f"{guest['invitation_id']}", headers=admin.headers)
    assert cancelled.status_code == 200, cancelled.text
    _, kiosk_a = _device(http, admin, seminar.event_id, "A")
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        [answer] = _upload(http, kiosk_a, (utcnow() - timedelta(minutes=1), "ok", seminar.codes[1]))
        assert (answer["result"]["status"], answer["conflict"]) == ("revoked", False)
        page.wait_for_function("window.monitorState.seqs.length === 1")
        assert page.inner_text("#alert-list li .detail") == (
            "Thẻ hoặc thư mời này đã bị hủy. Khi mất mạng, kiosk đã báo: Đã vào.")
        assert page.inner_text("#checked-in") == "0"
    finally:
        context.close()


def test_a_reading_asked_before_a_kiosks_first_sync_does_not_undo_it(
        chromium, served, http, admin, seminar):
    # The list read every 10 s may be answered after a `kiosk` message it knew nothing of
    # (asked before the kiosk's first sync): the kiosk stays online, not "never connected".
    a, kiosk_a = _device(http, admin, seminar.event_id, "A")
    stale = http.get(f"/api/v1/events/{seminar.event_id}/kiosks", headers=admin.headers).text
    assert '"state":"never"' in stale
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        page.clock.install(time=utcnow())
        page.reload()
        page.wait_for_function("window.monitorState.connected")
        _sync(http, kiosk_a)
        _wait_shown(page, a, "online")
        page.route(f"**/api/v1/events/{seminar.event_id}/kiosks", lambda route: route.fulfill(
            status=200, content_type="application/json", body=stale))
        page.clock.fast_forward("00:11")  # the next reading, answered with the stale list
        page.wait_for_timeout(300)
        assert "Trực tuyến" in _row(page, a)
    finally:
        context.close()
