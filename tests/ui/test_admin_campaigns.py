"""Campaigns in a real browser, at 375 and 820 px: a draft written in the editor (a
placeholder put in from the palette, an unknown one said as a sentence on its own tab),
saved, reopened as it was, listed; previewed for a real customer; the page of a campaign
that is sending, with its controls and progress."""

import os
import time
from pathlib import Path

from kiosk_server.campaigns.models import Campaign, CampaignState
from tests.ui.admin_pages import AdminPage, admin_tab
from tests.ui.widths import OVERFLOW, PHONE, TABLET, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "campaigns"
LANGUAGE = "localStorage.setItem('kiosk-admin-language', '{}')"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert not page.evaluate(OVERFLOW), name  # nothing wider than the screen
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _campaign(client, admin, **values):
    body = {"name": "Tri ân khách thân thiết", "subject_vi": "Chào {{name}}",
            "text_vi": "Bạn có {{points}} điểm.", **values}
    made = client.post("/api/v1/campaigns", headers=admin.headers, json=body)
    assert made.status_code == 201, made.text
    return made.json()


def _set_state(db, campaign_id, state):
    with db.session() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.state = state
        session.add(campaign)


def test_a_draft_is_written_saved_reopened_and_listed(chromium, served, client, admin):
    """Run on a phone; each screenshot taken at 375 and 820 px."""
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go("/campaigns")
        ui.wait_text(".view", "Chưa có chiến dịch nào.")
        page.click("a[href='#/campaigns/new']")
        ui.wait_view("/campaigns/new")
        ui.wait_text(".segment-slot", "Tất cả khách hàng")  # the builder, once drawn
        assert "tiêu đề tiếng Việt, nội dung tiếng Việt" in page.inner_text(".camp-missing")
        page.fill("[name=name]", "Tri ân khách hàng thân thiết — Tết Ất Tỵ")
        page.fill("[name=subject_vi]", "Chúc mừng năm mới")
        page.click("[name=text_vi]")
        page.keyboard.type("Chào ")
        page.click(".camp-palette [data-placeholder=name]")
        page.keyboard.type(", bạn đang có ")
        page.click(".camp-palette [data-placeholder=points]")
        page.keyboard.type(" điểm.")
        assert page.input_value("[name=text_vi]") == (
            "Chào {{name}}, bạn đang có {{points}} điểm.")
        assert not page.locator("[data-placeholder=coupon]").is_visible()  # no coupon yet
        page.check("[name=coupon_on]")
        page.fill("[name=coupon_benefit]", "Giảm 15% cho đơn kế tiếp")
        page.fill("[name=hold_out_pct]", "10")
        page.click(".camp-tab[data-language=en]")
        page.fill("[name=subject_en]", "Happy New Year")
        page.fill("[name=text_en]", "Hello {{ten}}!")
        page.click(".camp-tab[data-language=vi]")
        shots(page, SHOTS, "editor-new-vi", full_page=True)
        page.click("form.campaign-form button[type=submit]")
        # The unknown placeholder is said by its field, on its own tab, brought forward.
        ui.wait_text("[data-error-for=text_en]", "không có ô điền {{ten}}")
        assert page.locator("[name=text_en]").is_visible()
        shots(page, SHOTS, "editor-refused-vi", full_page=True)
        page.fill("[name=text_en]", "Hello {{name}}!")
        page.click("form.campaign-form button[type=submit]")
        page.wait_for_function("/^#\\/campaigns\\/\\d+\\/edit$/.test(location.hash)")
        ui.wait_view(page.evaluate("location.hash.slice(1)"))
        campaign_id = int(page.evaluate("location.hash").split("/")[2])
        ui.wait_text(".camp-missing", "Đã đủ để bắt đầu gửi.")
        saved = client.get(f"/api/v1/campaigns/{campaign_id}", headers=admin.headers).json()
        assert (saved["name"], saved["text_vi"], saved["text_en"], saved["coupon_benefit"],
                saved["hold_out_pct"], saved["state"]) == (
            "Tri ân khách hàng thân thiết — Tết Ất Tỵ",
            "Chào {{name}}, bạn đang có {{points}} điểm.", "Hello {{name}}!",
            "Giảm 15% cho đơn kế tiếp", 10, "draft")
        ui.go("/campaigns")
        ui.go(f"/campaigns/{campaign_id}/edit")  # reopened as it was saved
        assert page.input_value("[name=name]") == "Tri ân khách hàng thân thiết — Tết Ất Tỵ"
        assert page.input_value("[name=subject_en]") == "Happy New Year"
        assert page.is_checked("[name=coupon_on]")
        assert page.input_value("[name=coupon_benefit]") == "Giảm 15% cho đơn kế tiếp"
        shots(page, SHOTS, "editor-saved-vi", full_page=True)
        ui.go("/campaigns")
        row = page.locator(f"table.campaigns tr[data-campaign-id='{campaign_id}']")
        assert "Tri ân khách hàng thân thiết — Tết Ất Tỵ" in row.inner_text()
        assert "Bản nháp" in row.inner_text() and "e-mail" in row.inner_text()
        shots(page, SHOTS, "list-vi", full_page=True)
        page.evaluate(LANGUAGE.format("en"))
        page.reload()
        ui.wait_view("/campaigns")
        assert "Draft" in page.inner_text("table.campaigns")
        shots(page, SHOTS, "list-en", full_page=True)
        ui.go(f"/campaigns/{campaign_id}/edit")
        assert "Ready to start." in page.inner_text(".camp-missing")
        shots(page, SHOTS, "editor-en", full_page=True)
        page.evaluate(LANGUAGE.format("vi"))


