"""The kiosk without the network (issue 16), in Chromium against a real server: it judges
scans itself from its event's offline copy, with the server's statuses and sentences and an
"offline" mark; keeps them in IndexedDB through a reload (the page itself kept by its
service worker); uploads them in order once the server answers again, each recorded once at
its original time; and keeps no guest's name, phone or code in clear."""

import base64
import json
import os
import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk_server.core.signing import extract_token_text
from tests.conftest import seed_seminar
from tests.offline.conftest import lookup
from tests.ui.conftest import ARGS, CHROMIUM
from tests.ui.test_kiosk_page import _paired_kiosk, _scan
from tests.ui.test_monitor_page import _monitor

pytestmark = pytest.mark.usefixtures("chromium")

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FORGED = "1I.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA"  # the shape of a code, not signed
READY = "window.kioskState.copy.ready && window.kioskState.offlineReady"
SHOWN = "window.kioskState.results.length === {}"

# Every store of the kiosk's IndexedDB, as JSON text.
DUMP_STORAGE = """async () => {
  const opened = indexedDB.open("kiosk-offline");
  const db = await new Promise((resolve, reject) => {
    opened.onsuccess = () => resolve(opened.result);
    opened.onerror = () => reject(opened.error);
  });
  const dump = {};
  for (const name of db.objectStoreNames) {
    const all = db.transaction(name).objectStore(name).getAll();
    dump[name] = await new Promise((resolve, reject) => {
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
  }
  db.close();
  return JSON.stringify(dump);
}"""


def _screen(page) -> tuple[str, str, str, bool]:
    return (page.get_attribute("#screen", "class"), page.inner_text("#headline"),
            page.inner_text("#detail"), page.is_visible("#offline-mark"))


def _status(page) -> tuple[str, str]:
    """The status line: online or offline since when, and the scans waiting."""
    return page.inner_text("#link-state"), page.inner_text("#queue-state")


def _scan_and_wait(page, code: str) -> dict:
    count = page.evaluate("window.kioskState.results.length")
    _scan(page, code)
    page.wait_for_function(SHOWN.format(count + 1))
    return page.evaluate("window.kioskState.results.at(-1)")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _sealed(token: str, salt: str, lookup_text: str, guest: dict) -> str:
    """A box as the contract describes it, made here (not by the server's code)."""
    key = HKDF(algorithm=SHA256(), length=32, salt=base64.urlsafe_b64decode(salt + "=="),
               info=b"kiosk/offline/seal").derive(token.encode("ascii"))
    nonce = os.urandom(12)
    plain = json.dumps(guest, ensure_ascii=False).encode("utf-8")
    return _b64url(nonce + AESGCM(key).encrypt(nonce, plain, lookup_text.encode("ascii")))


def _hh_mm(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ZONE).strftime("%H:%M")


def test_the_kiosk_reads_codes_and_opens_boxes_as_the_server_makes_them(
        chromium, live_server):
    """The page's token text (against the server's own function), lookups and boxes (against
    the contract's HKDF and AES-GCM, written here with `cryptography`)."""
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(live_server + "/kiosk")
        scanned = ["  1i.abcdefghijklmnop.abcdefghijklmnopqrstuvwx\n", "\ufeff1I.X",
                   "HTTPS://X.VN/I/1I.ABCDEFGHIJKLMNOP.ABCDEFGHIJKLMNOPQRSTUVWX/?a=b#c",
                   "\x1d1I.ABC\x1f", "ı" + "A" * 10, "x" * 600 + "/ab", "1I.A\u00a0", "", "/"]
        found = page.evaluate("""async (texts) => {
          const { tokenText } = await import("/ui/scanner.js");
          return texts.map(tokenText);
        }""", scanned)
        assert found == [extract_token_text(text) for text in scanned]

        token = "1I.ABCDEFGHIJKLMNOP.ABCDEFGHIJKLMNOPQRSTUVWX"
        salt = _b64url(bytes(range(16)))
        key = lookup(token, salt)
        guest = {"name": "Trần Văn Bình", "visit_count": 4, "vip": True}
        box = _sealed(token, salt, key, guest)
        opened = page.evaluate("""async ([token, salt, box, other]) => {
          const copy = await import("/ui/kiosk/offline-copy.js");
          const bytes = copy.fromBase64Url(salt);
          const lookup = await copy.lookupOf(token, bytes);
          return [lookup, await copy.openBox(token, bytes, lookup, box),
                  await copy.openBox(other, bytes, lookup, box)];
        }""", [token, salt, box, token.replace("B", "C")])
        assert opened == [key, guest, None]  # another code opens nothing
    finally:
        context.close()


