"""The staff monitor in a real browser: live arrivals, nothing lost across a restart, and
everything said in words of the chosen language."""

from tests.conftest import seed_seminar


def _monitor(chromium, base, event_id, viewport=None, errors=None):
    """The monitor of `event_id`, signed in as the admin; the page's own errors (script
    exceptions, console errors other than failed requests) go into `errors`."""
    context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 800})
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and not message.text
                .startswith("Failed to load resource") and errors.append(message.text))
    page.goto(f"{base}/monitor?event={event_id}")
    page.fill("#signin [name=username]", "admin")
    page.fill("#signin [name=password]", "correct horse battery")
    page.click("#signin button[type=submit]")
    page.wait_for_function("window.monitorState.connected")
    return context, page


def test_the_monitor_shows_an_arrival_and_the_new_count(chromium, served, client, admin,
                                                        seminar, screenshot):
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        assert page.inner_text("#invited") == "3" and page.inner_text("#checked-in") == "0"
        answer = client.post("/api/v1/checkins", headers=admin.headers,
                             json={"code": seminar.codes[0], "event_id": seminar.event_id,
                                   "gate": "Cổng A"}).json()
        page.wait_for_function("document.getElementById('checked-in').textContent === '1'")
        assert answer["customer"]["name"] in page.inner_text("#scan-list")
        assert page.inner_text("#missing") == "2" and page.inner_text("#percent") == "33%"
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": "forged", "event_id": seminar.event_id})
        page.wait_for_function("window.monitorState.seqs.length === 2")
        assert "Mã không hợp lệ" in page.inner_text("#alert-list")
        shown = page.inner_text("#scan-list .time")  # the venue's clock (UTC+7 by default)
        latest = client.get(f"/api/v1/events/{seminar.event_id}/scans",
                            headers=admin.headers).json()[0]["scanned_at"]
        assert int(shown[:2]) == (int(latest[11:13]) + 7) % 24
        screenshot(page, "monitor")
    finally:
        context.close()


def test_the_monitor_misses_nothing_and_doubles_nothing_across_a_restart(
        chromium, served, client, admin, seminar, screenshot):
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": seminar.codes[0], "event_id": seminar.event_id})
        page.wait_for_function("window.monitorState.seqs.length === 1")
        served.stop()
        page.wait_for_function("!window.monitorState.connected")
        for code in (seminar.codes[1], seminar.codes[1], seminar.codes[2]):
            client.post("/api/v1/checkins", headers=admin.headers,
                        json={"code": code, "event_id": seminar.event_id})
        served.start()
        page.wait_for_function("window.monitorState.seqs.length === 4", timeout=15_000)
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": "forged", "event_id": seminar.event_id})
        page.wait_for_function("window.monitorState.seqs.length === 5")
        assert page.evaluate("window.monitorState.seqs") == [1, 2, 3, 4, 5]
        page.wait_for_function("document.getElementById('checked-in').textContent === '3'")
        screenshot(page, "monitor-after-restart")
    finally:
        context.close()


def test_staff_pair_a_kiosk_from_the_monitor(chromium, served, client, admin, seminar):
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        page.fill("#gate", "Cổng B")
        page.click("#pairing-new")
        page.wait_for_function("document.getElementById('pairing-code').textContent !== ''")
        code = page.inner_text("#pairing-code").split()[0]
        device = client.post("/api/v1/devices/pair", json={"code": code}).json()
        assert (device["event_id"], device["gate"]) == (seminar.event_id, "Cổng B")
    finally:
        context.close()


def test_a_monitor_opened_late_reads_back_only_the_recent_updates(chromium, served, client,
                                                                  admin, seminar):
    for n in range(250):
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": f"forged-{n}", "event_id": seminar.event_id})
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        page.wait_for_function("window.monitorState.seqs.length === 200")
        assert page.evaluate("window.monitorState.seqs[0]") == 51
        assert page.locator("#scan-list li").count() == 50
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": seminar.codes[0], "event_id": seminar.event_id})
        page.wait_for_function("window.monitorState.lastSeq === 251")
    finally:
        context.close()


INTERNAL_CODES = ("ok", "already_checked_in", "wrong_event", "invalid", "not_invited",
                  "revoked", "not_open")


def _statuses(page, selector):
    return page.eval_on_selector_all(f"{selector} .status", "nodes => nodes.map(n => n.innerText)")


