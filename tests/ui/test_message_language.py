"""The language of a customer's messages in a real browser: chosen on the staff's customer
form and shown on the customer's page; saved when the customer switches their own page to
English."""

import pytest

from tests.ui import widths
from tests.ui.admin_pages import TABLET, admin_tab
from tests.ui.test_portal_page import (
    PHONE,
    _link_in_outbox,
    _page,
    _press_open,
    _ready,
    _shot,
)
from tests.ui.widths import OVERFLOW

pytestmark = pytest.mark.usefixtures("chromium")


def test_staff_choose_it_on_the_form_and_see_it_on_the_page(chromium, served, admin):
    with admin_tab(chromium, served.url, viewport=TABLET) as tab:
        tab.go("/customers/new")
        tab.page.fill("section.view [name=full_name]", "Phạm Quốc Việt")
        tab.page.fill("section.view [name=phone]", "0903 222 333")
        assert tab.page.input_value("section.view select[name=language]") == "vi"
        assert "Ngôn ngữ nhận tin" in tab.view_text()
        tab.page.select_option("section.view select[name=language]", "en")
        tab.page.set_viewport_size(widths.PHONE)
        _shot(tab.page, "customer-form-375-message-language")
        assert tab.page.evaluate(OVERFLOW) is False
        tab.page.set_viewport_size(TABLET)
        tab.page.click("section.view button[type=submit]")
        tab.page.wait_for_selector("section.view[data-ready] dd.message-language")
        assert tab.page.inner_text("dd.message-language") == "Tiếng Anh"
        _shot(tab.page, "customer-page-820-message-language")


def test_switching_their_page_to_english_saves_it(chromium, live_server, http, admin, db):
    customer = http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Đỗ Thị Lan", "phone": "0903 444 555"}).json()
    assert http.post("/api/v1/portal/sign-in", json={"phone": "0903 444 555"}
                     ).status_code == 202
    context, page, errors = _page(chromium, PHONE)
    try:
        page.goto(live_server + _link_in_outbox(db))
        _press_open(page, live_server)
        _ready(page)
        assert "bằng tiếng Việt" in page.inner_text("#message-language")
        page.click("[data-lang=en]")
        # The line names the saved language: it says English once that is saved.
        page.wait_for_function("document.getElementById('message-language')?.innerText"
                               ".includes('in English')")
        saved = http.get(f"/api/v1/customers/{customer['id']}", headers=admin.headers).json()
        assert saved["language"] == "en"
        _shot(page, "me-375-en-message-language")
        page.click("[data-lang=vi]")
        # The line names the saved language: it says Vietnamese again once that is saved.
        page.wait_for_function("document.getElementById('message-language')?.innerText"
                               ".includes('bằng tiếng Việt')")
        assert http.get(f"/api/v1/customers/{customer['id']}",
                        headers=admin.headers).json()["language"] == "vi"
        assert errors == []
    finally:
        context.close()
