"""Customers in the admin area: search without diacritics, paging with the server's cursor,
the form showing the server's messages by their fields, VIP from the form to the event's
guest filter, the membership card, and the visit history arriving live."""

from tests.ui.admin_pages import admin_tab, invite_new_customer

ROWS = "section.view table.customers tbody tr"
GUEST_ROWS = "section.view table.guests tbody tr"


def _rows(page, selector, count):
    page.wait_for_function("([selector, count]) => document.querySelectorAll(selector).length"
                           " === count", arg=[selector, count])


def test_a_name_typed_without_diacritics_finds_the_customer_and_vip_shows_in_the_guest_filter(
        chromium, served, client, admin, seminar, screenshot):
    thang = invite_new_customer(client, admin.headers, seminar.event_id, "Trần Đức Thắng",
                                "0987 654 321")
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/events/{seminar.event_id}")
        _rows(page, GUEST_ROWS, 4)
        page.select_option("section.guest-list select", "vip")
        _rows(page, GUEST_ROWS, 0)  # nobody is a VIP yet
        assert page.locator("section.guest-list .empty").is_visible()

        ui.go("/customers")
        _rows(page, ROWS, 4)
        searches = []
        page.on("request", lambda request: searches.append(request.url)
                if "/api/v1/customers?" in request.url and "q=" in request.url else None)
        page.type("section.view input.search", "tran duc thang", delay=20)  # đ typed as d
        _rows(page, ROWS, 1)
        assert "Trần Đức Thắng" in page.inner_text(ROWS)
        assert "0987 654 321" in page.inner_text(ROWS)
        assert len(searches) == 1, searches  # one search once typing paused, not one a key
        screenshot(page, "admin-customers")

        page.click(f"{ROWS} a")
        ui.wait_view(f"/customers/{thang['id']}")
        page.click(f"a[href='#/customers/{thang['id']}/edit']")
        ui.wait_view(f"/customers/{thang['id']}/edit")
        assert not page.is_checked("[name=vip]")
        page.check("[name=vip]")
        page.fill("[name=tags]", "Đại lý, Hà Nội")
        page.click("form.customer-form button[type=submit]")
        ui.wait_view(f"/customers/{thang['id']}")
        assert page.inner_text("section.view .tags .badge.vip") == "VIP"
        saved = client.get(f"/api/v1/customers/{thang['id']}", headers=admin.headers).json()
        assert saved["tags"] == ["vip", "đại lý", "hà nội"]
        assert saved["full_name"] == "Trần Đức Thắng" and saved["phone"] == "+84987654321"

        ui.go(f"/events/{seminar.event_id}")
        _rows(page, GUEST_ROWS, 4)
        page.select_option("section.guest-list select", "vip")
        _rows(page, GUEST_ROWS, 1)
        assert "Trần Đức Thắng" in page.inner_text(GUEST_ROWS)
        assert page.locator(f"{GUEST_ROWS} .badge.vip").count() == 1
        screenshot(page, "admin-guests-vip")


def test_the_customer_list_reads_the_next_page_with_the_cursor(
        chromium, served, client, admin):
    rows = "\n".join(["full_name,phone", *(f"Khách {n:02d},0913{n:06d}" for n in range(55))])
    imported = client.post("/api/v1/customers/import", headers={
        **admin.headers, "Content-Type": "text/csv"}, content=rows.encode())
    assert imported.status_code == 200 and imported.json()["created"] == 55, imported.text
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        reads = []
        page.on("request", lambda request: reads.append(request.url)
                if "/api/v1/customers?" in request.url else None)
        ui.go("/customers")
        _rows(page, ROWS, 50)
        page.click("section.view button.more")
        _rows(page, ROWS, 55)
        assert page.locator("section.view button.more").is_hidden()
        names = page.locator(f"{ROWS} td:first-child").all_inner_texts()
        assert len(set(names)) == 55  # nothing twice, nothing left out
        assert "after=" not in reads[0] and "after=" in reads[1]
        assert not any("offset" in url for url in reads)