def test_the_monitor_says_what_happened_in_words_in_the_chosen_language(
        chromium, served, client, admin, seminar, screenshot):
    other = seed_seminar(client, admin.headers, guests=1, name="Tiệc tri ân")
    errors = []
    context, page = _monitor(chromium, served.url, seminar.event_id, errors=errors)
    try:
        for code in (seminar.codes[0], seminar.codes[0], other.codes[0], "forged"):
            client.post("/api/v1/checkins", headers=admin.headers,
                        json={"code": code, "event_id": seminar.event_id, "gate": "A"})
        page.wait_for_function("window.monitorState.seqs.length === 4")
        shown = _statuses(page, "#scan-list")
        assert shown == ["Mã không hợp lệ", "Sai sự kiện", "Quét lại", "Đã vào"]
        alerts = page.inner_text("#alert-list")
        assert "Thư mời của một sự kiện khác." in alerts and "Đã check-in lúc" in alerts
        text = page.inner_text("body")
        assert not set(INTERNAL_CODES) & set(text.split()), text
        assert " / " not in text  # every label once, in one language
        phone = client.get(f"/api/v1/customers/{seminar.customer_ids[1]}",
                           headers=admin.headers).json()["phone"]  # +84912...
        local = f"0{phone[3:6]} {phone[6:9]} {phone[9:]}"
        page.wait_for_selector(
            f"#not-arrived-list li[data-customer-id='{seminar.customer_ids[1]}']")
        phones = page.eval_on_selector_all("#not-arrived-list .phone",
                                           "nodes => nodes.map(n => n.innerText)")
        assert local in phones and "+84" not in page.inner_text("#not-arrived-list")
        assert page.get_attribute("html", "lang") == "vi"

        page.click("#language button[data-lang=en]")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert _statuses(page, "#scan-list") == ["Invalid code", "Wrong event", "Scanned again",
                                                 "In"]
        assert page.inner_text("#stream h2") == "Recent scans"
        assert "An invitation to another event." in page.inner_text("#alert-list")
        assert page.inner_text("label[for=gate]") == "Gate"
        page.wait_for_function("document.querySelector('#not-arrived-list .arrival')"
                               "?.innerText === 'Not arrived'")
        screenshot(page, "monitor-english")
        page.reload()  # the choice stays, as in the admin area
        page.wait_for_function("window.monitorState.connected")
        assert page.get_attribute("html", "lang") == "en"
        page.wait_for_function("window.monitorState.seqs.length === 4")
        assert _statuses(page, "#scan-list")[0] == "Invalid code"
        assert errors == []
    finally:
        context.close()


def test_the_monitor_fits_a_phone_and_a_tablet_in_both_languages(
        chromium, served, client, admin, seminar, screenshot):
    client.patch(f"/api/v1/customers/{seminar.customer_ids[0]}", headers=admin.headers,
                 json={"tags": ["vip"]})
    for code in (seminar.codes[0], seminar.codes[0], "forged"):
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": code, "event_id": seminar.event_id, "gate": "Cổng A"})
    for width, height in ((375, 812), (820, 1180)):
        context, page = _monitor(chromium, served.url, seminar.event_id,
                                 viewport={"width": width, "height": height})
        try:
            for language in ("vi", "en"):
                page.click(f"#language button[data-lang={language}]")
                page.wait_for_function(f"document.documentElement.lang === '{language}'")
                page.wait_for_function("window.monitorState.seqs.length === 3")
                page.wait_for_selector("#not-arrived-list li.guest")
                wide = page.evaluate("document.scrollingElement.scrollWidth")
                assert wide <= width, (width, language, wide)
                screenshot(page, f"monitor-{width}-{language}")
                page.screenshot(path=str(screenshot(page, f"monitor-{width}-{language}-full")),
                                full_page=True)
        finally:
            context.close()


def test_a_guest_who_rates_the_event_low_shows_in_the_monitors_alerts(chromium, served, client,
                                                                       admin, seminar,
                                                                       screenshot):
    context, page = _monitor(chromium, served.url, seminar.event_id)
    try:
        guest = seminar.customer_ids[0]
        client.post("/api/v1/checkins", headers=admin.headers,
                    json={"code": seminar.codes[0], "event_id": seminar.event_id})
        page.wait_for_function("window.monitorState.seqs.length === 1")
        [visit] = client.get(f"/api/v1/customers/{guest}/visits", headers=admin.headers).json()
        link = client.post(f"/api/v1/customers/{guest}/visits/{visit['id']}/feedback-link",
                           headers=admin.headers).json()
        answered = client.put(f"/api/v1/feedback/{link['code']}", json={
            "visit_rating": 1, "comment": "Xếp hàng quá lâu ở cổng."})
        assert answered.status_code == 200, answered.text
        page.wait_for_selector("#alert-list li.low-rating")
        line = page.inner_text("#alert-list li.low-rating")
        assert "Đánh giá thấp" in line and "Nguyễn Thị Hương 0" in line
        assert "1/5" in line and "Xếp hàng quá lâu ở cổng." in line
        for width in (375, 820):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator("#alert-list").scroll_into_view_if_needed()
            screenshot(page, f"monitor-low-rating-{width}")
        page.click("#language button[data-lang=en]")  # drawn again in the other language
        assert "Low rating" in page.inner_text("#alert-list li.low-rating")
    finally:
        context.close()
