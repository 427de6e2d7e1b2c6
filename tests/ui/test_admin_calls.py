"""The call list in a real browser, at 375 and 820 px: the list by value at risk, a case
opened, a call recorded (a mistake said as a sentence first); a flag from the till and from
the customer's page puts the customer on the list with its words; admins assign calls."""

import os
import random
from pathlib import Path

import pytest

from kiosk_server import history
from kiosk_server.calls.cases import CaseOpener
from kiosk_server.retention.worker import full_pass
from kiosk_server.staff.models import Role
from tests.calls.conftest import save_call_settings
from tests.conftest import make_staff
from tests.ui.admin_pages import admin_tab
from tests.ui.test_checkout import Till
from tests.ui.widths import PHONE, TABLET, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "calls"
LANGUAGE = "localStorage.setItem('kiosk-admin-language', '{}')"


@pytest.fixture
def drifting(db, settings, client, admin):
    """A shop whose planted drifters have cases; the lapsed one (31 days) has a phone."""
    save_call_settings(client, admin.headers, hold_out_pct=0)
    with db.session() as session:
        planted = history.write(session, history.people(25), zone=settings.zone)
    full_pass(db, zone=settings.zone, hooks=[CaseOpener(settings.zone, random.Random(1))])
    by_label = {plant.label: plant for plant in planted}
    for label, phone in (("3.0x overdue, 31 days", "0903 111 031"),
                         ("1.5x overdue, 14 days", "0903 111 014")):
        changed = client.patch(f"/api/v1/customers/{by_label[label].customer_id}",
                               headers=admin.headers, json={"phone": phone})
        assert changed.status_code == 200, changed.text
    return by_label


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_list_opens_a_case_and_records_a_call(chromium, served, client, admin, drifting):
    """Run on a phone; each screenshot taken at 375 and 820 px."""
    lapsed = drifting["3.0x overdue, 31 days"].customer_id
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go("/calls")
        page.wait_for_selector(f".call-case[data-customer-id='{lapsed}']")
        assert page.locator(".no-model").is_visible()  # no model fitted: by spend
        assert page.locator(".call-case").count() == 9  # the planted at risk and lapsed
        item = page.locator(f".call-case[data-customer-id='{lapsed}']")
        assert "0903 111 031" in item.inner_text()
        assert item.locator("a.tel").get_attribute("href") == "tel:+84903111031"
        assert "thường ghé mỗi ~10 ngày, lần cuối cách đây 31 ngày" in item.inner_text()
        shots(page, SHOTS, "list-vi", full_page=True)
        item.locator(".call-actions a").click()
        page.wait_for_selector("form.record-call")
        ui.wait_view(page.evaluate("location.hash.slice(1)"))
        assert page.locator(".call-script li").count() == 2
        shots(page, SHOTS, "case-vi", full_page=True)
        page.select_option("form.record-call [name=outcome]", "reached")
        page.select_option("form.record-call [name=reason]", "other")
        page.click("form.record-call button[type=submit]")
        ui.wait_text("form.record-call [data-error-for=words]",
                     "Hãy ghi lại lời khách nói khi chọn")
        shots(page, SHOTS, "case-error-vi", full_page=True)
        page.fill("form.record-call [name=words]", "Chuyển sang quán gần nhà")
        page.select_option("form.record-call [name=will_return]", "unsure")
        page.fill("form.record-call [name=notes]", "Khách hứa ghé dịp Tết")
        page.click("form.record-call button[type=submit]")
        ui.wait_text(".call-previous", "Chuyển sang quán gần nhà")
        assert "Đã nói chuyện" in page.inner_text(".call-previous")
        shots(page, SHOTS, "case-called-vi", full_page=True)
        page.evaluate(LANGUAGE.format("en"))
        page.reload()
        ui.wait_view(page.evaluate("location.hash.slice(1)"))
        ui.wait_text(".call-previous", "Reached")
        shots(page, SHOTS, "case-called-en", full_page=True)
        ui.go("/calls")
        page.wait_for_selector(".call-case")
        assert "Value at risk" in page.inner_text(".call-list")
        shots(page, SHOTS, "list-en", full_page=True)
    [call] = client.get(f"/api/v1/calls/cases/{item_id(client, admin, lapsed)}",
                        headers=admin.headers).json()["calls"]
    assert (call["outcome"], call["reason"], call["will_return"]) == ("reached", "other",
                                                                      "unsure")


def item_id(client, admin, customer_id):
    items = client.get("/api/v1/calls/cases", headers=admin.headers).json()["items"]
    return next(item["id"] for item in items if item["customer_id"] == customer_id)


def test_a_flag_from_the_till_puts_the_customer_on_the_list_with_its_words(
        chromium, served, client, admin, drifting):
    calm = drifting["1.5x overdue, 14 days"].customer_id  # active: not on the list
    till = Till(chromium, served.url, viewport=TABLET)
    till.page.fill("#find-input", "0903111014")
    till.page.press("#find-input", "Enter")
    till.served(calm)
    till.page.click(".leaving-flag-panel summary")
    till.page.fill("form.leaving-flag [name=words]", "Khách nói giá dạo này cao quá")
    till.page.click("form.leaving-flag button[type=submit]")
    till.page.wait_for_selector(".on-call-list:not([hidden])")
    _shot(till.page, "till-flagged-vi-820")
    till.close()
    first = client.get("/api/v1/calls/cases", headers=admin.headers).json()["items"][0]
    assert (first["customer_id"], first["flagged"], first["flags"]) == (
        calm, True, ["Khách nói giá dạo này cao quá"])


def test_staff_flag_from_the_customers_page_and_see_the_calls_given_to_them(
        chromium, served, client, admin, db, drifting):
    make_staff(db, "lan", Role.STAFF)
    lapsed = drifting["3.0x overdue, 31 days"].customer_id
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:  # the admin assigns
        page = ui.page
        ui.go("/calls")
        picker = page.locator(f".call-case[data-customer-id='{lapsed}'] select.assignee-picker")
        staff_id = picker.locator("option", has_text="lan").get_attribute("value")
        picker.select_option(staff_id)
        ui.wait_text("#notice", "Đã giao")
        _shot(page, "list-assign-vi-375")
    calm = drifting["1.5x overdue, 14 days"].customer_id
    with admin_tab(chromium, served.url, username="lan", viewport=PHONE) as ui:
        page = ui.page
        assert page.locator(".call-settings-panel").count() == 0
        ui.go(f"/customers/{calm}")
        page.click(".leaving-flag-panel summary")
        page.fill("form.leaving-flag [name=words]", "Hỏi có quán nào rẻ hơn không")
        page.click("form.leaving-flag button[type=submit]")
        page.wait_for_selector(".on-call-list:not([hidden])")
        _shot(page, "customer-flagged-vi-375")
        ui.go("/calls")
        page.select_option("select.calls-filter", "me")
        page.wait_for_function("document.querySelectorAll('.call-case').length === 1")
        assert page.locator(".call-case").get_attribute("data-customer-id") == str(lapsed)
        assert page.locator(".call-settings-panel").is_hidden()
        _shot(page, "list-mine-vi-375")