def test_the_customer_form_shows_each_server_message_by_its_field(
        chromium, served, client, admin, seminar):
    taken = client.get(f"/api/v1/customers/{seminar.customer_ids[0]}",
                       headers=admin.headers).json()["phone"]
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go("/customers/new")
        page.fill("[name=full_name]", "Lê Văn Tám")
        page.fill("[name=email]", "tam-at-example")
        submit = "form.customer-form button[type=submit]"
        page.click(submit)  # a 422: its detail's loc names the field
        ui.wait_text("[data-error-for=email]", "email")
        page.fill("[name=email]", "tam@example.vn")
        page.fill("[name=phone]", "123")
        page.click(submit)  # a rule broken: error.field names it
        ui.wait_text("[data-error-for=phone]", "Số điện thoại không hợp lệ")
        assert page.inner_text("[data-error-for=email]") == ""
        page.fill("[name=phone]", taken)
        page.click(submit)
        ui.wait_text("[data-error-for=phone]", "đã thuộc về một khách hàng khác")
        assert page.locator(submit).is_enabled()
        page.fill("[name=phone]", "0908 123 456")
        page.click(submit)
        page.wait_for_function("/^#\\/customers\\/\\d+$/.test(location.hash)")
        found = client.get("/api/v1/customers?q=le van tam", headers=admin.headers).json()
        assert [(c["full_name"], c["phone"], c["email"]) for c in found["items"]] == [
            ("Lê Văn Tám", "+84908123456", "tam@example.vn")]


def test_the_customer_page_issues_a_card_and_shows_a_new_visit_live(
        chromium, served, client, admin, seminar, screenshot):
    customer_id = seminar.customer_ids[0]
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/customers/{customer_id}")
        ui.wait_text("section.view h2 .live", "trực tuyến")  # following, history read
        assert page.locator(".visits li").count() == 0
        assert page.inner_text(".visit-count") == "0"
        assert page.inner_text(".last-visit") == "—"

        page.click("section.card button")
        page.wait_for_selector(".card-code")
        first = page.inner_text(".card-code")
        card = client.get(f"/api/v1/customers/{customer_id}/card", headers=admin.headers)
        assert card.json()["code"] == first
        page.click("section.card button")  # reissue: asked first
        page.click("dialog.confirm button[value=yes]")
        page.wait_for_function("(first) => document.querySelector('.card-code')?.textContent"
                               " !== first", arg=first)
        card = client.get(f"/api/v1/customers/{customer_id}/card", headers=admin.headers)
        assert card.json()["code"] == page.inner_text(".card-code") != first

        scanned = client.post("/api/v1/checkins", headers=admin.headers, json={
            "code": seminar.codes[0], "event_id": seminar.event_id, "gate": "B"})
        assert scanned.json()["status"] == "ok", scanned.text
        page.wait_for_selector(".visits li")
        assert page.inner_text(".visit-count") == "1"
        assert page.inner_text(".last-visit") != "—"
        assert "Hội thảo mùa thu" in page.inner_text(".visits li")
        assert "Cổng B" in page.inner_text(".visits li")
        visits = client.get(f"/api/v1/customers/{customer_id}/visits",
                            headers=admin.headers).json()
        assert [int(v) for v in page.locator(".visits li").evaluate_all(
            "items => items.map((item) => item.dataset.visitId)")] == [v["id"] for v in visits]
        screenshot(page, "admin-customer")

        undone = client.post(f"/api/v1/events/{seminar.event_id}/guests/{customer_id}"
                             "/checkin/undo", headers=admin.headers)  # it was a mistake
        assert undone.status_code == 200, undone.text
        page.wait_for_function("!document.querySelector('.visits li')")
        assert page.inner_text(".visit-count") == "0"
