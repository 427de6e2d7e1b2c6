"""The admin area end to end, as the shop owner uses it: create an event through its form,
invite guests from a CSV (previewed first, its good rows invited, the bad ones skipped), pair
a kiosk from the event page, and watch the counters move when a guest is scanned."""

import re
from datetime import UTC, datetime, timedelta

from kiosk_server import demo
from kiosk_server.demo import vietnamese_people
from tests.ui.admin_pages import admin_tab, venue_input, venue_minute

HEADER = "full_name,phone,email,notes,contact_consent"
BAD_LINES = {12: "phone", 22: "full_name", 32: "phone"}  # the header is line 1


def _csv(rows):
    return "\n".join([HEADER, *(f"{name},{phone},,,có" for name, phone in rows)]).encode()


def _guest_rows():
    """50 rows; line 12 has a phone that is no phone, line 22 no name, line 32 the phone of
    line 7."""
    rows = list(vietnamese_people(50, seed=7))
    rows[10] = (rows[10][0], "12345")
    rows[20] = ("", rows[20][1])
    rows[30] = (rows[30][0], rows[5][1])
    return rows


def _customer_count(client, admin):
    answer = client.get("/api/v1/customers?limit=200", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    return len(answer.json()["items"])


def _counter(admin, name):
    return admin.page.inner_text(f'[data-counter="{name}"] .value')


def _wait_counter(admin, name, value):
    admin.page.wait_for_function(
        "([name, value]) => document.querySelector(`[data-counter='${name}'] .value`)"
        "?.textContent === value", arg=[name, value])


def test_create_an_event_invite_from_a_csv_pair_a_kiosk_and_see_a_scan_arrive(
        chromium, served, client, admin, screenshot):
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        page.click("#nav a[data-route=events]")
        ui.wait_view("/events")
        page.click("a[href='#/events/new']")
        ui.wait_view("/events/new")
        starts, ends = venue_minute(timedelta(minutes=30)), venue_minute(timedelta(hours=3))
        opens = venue_minute(timedelta(minutes=-10))
        page.fill("[name=venue]", "Trung tâm Hội nghị Quốc gia, Hà Nội")
        page.fill("[name=starts_at]", venue_input(starts))
        page.fill("[name=ends_at]", venue_input(ends))
        page.fill("[name=checkin_opens_at]", venue_input(opens))
        page.fill("[name=capacity]", "100")
        page.check("[name=allow_walk_in]")
        page.click("form.event-form button[type=submit]")  # no name: the server says so
        page.wait_for_function(
            "document.querySelector('[data-error-for=name]').textContent.length > 0")
        assert page.locator(".field[data-field=name].invalid").count() == 1
        assert client.get("/api/v1/events", headers=admin.headers).json() == []
        screenshot(page, "admin-event-form")

        page.fill("[name=name]", "Ra mắt sản phẩm mùa xuân")
        sent = []
        page.on("request", lambda request: sent.append(request.url)
                if request.method == "POST" and request.url.endswith("/api/v1/events") else None)
        page.evaluate("""() => {  // a double click, faster than any answer: it creates once
            const button = document.querySelector('form.event-form button[type=submit]');
            button.click();
            button.click();
        }""")
        page.wait_for_function("/^#\\/events\\/\\d+$/.test(location.hash)")
        event_id = int(page.evaluate("location.hash").rsplit("/", 1)[1])
        ui.wait_view(f"/events/{event_id}")
        assert len(sent) == 1
        events = client.get("/api/v1/events", headers=admin.headers).json()
        assert [event["id"] for event in events] == [event_id]
        event = events[0]
        assert (event["name"], event["venue"], event["capacity"]) == (
            "Ra mắt sản phẩm mùa xuân", "Trung tâm Hội nghị Quốc gia, Hà Nội", 100)
        assert event["allow_walk_in"] and not event["allow_reentry"]
        # Typed as the venue's wall clock, saved as that moment.
        assert datetime.fromisoformat(event["starts_at"]) == starts.astimezone(UTC)
        assert datetime.fromisoformat(event["checkin_opens_at"]) == opens.astimezone(UTC)
        assert datetime.fromisoformat(event["checkin_closes_at"]) == ends.astimezone(UTC)
        assert "Ra mắt sản phẩm mùa xuân" in page.inner_text("section.view h1")
        assert page.locator(f"a[href='/monitor?event={event_id}']").count() == 1

        # The CSV: previewed first, row by row; the three bad rows named; nothing saved.
        rows = _guest_rows()
        upload = ".invite-csv input[type=file]"
        page.set_input_files(upload, files=[{"name": "khach-moi.csv", "mimeType": "text/csv",
                                             "buffer": _csv(rows)}])
        page.wait_for_selector(".import-report.bad")
        shown = page.locator(".import-rows tbody tr")
        assert shown.count() == 50
        named = {int(line.get_attribute("data-row")): line.inner_text()
                 for line in page.locator(".import-rows tbody tr[data-status=bad]").all()}
        assert sorted(named) == sorted(BAD_LINES)
        assert "12345" in named[12] and "Số điện thoại không hợp lệ." in named[12]
        assert "Thiếu họ tên" in named[22]
        assert "Trùng số điện thoại hoặc email với một dòng phía trên." in named[32]
        assert page.inner_text(".import-report .summary") == (
            "Tệp có 50 dòng: 47 dòng hợp lệ (47 khách mới, 0 khách đã có) và 3 dòng lỗi.")
        assert _customer_count(client, admin) == 0
        screenshot(page, "admin-import-preview")

        # The good rows are invited, the bad ones skipped.
        confirm = page.locator(".invite-csv button.primary")
        assert confirm.inner_text() == "Mời 47 khách từ các dòng hợp lệ, bỏ qua 3 dòng lỗi"
        confirm.click()
        ui.wait_text(".import-result", "Đã mời 47 khách")
        assert "3 dòng lỗi đã được bỏ qua" in page.inner_text(".import-result")
        assert _customer_count(client, admin) == 47
        stats = client.get(f"/api/v1/events/{event_id}/stats", headers=admin.headers).json()
        assert stats["invited"] == 47
        _wait_counter(ui, "invited", "47")
        page.wait_for_function("document.querySelectorAll('table.guests tbody tr').length === 47")

        # A kiosk paired with the code the event page shows.
        page.fill(".pairing [name=gate]", "A")
        page.click(".pairing button[type=submit]")
        page.wait_for_function("document.querySelector('.pairing-code')?.textContent")
        code = page.inner_text(".pairing-code")
        assert re.fullmatch(r"[A-Z0-9-]{6,20}", code), code
        assert "Cổng A" in page.inner_text(".pairing-expiry")
        paired = client.post("/api/v1/devices/pair", json={"code": code, "name": "Kiosk cổng A"})
        assert paired.status_code == 201, paired.text
        assert paired.json()["event_id"] == event_id and paired.json()["gate"] == "A"

        # One guest scanned at that kiosk: the counters move, the page is not reloaded.
        invitation = client.get(f"/api/v1/events/{event_id}/invitations?limit=1",
                                headers=admin.headers).json()["items"][0]
        page.evaluate("window.notReloaded = true")
        assert _counter(ui, "checked_in") == "0"
        scanned = client.post("/api/v1/checkins", json={"code": invitation["code"],
                                                        "event_id": event_id},
                              headers={"Authorization": f"Bearer {paired.json()['token']}"})
        assert scanned.status_code == 200 and scanned.json()["status"] == "ok", scanned.text
        _wait_counter(ui, "checked_in", "1")
        assert _counter(ui, "not_arrived") == "46"
        page.wait_for_selector(f"table.guests tr.arrived[data-customer-id='"
                               f"{invitation['customer_id']}']")
        assert page.inner_text("table.guests tr.arrived td:nth-child(4)").endswith("· A")
        assert page.evaluate("window.notReloaded") is True
        screenshot(page, "admin-event")

        undone = client.post(f"/api/v1/events/{event_id}/guests/{invitation['customer_id']}"
                             "/checkin/undo", headers=admin.headers)  # it was a mistake
        assert undone.status_code == 200, undone.text
        _wait_counter(ui, "checked_in", "0")
        page.wait_for_selector(f"table.guests tr:not(.arrived)[data-customer-id='"
                               f"{invitation['customer_id']}']")
        assert page.evaluate("window.notReloaded") is True


def test_after_the_demo_signing_in_lands_on_the_dashboard_with_the_seminar_live(
        chromium, served, app, client, screenshot):
    with app.state.db.session() as session:
        login = demo.create_or_refresh(session, signer=app.state.signer,
                                        settings=app.state.settings,
                                        password=demo.new_admin_password())
    with admin_tab(chromium, served.url, None) as ui:
        page = ui.page
        ui.sign_in(login.username, login.password)
        ui.wait_view("/")
        card = page.locator(f"article.event-card[data-event-id='{login.event_id}']")
        assert page.locator("article.event-card").count() == 1
        assert demo.DEMO_EVENT_NAME in card.inner_text()
        assert "Sắp diễn ra" in card.inner_text()  # starts in 30 minutes; check-in is open
        assert card.locator("[data-counter=invited] .value").inner_text() == "500"
        assert card.locator("[data-counter=checked_in] .value").inner_text() == "0"
        ui.wait_text(f"article.event-card[data-event-id='{login.event_id}'] .live", "trực tuyến")
        scanned = client.post("/api/v1/checkins", json={
            "code": login.sample_invitation_code, "event_id": login.event_id},
            headers={"Authorization": f"Bearer {login.device_token}"})
        assert scanned.json()["status"] == "ok", scanned.text
        _wait_counter(ui, "checked_in", "1")
        assert card.locator("[data-counter=not_arrived] .value").inner_text() == "499"
        assert card.locator(f"a[href='/monitor?event={login.event_id}']").count() == 1
        for target in ("#/events", "#/customers", "#/devices", "#/staff", "#/audit"):
            assert page.locator(f"nav.shortcuts a[href='{target}']").count() == 1
        screenshot(page, "admin-dashboard")


def test_invite_a_picked_customer_cancel_an_invitation_and_edit_the_event(
        chromium, served, client, admin, seminar):
    lan = client.post("/api/v1/customers", headers=admin.headers,
                      json={"full_name": "Đỗ Thị Lan", "phone": "0903 111 222"}).json()
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/events/{seminar.event_id}")
        page.wait_for_function("document.querySelectorAll('table.guests tbody tr').length === 3")
        page.fill(".invite-pick input.search", "do thi lan")
        page.wait_for_function("document.querySelectorAll('.pick-list li').length === 1")
        page.check(".pick-list li input[type=checkbox]")
        invite = page.locator(".invite-pick button.primary")
        assert invite.inner_text() == "Mời 1 khách đã chọn"
        invite.click()
        page.wait_for_selector(f"table.guests tr[data-customer-id='{lan['id']}']")
        _wait_counter(ui, "invited", "4")
        assert invite.is_hidden()  # nobody chosen any more

        guest = page.locator(f"table.guests tr[data-customer-id='{seminar.customer_ids[0]}']")
        guest.locator("button").click()
        assert "Nguyễn Thị Hương 0" in page.inner_text("dialog.confirm")
        page.click("dialog.confirm button[value=yes]")
        guest.wait_for(state="detached")
        _wait_counter(ui, "invited", "3")
        invitations = client.get(f"/api/v1/events/{seminar.event_id}/invitations",
                                 headers=admin.headers).json()["items"]
        assert sorted((i["customer_id"], i["status"]) for i in invitations) == sorted(
            [(seminar.customer_ids[0], "cancelled"), (seminar.customer_ids[1], "active"),
             (seminar.customer_ids[2], "active"), (lan["id"], "active")])

        starts_at = client.get(f"/api/v1/events/{seminar.event_id}",
                               headers=admin.headers).json()["starts_at"]
        page.click(f"a[href='#/events/{seminar.event_id}/edit']")
        ui.wait_view(f"/events/{seminar.event_id}/edit")
        assert page.input_value("[name=name]") == "Hội thảo mùa thu"
        page.fill("[name=capacity]", "250")
        page.check("[name=allow_reentry]")
        page.click("form.event-form button[type=submit]")
        ui.wait_view(f"/events/{seminar.event_id}")
        event = client.get(f"/api/v1/events/{seminar.event_id}", headers=admin.headers).json()
        assert (event["capacity"], event["allow_reentry"], event["name"]) == (
            250, True, "Hội thảo mùa thu")
        assert event["starts_at"] == starts_at  # a time not touched is kept to the second
