"""Printing from the admin area: an event's badges made as one PDF in the background (its
progress followed to the end, then downloaded), each guest's badge and invitation images,
and a customer's membership card with its own page."""

import io

from PIL import Image, PdfParser

from tests.badges.helpers import decode
from tests.privacy.helpers import made_export
from tests.ui.admin_pages import admin_tab

KIND = "section.printing li[data-kind='{}']"
GUEST_ROWS = "section.view table.guests tbody tr"


def test_an_events_badges_are_made_as_one_pdf_and_downloaded(
        chromium, served, client, admin, seminar, screenshot, tmp_path):
    event_id = seminar.event_id
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        polls = []
        page.on("request", lambda request: polls.append(request.url)
                if "/api/v1/exports/" in request.url and request.method == "GET" else None)
        ui.go(f"/events/{event_id}")
        assert page.inner_text("section.printing h2") == "In ấn"
        assert page.locator("section.printing li[data-kind]").count() == 5
        assert page.is_visible("section.printing .recent-exports .empty")  # nothing made yet

        badges = KIND.format("badges_pdf")
        page.click(f"{badges} button")
        page.wait_for_selector(f"{badges} .export-progress[data-status=done] a.download",
                               timeout=90_000)
        progress = page.evaluate("""(selector) => {
            const bar = document.querySelector(`${selector} progress`);
            return { value: bar.value, max: bar.max,
                     text: document.querySelector(`${selector} .progress-text`).textContent };
        }""", badges)
        assert progress == {"value": 3, "max": 3, "text": "3 / 3"}
        [made] = client.get(f"/api/v1/events/{event_id}/exports", headers=admin.headers).json()
        assert (made["kind"], made["status"], made["total"]) == ("badges_pdf", "done", 3)
        assert f"{served.url}/api/v1/exports/{made['id']}" in polls  # followed until done
        # The list of the event's files shows it too, with its link.
        ui.wait_text("section.printing table.exports tbody", "Xong")
        listed = page.locator(f"table.exports tr[data-export-id='{made['id']}'] a.download")
        assert listed.get_attribute("href") == made["download"]
        screenshot(page.locator("section.printing"), "admin-printing")

        with page.expect_download() as downloading:
            page.click(f"{badges} a.download")
        saved = tmp_path / "badges.pdf"
        downloading.value.save_as(saved)
        assert downloading.value.suggested_filename.endswith(".pdf")

        # Each guest's own badge and invitation, in a tab of their own.
        screenshot(page.locator("section.guest-list"), "admin-guest-images")
        first = page.locator(GUEST_ROWS).first
        with page.context.expect_page() as opening:
            first.locator("a.badge-png").click()
        badge = opening.value
        badge.wait_for_load_state()
        assert badge.evaluate("document.images[0].naturalWidth") == 1240
        badge.close()
        invitation_href = first.locator("a.invitation-png").get_attribute("href")
        assert page.request.get(served.url + invitation_href).headers["content-type"] == (
            "image/png")

    data = saved.read_bytes()
    assert data[:4] == b"%PDF"
    status = client.get(f"/api/v1/exports/{made['id']}", headers=admin.headers).json()
    # One badge a page: as many pages as the export made, one for each guest.
    assert len(PdfParser.PdfParser(buf=data).pages) == status["total"] == status["done"] == 3


def test_progress_is_shown_while_a_batch_is_being_made(chromium, served, client, admin,
                                                       seminar):
    # The server's answers held at "running 1 of 3" until the page has shown them.
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        held = {"on": True}

        def running(route):
            if not held["on"]:
                route.continue_()
                return
            answer = route.fetch().json()
            answer.update(status="running", done=1, download=None)
            route.fulfill(json=answer)

        page.route("**/api/v1/exports/*", running)
        ui.go(f"/events/{seminar.event_id}")
        sheets = KIND.format("badge_sheets_pdf")
        page.click(f"{sheets} button")
        page.wait_for_selector(f"{sheets} .export-progress[data-status=running]")
        ui.wait_text(f"{sheets} .progress-text", "1 / 3")
        assert page.evaluate(f"document.querySelector(\"{sheets} progress\").value") == 1
        assert page.locator(f"{sheets} a.download").count() == 0
        held["on"] = False
        page.wait_for_selector(f"{sheets} .export-progress[data-status=done] a.download",
                               timeout=90_000)
        ui.wait_text(f"{sheets} .progress-text", "3 / 3")