def test_the_kiosk_keeps_no_guest_name_phone_or_code_in_clear(chromium, live_server, http,
                                                              admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.wait_for_function(READY)
        context.set_offline(True)
        result = _scan_and_wait(page, seminar.codes[0])
        assert result["offline"] is True and result["status"] == "ok"
        # The name shows on screen, read from the box this guest's code opened.
        assert _screen(page) == ("ok", "Xin chào Nguyễn Thị Hương 0", "Lần ghé thăm thứ 1", True)
        stored = page.evaluate(DUMP_STORAGE)
        kept = json.loads(stored)
        salt = kept["meta"][0]["salt"]
        # What was dumped is the kiosk's store: its three guests, the scan as lookup and ref.
        assert sorted(e["id"] for e in kept["entries"]) == sorted(
            lookup(code, salt) for code in seminar.codes)
        [queued] = kept["queue"]
        assert queued["lookup"] == lookup(seminar.codes[0], salt) and "code" not in queued
        assert all(e["box"] for e in kept["entries"])
        local = page.evaluate("JSON.stringify(localStorage)")
        # A guest invited after the copy was made: unknown to it, refused here, and queued
        # sealed to the server, which alone reads it (and lets them in once it has it).
        newcomer = http.post("/api/v1/customers", headers=admin.headers, json={
            "full_name": "Lê Thị Sau", "phone": "0987000222"}).json()
        [late] = http.post(f"/api/v1/events/{seminar.event_id}/invitations",
                           headers=admin.headers,
                           json={"customer_ids": [newcomer["id"]]}).json()
        assert _scan_and_wait(page, late["code"])["status"] == "invalid"
        queue = json.loads(page.evaluate(DUMP_STORAGE))["queue"]
        assert "code" not in queue[1] and len(queue[1]["sealed_code"]) > 126
        assert late["code"] not in json.dumps(queue) and late["code"].split(".")[1] not in (
            json.dumps(queue))
        context.set_offline(False)
        page.wait_for_function("window.kioskState.connection.online"
                               " && window.kioskState.queue.count === 0", timeout=20_000)
    finally:
        context.close()
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert {(e["customer_id"], e["status"]) for e in log} >= {(newcomer["id"], "ok")}
    for customer_id in seminar.customer_ids:
        guest = http.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
        for text in (stored, local):
            assert guest["full_name"] not in text and "Hương" not in text
            assert guest["phone"] not in text and guest["phone"][-6:] not in text
    for code in seminar.codes:
        _, serial, tag = code.split(".")
        assert serial not in stored and tag not in stored and code not in stored


def test_a_server_that_does_not_answer_turns_the_kiosk_offline_and_back(
        chromium, live_server, http, admin, seminar, screenshot):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.wait_for_function(READY)
        assert _status(page) == ("Trực tuyến", "0 lượt quét chờ gửi")
        held = []
        # The server takes the requests and never answers.
        page.route("**/api/v1/checkins", lambda route: held.append(route))
        page.route("**/api/v1/kiosk/sync", lambda route: held.append(route))
        result = _scan_and_wait(page, seminar.codes[0])
        assert held[0].request.url.endswith("/api/v1/checkins")  # it was asked first
        assert result["offline"] is True and result["status"] == "ok"
        assert _screen(page) == ("ok", "Xin chào Nguyễn Thị Hương 0", "Lần ghé thăm thứ 1", True)
        link, queued = _status(page)
        assert link.startswith("Ngoại tuyến từ ") and queued == "1 lượt quét chờ gửi, đã 0 phút"
        page.wait_for_function("document.getElementById('screen').className === 'idle'")
        asked = len(held)
        again = _scan_and_wait(page, seminar.codes[0])  # judged here at once: not sent
        assert len(held) - asked <= 1  # (a sync may have gone out meanwhile, not the scan)
        assert all(r.request.url.endswith("/sync") for r in held[asked:])
        assert again["status"] == "already_checked_in" and again["offline"] is True
        at = _hh_mm(result["checked_in_at"])
        assert _screen(page) == ("warn", "Nguyễn Thị Hương 0",
                                 f"Nguyễn Thị Hương 0 đã check-in lúc {at} tại Cổng A.", True)
        page.click("#language")
        assert page.inner_text("#detail") == (
            f"Nguyễn Thị Hương 0 already checked in at {at} at Cổng A.")
        assert page.inner_text("#offline-mark") == "Offline"
        assert page.inner_text("#queue-state") == "2 scans waiting to be sent, the oldest for 0 min"
        screenshot(page, "kiosk-offline-already")
        page.unroute("**/api/v1/checkins")
        page.unroute("**/api/v1/kiosk/sync")  # the server answers again
        page.wait_for_function("window.kioskState.connection.online"
                               " && window.kioskState.queue.count === 0", timeout=15_000)
        assert _status(page) == ("Online", "0 scans waiting to be sent")
    finally:
        context.close()
    log = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert [(e["status"], e["offline_status"], e["conflict"]) for e in reversed(log)] == [
        ("ok", "ok", False), ("already_checked_in", "already_checked_in", False)]
    assert http.get(f"/api/v1/events/{seminar.event_id}/stats",
                    headers=admin.headers).json()["checked_in"] == 1


def test_a_revoked_kiosk_hears_of_it_at_its_sync_and_throws_its_copy_away(
        chromium, live_server, http, admin, seminar):
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.wait_for_function(READY)
        assert len(json.loads(page.evaluate(DUMP_STORAGE))["entries"]) == 3
        [device] = http.get("/api/v1/devices", params={"event_id": seminar.event_id},
                            headers=admin.headers).json()
        assert http.delete(f"/api/v1/devices/{device['id']}",
                           headers=admin.headers).status_code == 200
        page.wait_for_selector("#revoked", state="visible")  # no scan: its sync was refused
        page.wait_for_function("!window.kioskState.copy.ready")
        kept = json.loads(page.evaluate(DUMP_STORAGE))
        assert kept["entries"] == [] and kept["meta"] == []
        assert page.evaluate("window.kioskState.sender.attempts") == 0
    finally:
        context.close()


def test_the_kiosk_says_when_the_browser_will_not_keep_its_data(chromium, live_server, http,
                                                                admin, seminar):
    # Headless Chromium refuses navigator.storage.persist() (it grants it to sites a person
    # engaged with or installed): the refusal here is the browser's own.
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        page.wait_for_function("window.kioskState.storageKept === false")
        assert page.inner_text("#storage-note") == (
            "Trình duyệt chưa hứa giữ dữ liệu ngoại tuyến của kiosk này: nó có thể xóa các"
            " lượt quét chưa gửi.")
        page.click("#language")
        assert page.inner_text("#storage-note") == (
            "The browser did not promise to keep this kiosk's offline data: it may clear the"
            " scans not yet sent.")
    finally:
        context.close()
    # A browser that promises (made to, here, as Chromium will not headless): no sentence.
    context, page = _paired_kiosk(chromium, live_server, http, admin, seminar.event_id)
    try:
        context.add_init_script("navigator.storage.persist = async () => true;")
        page.reload()
        page.wait_for_function("window.kioskState.storageKept === true")
        assert page.is_hidden("#storage-note")
    finally:
        context.close()


def _guest_times(http, admin, event_id) -> dict[int, tuple[str | None, str | None]]:
    page = http.get(f"/api/v1/events/{event_id}/guests", headers=admin.headers,
                    params={"limit": 200}).json()
    return {g["customer_id"]: (g["checked_in_at"], g["gate"]) for g in page["items"]}


def test_two_kiosks_cut_off_check_twenty_guests_in_once_each(chromium, live_server, http, admin,
                                                             screenshot):
    event = seed_seminar(http, admin.headers, guests=20)
    first, a = _paired_kiosk(chromium, live_server, http, admin, event.event_id, gate="Cổng A")
    second, b = _paired_kiosk(chromium, live_server, http, admin, event.event_id, gate="Cổng B")
    try:
        for page in (a, b):
            page.wait_for_function(READY)
        first.set_offline(True)
        second.set_offline(True)
        # The network is cut for the service worker too: a file it never kept fails.
        assert a.evaluate("fetch('/ui/kiosk.css?not-kept').then(() => 'fetched', () => 'failed')"
                          ) == "failed"
        scanned_at = {}  # guest -> (just before the scan, just after its answer), in seconds
        for guest, code in zip(event.customer_ids, event.codes, strict=True):
            before = time.time()
            result = _scan_and_wait(a, code)
            scanned_at[guest] = (int(before), int(time.time()) + 1)
            assert (result["status"], result["offline"]) == ("ok", True)
        screenshot(a, "kiosk-offline-ok")
        for code in (event.codes[3], event.codes[7]):
            assert _scan_and_wait(a, code)["status"] == "already_checked_in"
        assert _scan_and_wait(a, FORGED)["status"] == "invalid"
        assert _screen(a) == ("bad", "Chưa vào được",
                              "Mã QR không hợp lệ. Vui lòng gặp nhân viên.", True)
        screenshot(a, "kiosk-offline-refused")
        # The second gate, cut off too, lets one of the same guests in.
        assert _scan_and_wait(b, event.codes[5])["status"] == "ok"
        # And a scanner's garbage longer than the server reads: queued as it reads it, so the
        # upload is not refused.
        assert _scan_and_wait(b, "X" * 600)["status"] == "invalid"
        offline_since = a.inner_text("#link-state")

        reloaded = a.reload()  # still offline: the service worker gives the page
        assert reloaded.from_service_worker
        a.wait_for_function("window.kioskState.queue.count === 23")
        assert a.inner_text("#link-state") == offline_since
        assert a.inner_text("#queue-state") == "23 lượt quét chờ gửi, lâu nhất 0 phút"
        assert a.is_visible("#scan") and a.inner_text("#headline") == "Mời quét mã QR"
        screenshot(a, "kiosk-offline-queue")

        first.set_offline(False)
        a.wait_for_function("window.kioskState.connection.online"
                            " && window.kioskState.queue.count === 0", timeout=20_000)
        assert _status(a) == ("Trực tuyến", "0 lượt quét chờ gửi")
        second.set_offline(False)
        b.wait_for_function("window.kioskState.connection.online"
                            " && window.kioskState.queue.count === 0", timeout=20_000)
    finally:
        first.close()
        second.close()

    assert http.get(f"/api/v1/events/{event.event_id}/stats",
                    headers=admin.headers).json()["checked_in"] == 20
    times = _guest_times(http, admin, event.event_id)
    for guest, (before, after) in scanned_at.items():
        checked_in_at, gate = times[guest]
        assert gate == "Cổng A"
        assert before <= datetime.fromisoformat(checked_in_at).timestamp() <= after
    log = list(reversed(http.get(f"/api/v1/events/{event.event_id}/scans",
                                 headers=admin.headers).json()))
    assert len(log) == 25
    at_a = [e for e in log if e["gate"] == "Cổng A"]
    assert [e["status"] for e in at_a] == ["ok"] * 20 + ["already_checked_in"] * 2 + ["invalid"]
    assert [e["customer_id"] for e in at_a[20:22]] == [event.customer_ids[3],
                                                      event.customer_ids[7]]
    assert at_a[22]["unknown_code"] == FORGED and at_a[22]["offline_status"] == "invalid"
    assert all(e["offline_status"] == e["status"] and not e["conflict"] for e in at_a)
    at_b, garbage = [e for e in log if e["gate"] == "Cổng B"]
    assert (at_b["status"], at_b["offline_status"], at_b["conflict"]) == (
        "already_checked_in", "ok", True)
    assert at_b["customer_id"] == event.customer_ids[5]
    assert (garbage["status"], garbage["unknown_code"]) == ("invalid", "X" * 100)

    # The monitor shows them: 20 in, the offline scans marked, one alert for the guest let
    # in twice, with both gates.
    context, page = _monitor(chromium, live_server, event.event_id)
    try:
        page.wait_for_function("window.monitorState.seqs.length === 25")
        assert page.inner_text("#checked-in") == "20"
        assert page.locator("#scan-list li .offline-tag").count() == page.locator(
            "#scan-list li").count() > 0
        [twice] = page.locator("#alert-list li", has_text="được cho vào hai lần").all()
        assert twice.locator(".status").inner_text() == "Cho vào hai lần"
        said = twice.locator(".detail").inner_text()
        assert ": Cổng A lúc " in said and " và Cổng B lúc " in said and "cổng Cổng" not in said
    finally:
        context.close()


def test_the_service_worker_keeps_every_module_the_kiosk_page_loads():
    """A kiosk reloaded offline opens only if its service worker kept every file the page
    imports: the page's module graph, read from the files, against the worker's list."""
    static = Path(__file__).resolve().parents[2] / "kiosk_ui" / "static"
    worker = (static / "kiosk-sw.js").read_text(encoding="utf-8")
    kept = set(re.findall(r'"(/ui/[^"]+)"', worker.split("const PAGE", 1)[1].split("];")[0]))
    loaded: set[str] = set()
    waiting = [static / "kiosk.js"]
    while waiting:
        module = waiting.pop()
        url = "/ui/" + module.relative_to(static).as_posix()
        if url in loaded:
            continue
        loaded.add(url)
        for imported in re.findall(r'^import .*? from "(\.[^"]+)";', module.read_text(
                encoding="utf-8"), flags=re.MULTILINE | re.DOTALL):
            waiting.append((module.parent / imported).resolve())
    assert len(loaded) > 5
    assert loaded <= kept, f"not kept by /kiosk-sw.js: {sorted(loaded - kept)}"


def test_a_kiosk_on_plain_http_checks_guests_in_online_and_says_it_cannot_work_offline(
        playwright, live_server, http, admin, seminar):
    # A tablet opening the kiosk by the server's address on the venue's network over plain
    # HTTP: not a secure origin (a name mapped to this machine stands for that address), so
    # no WebCrypto, IndexedDB promise or service worker, nor crypto.randomUUID.
    port = live_server.rsplit(":", 1)[1]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *ARGS, "--host-resolver-rules=MAP kiosk.venue 127.0.0.1"])
    try:
        code = http.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=admin.headers,
                         json={"gate": "Cổng A"}).json()["code"]
        page = browser.new_page(viewport={"width": 800, "height": 1000})
        page.goto(f"http://kiosk.venue:{port}/kiosk")
        assert page.evaluate("window.isSecureContext") is False
        page.fill("#pair-code", code)
        page.click("#pair-form button")
        page.wait_for_selector("#scan", state="visible")
        assert page.inner_text("#storage-note") == (
            "Kiosk này chỉ check-in được khi có mạng: để làm việc cả khi mất mạng, hãy mở"
            " trang qua HTTPS.")
        answer = _scan_and_wait(page, seminar.codes[0])
        assert answer["status"] == "ok" and not answer.get("offline")
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                            answer["scan_id"])
        assert page.evaluate("window.kioskState.copy.ready") is False
        page.click("#language")
        assert page.inner_text("#storage-note") == (
            "This kiosk checks guests in only while it reaches the server: to work offline"
            " too, open the page over HTTPS.")
    finally:
        browser.close()
    [scan] = http.get(f"/api/v1/events/{seminar.event_id}/scans", headers=admin.headers).json()
    assert scan["status"] == "ok" and scan["offline_status"] is None
