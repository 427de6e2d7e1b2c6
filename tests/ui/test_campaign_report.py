"""A campaign's report in a real browser: the element `campaign_report.js` gives, mounted in
the admin view by a test harness (the campaign page that shows it is another part's), on
planted campaigns: the comparison in one sentence with its interval, the figures, the
failures by reason with the servers' words, the CSV link; too few to tell; the days still
to wait; English. Screenshots on a phone (375 px) and a tablet (820 px)."""

import os
from pathlib import Path

from kiosk_server.campaigns.models import RecipientGroup
from kiosk_server.messaging.models import MessageStatus
from tests.campaigns.test_report import (
    ADDRESS_UNKNOWN,
    MAILBOX_FULL,
    campaign,
    plant_the_december_campaign,
)
from tests.ui.admin_pages import admin_tab
from tests.ui.widths import PHONE, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "campaigns"

# The harness: the report of campaign `id` in the admin view, in `language`, once loaded.
MOUNT = """async ([id, language]) => {
  const i18n = await import('/ui/admin/i18n.js');
  i18n.setLang(language);
  const { campaignReport } = await import('/ui/admin/campaign_report.js');
  document.querySelector('.campaign-report')?.remove();
  document.querySelector('section.view').prepend(campaignReport({ id }));
}"""


def _mount(tab, campaign_id, language="vi"):
    tab.page.evaluate(MOUNT, [campaign_id, language])
    tab.page.wait_for_selector(".campaign-report[data-ready]")
    return tab.page.locator(".campaign-report")


def _text(locator) -> str:
    return locator.inner_text().replace("\u00a0", " ").replace("\u2212", "-")


def _shoot(tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.locator(".campaign-report").screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_report_says_what_the_campaign_did(chromium, live_server, admin, db):
    """Run on a phone; each screenshot (of the report) taken at 375 and 820 px, neither
    scrolling sideways."""
    plant = plant_the_december_campaign(db)
    with admin_tab(chromium, live_server, viewport=PHONE) as tab:
        panel = _mount(tab, plant.campaign_id)
        assert _text(panel.locator(".proof")) == (
            "Khách nhận tin quay lại 30 % (18/60), nhóm đối chứng 25 % (5/20): chiến dịch "
            "thêm 5 điểm (khoảng tin cậy 95 %: -19 đến 24). Chưa thấy khác biệt rõ ràng: "
            "phần chênh lệch có thể chỉ do ngẫu nhiên.")
        assert _text(panel.locator(".window-note")).startswith(
            "Đã hết 30 ngày theo dõi (đến ")
        figures = {name: _text(panel.locator(f"dd[data-value={name}]")) for name in (
            "recipients", "hold_out", "left_out", "sent", "failed", "unknown", "pending",
            "cancelled", "unsubscribed", "coupons", "sales")}
        assert figures == {"recipients": "60", "hold_out": "20", "left_out": "6",
                           "sent": "49", "failed": "6", "unknown": "1", "pending": "3",
                           "cancelled": "1", "unsubscribed": "4", "coupons": "5 trên 60",
                           "sales": "1.850.000 ₫ (3 lần mua)"}
        assert _text(panel.locator(".left-out")) == (
            "Không gửi cho: 3 khách chưa đồng ý nhận tin, 2 khách không có địa chỉ, 1 khách "
            "đã xoá dữ liệu.")
        failures = panel.locator("ul.campaign-failures > li")
        assert failures.count() == 2
        assert _text(failures.nth(0).locator(".reason")) == (
            "Địa chỉ bị từ chối (không có hộp thư hoặc số này): 4 tin")
        assert failures.nth(1).get_attribute("data-reason") == "mailbox_full"
        assert f"{ADDRESS_UNKNOWN} (3 lần)" in _text(failures.nth(0))
        assert f"{MAILBOX_FULL} (2 lần)" in _text(failures.nth(1))
        link = panel.locator("a[download]")
        assert link.get_attribute("href") == (
            f"/api/v1/campaigns/{plant.campaign_id}/recipients.csv?lang=vi")
        downloaded = tab.page.evaluate("""async (href) => {
          const answer = await fetch(href);
          const lines = (await answer.text()).trim().split('\\r\\n');
          return [answer.status, lines.length, lines[0]];
        }""", link.get_attribute("href"))
        assert downloaded[:2] == [200, 87]  # the header and 86 recipients
        assert downloaded[2].lstrip("\ufeff").startswith("Khách,Gửi đến,Nhóm,")  # its words
        shots(tab.page, SHOTS, "campaign-report-vi", element=".campaign-report")

        panel = _mount(tab, plant.campaign_id, "en")
        assert _text(panel.locator(".proof")) == (
            "Customers who got the message came back 30% (18/60), the hold-out 25% (5/20): "
            "the campaign added 5 points (95% confidence interval: -19 to 24). No clear "
            "difference yet: the gap may be chance alone.")
        assert _text(panel.locator("dd[data-value=sales]")) == "1,850,000 ₫ (3 sales)"
        assert panel.locator("a[download]").get_attribute("href").endswith(
            "/recipients.csv?lang=en")
        shots(tab.page, SHOTS, "campaign-report-en", element=".campaign-report")


def test_too_few_and_days_left_are_said_plainly(chromium, live_server, admin, db):
    plant = campaign(db, started_days_ago=10, return_days=30)
    sent = [plant.recipient(message=(MessageStatus.SENT, "", 60)) for _ in range(8)]
    held = [plant.recipient(RecipientGroup.HOLD_OUT) for _ in range(2)]
    for customer in sent[:3] + held[:1]:
        plant.visit(customer, days=1)
    with admin_tab(chromium, live_server, viewport=PHONE) as tab:
        panel = _mount(tab, plant.campaign_id)
        assert _text(panel.locator(".window-note")) == (
            "Còn 20 ngày nữa mới hết 30 ngày theo dõi: số liệu dưới đây là đến hôm nay.")
        assert _text(panel.locator(".proof")) == (
            "Khách nhận tin quay lại 38 % (3/8), nhóm đối chứng 50 % (1/2). Còn quá ít khách "
            "để biết chiến dịch có tác dụng hay không: cần ít nhất 10 khách mỗi nhóm, trong "
            "đó ít nhất 5 người quay lại và 5 người chưa quay lại.")
        assert panel.locator(".proof").get_attribute("data-verdict") == "too_few"
        assert panel.locator(".campaign-failures").count() == 0
        assert panel.locator("dd[data-value=coupons]").count() == 0  # none were issued
        assert panel.locator(".left-out").count() == 0 and "null" not in _text(panel)
        _shoot(tab, "campaign-report-too-few-375-vi")


def test_a_draft_and_a_staff_member_are_told_so(chromium, live_server, admin, clerk, db):
    draft = campaign(db, started_days_ago=None)
    with admin_tab(chromium, live_server) as tab:
        panel = _mount(tab, draft.campaign_id)
        assert _text(panel.locator(".window-note")) == (
            "Chiến dịch chưa bắt đầu: chưa có kết quả.")
        assert panel.locator(".proof").count() == 0
    with admin_tab(chromium, live_server, username="clerk") as tab:
        panel = _mount(tab, draft.campaign_id)
        assert _text(panel.locator(".page-error")) == "Chỉ quản trị viên được làm việc này."