def test_the_customer_page_shows_the_card_with_its_download_and_own_page(
        chromium, served, client, admin, seminar, screenshot):
    customer_id, name = seminar.customer_ids[1], "Nguyễn Thị Hương 1"
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/customers/{customer_id}")
        assert page.locator("section.card img.card-image").count() == 0  # no card yet
        page.click("section.card button.primary")  # Issue a card
        page.wait_for_function("document.querySelector('section.card img.card-image')"
                               "?.complete && document.querySelector('section.card "
                               "img.card-image').naturalWidth > 0")
        assert page.evaluate("document.querySelector('img.card-image').naturalWidth") == 1011
        card = client.get(f"/api/v1/customers/{customer_id}/card", headers=admin.headers).json()
        download = page.locator("section.card a.card-download")
        assert download.inner_text() == "Tải thẻ (PNG)"
        image = Image.open(io.BytesIO(page.request.get(
            served.url + download.get_attribute("href")).body()))
        assert image.size == (1011, 638) and decode(image)[0].endswith(f"/C/{card['code']}")
        own = page.locator("section.card a.card-page")
        assert own.inner_text() == "Mở trang thẻ của khách"
        screenshot(page, "admin-customer-card")

        with page.context.expect_page() as opening:
            own.click()
        customers_page = opening.value
        customers_page.wait_for_load_state()
        assert customers_page.url == f"{served.url}/c/{card['code']}"
        assert customers_page.inner_text("h1.name") == name
        customers_page.close()

        # Reissued: the new card's image and page, not the old one's.
        old_src = page.get_attribute("img.card-image", "src")
        page.click("section.card .card-actions button")
        page.click("dialog.confirm button[value=yes]")
        page.wait_for_function("(old) => document.querySelector('img.card-image')"
                               "?.getAttribute('src') !== old", arg=old_src)
        new = client.get(f"/api/v1/customers/{customer_id}/card", headers=admin.headers).json()
        assert new["code"] != card["code"]
        assert page.get_attribute("a.card-page", "href") == f"/c/{new['code']}"
        page.wait_for_function("document.querySelector('img.card-image').naturalWidth > 0")


def test_a_file_made_before_a_guest_was_erased_says_why_it_is_gone(
        chromium, served, client, admin, seminar, screenshot):
    made = made_export(client, admin.headers, seminar.event_id)
    erased = client.post(f"/api/v1/customers/{seminar.customer_ids[0]}/erase",
                         headers=admin.headers, json={"confirm": True})
    assert erased.status_code == 200, erased.text
    listed = f"table.exports tr[data-export-id='{made['id']}']"
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go(f"/events/{seminar.event_id}")
        page.wait_for_selector(f"{listed}[data-status=withdrawn]")
        assert page.inner_text(f"{listed} .withdrawn") == (
            "Tệp được tạo trước khi dữ liệu của một khách bị xoá nên đã bị xoá. Hãy tạo lại.")
        assert "Đã xoá" in page.inner_text(listed)
        assert page.locator(f"{listed} a.download").count() == 0
        screenshot(page.locator("section.printing"), "admin-printing-withdrawn")
        page.click("#language button[data-lang=en]")
        ui.wait_view(f"/events/{seminar.event_id}")
        ui.wait_text(f"{listed} .withdrawn", "It was made before a guest's data was erased, "
                     "so it was deleted. Make it again.")
