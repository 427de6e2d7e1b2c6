"""A customer's consent per channel on the admin's pages: nothing ticked for a new
customer, the boxes and the preferred channel saved, the history read as sentences."""

import os
from pathlib import Path

from tests.ui.admin_pages import admin_tab
from tests.ui.widths import PHONE, TABLET, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "channels"


def test_consent_is_never_pre_ticked_and_each_change_reads_as_a_sentence(
        chromium, served, client, admin):
    """Run on a phone; each screenshot taken at 375 and 820 px."""
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go("/customers/new")
        for name in ("consent_email", "consent_sms"):
            assert not page.is_checked(f"form.customer-form [name={name}]")
        assert page.input_value("form.customer-form [name=preferred_channel]") == ""
        page.fill("form.customer-form [name=full_name]", "Nguyễn Thị Hương")
        page.fill("form.customer-form [name=phone]", "0903 123 456")
        page.check("form.customer-form [name=consent_sms]")
        page.select_option("form.customer-form [name=preferred_channel]", "sms")
        shots(page, SHOTS, "customer-form", full_page=True)
        page.click("form.customer-form button[type=submit]")
        page.wait_for_selector("section.consent-panel .consent-history li:not(.empty)")
        customer_id = int(page.evaluate("location.hash").split("/")[2])
        ui.wait_view(f"/customers/{customer_id}")
        saved = client.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
        assert (saved["consent_email"], saved["consent_sms"], saved["preferred_channel"]) == (
            False, True, "sms")

        ui.go(f"/customers/{customer_id}/edit")
        assert page.is_checked("[name=consent_sms]") and not page.is_checked("[name=consent_email]")
        page.uncheck("[name=consent_sms]")
        page.click("form.customer-form button[type=submit]")
        ui.wait_view(f"/customers/{customer_id}")
        page.wait_for_function("document.querySelectorAll('.consent-history li').length === 2")
        sentences = page.locator(".consent-history li").all_inner_texts()
        assert "ghi nhận trên trang khách hàng: khách rút lại đồng ý nhận tin khuyến mãi qua "\
               "SMS/Zalo." in sentences[0]
        assert "khách đồng ý nhận tin khuyến mãi qua SMS/Zalo." in sentences[1]
        assert "SMS/Zalo — chưa đồng ý" in page.inner_text(".consent-now")
        page.locator("section.consent-panel").scroll_into_view_if_needed()
        shots(page, SHOTS, "customer-consent", full_page=True)


def test_the_till_sign_up_asks_each_channel_unticked_and_records_the_till(
        chromium, live_server, http, admin):
    """Run on a phone; the screenshot taken at 375 and 820 px."""
    from tests.ui.test_checkout import Till

    till = Till(chromium, live_server, viewport=PHONE)
    page = till.page
    page.click("#new-customer")
    for name in ("consent_email", "consent_sms"):
        assert not page.is_checked(f".signup [name={name}]")
    page.fill(".signup [name=full_name]", "Đỗ Minh Quân")
    page.fill(".signup [name=phone]", "0911 222 375")
    page.check(".signup [name=consent_sms]")
    page.select_option(".signup [name=preferred_channel]", "sms")
    # The language of their messages: Vietnamese unless they say otherwise.
    assert page.input_value(".signup [name=language]") == "vi"
    page.select_option(".signup [name=language]", "en")
    shots(page, SHOTS, "till-signup", full_page=True)
    page.click(".signup button[type=submit]")
    page.wait_for_selector(".new-card img.card-image")
    customer_id = page.evaluate("window.checkoutState.customerId")
    till.close()
    history = http.get(f"/api/v1/customers/{customer_id}/consent", headers=admin.headers).json()
    assert [(h["channel"], h["granted"], h["source"]) for h in history] == [
        ("sms", True, "till")]
    customer = http.get(f"/api/v1/customers/{customer_id}", headers=admin.headers).json()
    assert customer["language"] == "en"


def test_the_outbox_view_shows_each_message_s_channel(chromium, served, db, admin):
    from kiosk_server.messaging import service
    from kiosk_server.messaging.models import Purpose

    with db.session() as session:
        service.enqueue_email(session, to="huong@example.com", subject="Thẻ thành viên",
                              text="x")
        service.enqueue_phone_message(session, to="+84903123456", text="Thẻ của chị",
                                      subject="Thẻ thành viên", purpose=Purpose.SERVICE)
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        ui.go("/messages")
        ui.page.wait_for_selector("table.messages tr[data-channel=sms]")
        assert "SMS/Zalo" in ui.page.inner_text("table.messages tr[data-channel=sms]")
        assert "e-mail" in ui.page.inner_text("table.messages tr[data-channel=email]")
        shots(ui.page, SHOTS, "outbox", full_page=True)


def test_the_consent_history_reads_in_english_too(chromium, served, client, admin):
    created = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Trần Bích", "phone": "0912345678", "consent_email": True}).json()
    with admin_tab(chromium, served.url, viewport=TABLET) as ui:
        ui.context.add_init_script("localStorage.setItem('kiosk-admin-language', 'en')")
        ui.page.reload()
        ui.wait_view("/")
        ui.go(f"/customers/{created['id']}")
        ui.page.wait_for_selector(".consent-history li:not(.empty)")
        assert ui.page.inner_text(".consent-history li").endswith(
            "recorded on the customer's page that the customer agreed to offers and news "
            "by e-mail.")
        assert "Now: e-mail — agreed; SMS/Zalo — not agreed. Preferred: Not chosen." in \
            ui.page.inner_text(".consent-now")
        ui.page.screenshot(path=str(SHOTS / "customer-consent-en-820.png"), full_page=True)