def test_a_draft_page_says_what_is_missing_and_deletes_it(chromium, served, client, admin):
    draft = _campaign(client, admin, subject_vi="", text_vi="")
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        ui.go(f"/campaigns/{draft['id']}")
        assert "Để bắt đầu gửi, còn thiếu: tiêu đề tiếng Việt, nội dung tiếng Việt." in (
            page.inner_text(".camp-missing"))
        assert page.locator("button.camp-start").is_disabled()
        _shot(page, "page-draft-vi-375")
        page.click("button.camp-delete")
        page.click("dialog.confirm button[value=yes]")
        ui.wait_view("/campaigns")
        assert client.get(f"/api/v1/campaigns/{draft['id']}",
                          headers=admin.headers).status_code == 404


def test_the_preview_shows_the_message_as_a_real_customer_gets_it(chromium, served, client,
                                                                  admin):
    draft = _campaign(client, admin, html_vi="<p>Chào <b>{{name}}</b></p>")
    lan = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Nguyễn Thị Lan", "phone": "0912 345 678", "email": "lan@example.vn",
        "consent_email": True}).json()
    with admin_tab(chromium, served.url, viewport=TABLET) as ui:
        page = ui.page
        ui.go(f"/campaigns/{draft['id']}/edit")
        page.fill(".camp-preview-panel input.search", "lan")
        page.click(f".camp-person[data-customer-id='{lan['id']}']")
        ui.wait_text(".camp-preview-for", "Nguyễn Thị Lan")
        assert page.inner_text(".camp-preview .subject") == "Chào Nguyễn Thị Lan"
        assert "lan@example.vn" in page.inner_text(".camp-preview .to")
        frame = page.locator("iframe.camp-html")
        assert frame.get_attribute("sandbox") == ""
        assert "Nguyễn Thị Lan" in page.frame_locator("iframe.camp-html").locator(
            "b").inner_text()
        _shot(page, "preview-vi-820")


def test_the_page_of_a_campaign_that_is_sending(chromium, served, client, admin, db):
    """Run on a phone; the screenshot taken at 375 and 820 px."""
    campaign = _campaign(client, admin, coupon_benefit="Tặng một ly trà sữa")
    for n in range(3):  # this server has no mail server: their messages wait, unsent
        made = client.post("/api/v1/customers", headers=admin.headers, json={
            "full_name": f"Trần Văn Khách {n}", "phone": f"0912 000 10{n}",
            "email": f"khach{n}@example.vn", "consent_email": True})
        assert made.status_code == 201, made.text
    started = client.post(f"/api/v1/campaigns/{campaign['id']}/start", headers=admin.headers)
    assert started.status_code == 200, started.text
    url = f"/api/v1/campaigns/{campaign['id']}/progress"
    deadline = time.monotonic() + 10
    while client.get(url, headers=admin.headers).json()["state"] != "sending":
        assert time.monotonic() < deadline, "the recipients were never drawn"
        time.sleep(0.05)
    tab = AdminPage(chromium, served.url, viewport=PHONE)
    try:
        tab.open()
        tab.sign_in()
        tab.wait_view("/")
        page = tab.page
        tab.go(f"/campaigns/{campaign['id']}")
        assert page.inner_text("h1 .camp-state") == "Đang gửi"
        assert page.locator("button.camp-pause").is_visible()
        assert page.locator("button.camp-cancel").is_visible()
        assert page.locator("button.camp-start").count() == 0
        assert "Tặng một ly trà sữa" in page.inner_text(".camp-facts")
        assert page.locator(".campaign-report").count() == 1  # the report's slot
        tab.wait_text(".camp-progress", "Đã gửi")
        assert page.locator(".camp-progress progress").count() == 1
        shots(page, SHOTS, "page-sending-vi", full_page=True)
        page.click("button.camp-cancel")
        assert "không hoàn tác được" in page.inner_text("dialog.confirm")
        page.click("dialog.confirm button[value=no]")  # asked first: nothing happens
        assert client.get(f"/api/v1/campaigns/{campaign['id']}",
                          headers=admin.headers).json()["state"] == "sending"
        assert tab.errors == []
    finally:
        tab.close()


def test_the_progress_panel_says_where_the_sending_stands_in_words(chromium, served, client,
                                                                   admin, db):
    """The page against the progress contract (GET /campaigns/{id}/progress, the send
    helper's): the browser is answered these figures whether or not this server has the
    route, so what the page makes of them is checked on every branch."""
    campaign = _campaign(client, admin)
    _set_state(db, campaign["id"], CampaignState.SENDING)
    figures = {"state": "sending", "recipients": 1200, "hold_out": 60, "left_out": 40,
               "sent": 300, "failed": 2, "unknown": 0, "remaining": 898, "unsubscribed": 1,
               "rate_per_min": 120.4, "eta_s": 449, "started_at": "2026-12-07T01:00:00Z",
               "finished_at": None}
    with admin_tab(chromium, served.url, viewport=PHONE) as ui:
        page = ui.page
        page.route("**/api/v1/campaigns/*/progress",
                   lambda route: route.fulfill(json=figures))
        ui.go(f"/campaigns/{campaign['id']}")
        ui.wait_text(".camp-progress", "Đã gửi 300 trên 1.200 tin.")
        lines = page.inner_text(".camp-progress")
        for sentence in ("2 tin gửi không được.", "Còn 898 tin chưa gửi.",
                         "Tốc độ: khoảng 120 tin mỗi phút.",
                         "Còn khoảng 7 phút nữa thì xong."):
            assert sentence in lines
        assert page.get_attribute(".camp-progress progress", "value") == "302"
        assert page.get_attribute(".camp-progress progress", "max") == "1200"
        assert "60" in page.inner_text("[data-fact=hold_out]")
        _shot(page, "page-progress-vi-375")
        # Paused from another tab: the page follows, and offers to resume.
        _set_state(db, campaign["id"], CampaignState.PAUSED)
        figures.update(state="paused", rate_per_min=0, eta_s=None)
        page.wait_for_selector("button.camp-resume")
        ui.wait_text(".camp-progress", "Đang tạm dừng.")
        assert page.inner_text("h1 .camp-state") == "Tạm dừng"
        assert page.locator("button.camp-pause").count() == 0
        page.evaluate(LANGUAGE.format("en"))
        page.reload()
        ui.wait_view(f"/campaigns/{campaign['id']}")
        ui.wait_text(".camp-progress", "300 of 1,200 messages sent.")
        _shot(page, "page-paused-en-375")
        page.evaluate(LANGUAGE.format("vi"))


def test_the_preview_panel_shows_the_contract_in_a_sandboxed_frame(chromium, served, client,
                                                                   admin):
    """The page against the preview contract (POST /campaigns/{id}/preview, the send
    helper's), answered to the browser whether or not this server has the route: the draft
    is saved first, the HTML is shown in a frame that may run nothing."""
    draft = _campaign(client, admin)
    hang = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Trần Thị Hằng", "phone": "0912 000 111"}).json()
    asked = []

    def answer(route):
        asked.append(route.request.post_data_json)
        route.fulfill(json={"to": "hang@example.vn", "subject": "Chào Trần Thị Hằng",
                            "text": "Bạn có 1.250 điểm.",
                            "html": "<p>Chào <b>Trần Thị Hằng</b></p>"
                                    "<script>parent.document.title='x'</script>"})

    ui = AdminPage(chromium, served.url, viewport=PHONE)
    try:
        ui.open()
        ui.sign_in()
        ui.wait_view("/")
        page = ui.page
        page.route("**/api/v1/campaigns/*/preview", answer)
        ui.go(f"/campaigns/{draft['id']}/edit")
        page.fill("[name=subject_vi]", "Chào {{name}}, năm mới")
        page.fill(".camp-preview-panel input.search", "0912000111")
        page.click(f".camp-person[data-customer-id='{hang['id']}']")
        ui.wait_text(".camp-preview-for", "Trần Thị Hằng")
        assert asked == [{"customer_id": hang["id"]}]
        assert page.inner_text(".camp-preview .subject") == "Chào Trần Thị Hằng"
        assert page.inner_text(".camp-preview .camp-text") == "Bạn có 1.250 điểm."
        assert page.get_attribute("iframe.camp-html", "sandbox") == ""
        assert page.frame_locator("iframe.camp-html").locator("b").inner_text() == (
            "Trần Thị Hằng")
        assert page.title() != "x"  # the message's script never ran
        saved = client.get(f"/api/v1/campaigns/{draft['id']}", headers=admin.headers).json()
        assert saved["subject_vi"] == "Chào {{name}}, năm mới"  # saved before previewing
        _shot(page, "preview-vi-375")
        # The one error: the browser saying it refused to run the message's script.
        assert len(ui.errors) == 1 and "sandboxed" in ui.errors[0], ui.errors
    finally:
        ui.close()
