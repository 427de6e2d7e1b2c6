"""The segment builder in a real browser: rules added, changed, nested and joined with
and/or; the count under them follows (who gets the message, who is left out and why), and
what the builder hands its form is the JSON the API takes. The builder is mounted in the
admin area by the test itself (the campaign editor embeds it)."""

import os
from pathlib import Path

import pytest

from tests.campaigns.audience_helpers import plant
from tests.ui.admin_pages import admin_tab
from tests.ui.widths import PHONE, TABLET, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "segments"

MOUNT = """async ([channel, value]) => {
  const { segmentBuilder } = await import('/ui/admin/segment_builder.js');
  window.segmentValues = [];
  const builder = segmentBuilder({ channel, value,
    onChange: (value) => window.segmentValues.push(value) });
  window.segmentBuilderNode = builder;
  const panel = Object.assign(document.createElement('section'), { className: 'panel' });
  panel.append(builder);
  document.getElementById('view').replaceChildren(panel);
  await builder.ready;
}"""


def count_says(tab, text):
    try:
        tab.wait_text(".seg-count", text)
    except Exception:
        raise AssertionError(f"the count says {tab.page.inner_text('.seg-count')!r}") from None
    return tab.page.inner_text(".seg-count")


def rule(tab, index):
    return tab.page.locator(".seg-rule").nth(index)


@pytest.fixture
def shop(db):
    return plant(db)


def test_rules_change_the_count_and_the_value(chromium, served, admin, shop):
    first_event = shop.event_ids[0]
    with admin_tab(chromium, served.url) as tab:
        tab.page.evaluate(MOUNT, ["email", None])
        assert count_says(tab, "1 khách sẽ nhận") == (
            "1 khách sẽ nhận · 5 bị loại: 1 chưa đồng ý, 1 không có email, 1 đã hủy nhận tin, "
            "1 đã xóa dữ liệu, 1 trong nhóm không liên hệ")

        rule(tab, 0).locator("select[name=kind]").select_option("tier")
        count_says(tab, "Hãy chọn ít nhất một hạng.")
        rule(tab, 0).get_by_label("Bạc").check()
        assert count_says(tab, "0 khách sẽ nhận") == (
            "0 khách sẽ nhận · 2 bị loại: 1 chưa đồng ý, 1 đã hủy nhận tin")  # Giang, Bình

        tab.page.click(".seg-group.depth-1 > .seg-add .seg-add-rule")
        rule(tab, 1).locator("select[name=kind]").select_option("tags")
        rule(tab, 1).locator("input[name=tags]").fill("VIP")
        assert count_says(tab, "1 bị loại") == "0 khách sẽ nhận · 1 bị loại: 1 chưa đồng ý"
        tab.page.click(".seg-group.depth-1 > .seg-group-head [data-join=or]")
        count_says(tab, "1 khách sẽ nhận · 2 bị loại")  # An, Bình, Giang

        tab.page.click(".seg-group.depth-1 > .seg-add .seg-add-group")
        nested = tab.page.locator(".seg-group.depth-2 .seg-rule").first
        nested.locator("select[name=kind]").select_option("attended")
        choice = nested.locator("select[name=event_id] option", has_text="Hội thảo · ")
        nested.locator("select[name=event_id]").select_option(choice.get_attribute("value"))
        tab.page.click(".seg-group.depth-2 > .seg-add .seg-add-rule")
        second = tab.page.locator(".seg-group.depth-2 .seg-rule").nth(1)
        second.locator("select[name=kind]").select_option("p_alive")
        second.locator("input[name=max]").fill("10")
        tab.page.click(".seg-group.depth-2 > .seg-group-head [data-join=and]")
        # Bạc, or vip, or (came to the seminar and at most 10 % likely still a customer: Chi)
        count_says(tab, "1 khách sẽ nhận · 3 bị loại: 1 chưa đồng ý, 1 không có email, "
                        "1 đã hủy nhận tin")
        assert tab.page.evaluate("window.segmentValues.at(-1)") == {
            "kind": "group", "join": "or", "rules": [
                {"kind": "tier", "tiers": ["Bạc"]},
                {"kind": "tags", "tags": ["vip"]},
                {"kind": "group", "join": "and", "rules": [
                    {"kind": "attended", "event_id": first_event},
                    {"kind": "p_alive", "min": 0, "max": 0.1}]}]}

        tab.page.evaluate("window.segmentBuilderNode.setChannel('sms')")
        count_says(tab, "1 khách sẽ nhận · 3 bị loại: 2 chưa đồng ý, 1 không có số điện thoại")

        shots(tab.page, SHOTS, "segment-builder-vi", full_page=True)


def test_a_refused_rule_is_marked_and_said(chromium, served, admin, shop):
    with admin_tab(chromium, served.url, viewport=TABLET) as tab:
        tab.page.evaluate(MOUNT, ["email", None])
        count_says(tab, "khách sẽ nhận")
        rule(tab, 0).locator("select[name=kind]").select_option("registered")
        rule(tab, 0).locator("input[name=from_day]").fill("2026-03-02")
        rule(tab, 0).locator("input[name=to_day]").fill("2026-03-01")
        count_says(tab, "Ngày bắt đầu ở sau ngày kết thúc.")
        assert "seg-invalid" in (rule(tab, 0).get_attribute("class") or "")
        rule(tab, 0).locator("input[name=to_day]").fill("2026-03-31")
        # 02/03 to 31/03: Em (Chi registered at midnight on 01/03)
        count_says(tab, "0 khách sẽ nhận · 1 bị loại: 1 trong nhóm không liên hệ")
        assert "seg-invalid" not in (rule(tab, 0).get_attribute("class") or "")


def test_in_english_on_a_phone(chromium, served, admin, shop):
    with admin_tab(chromium, served.url, viewport=PHONE) as tab:
        tab.page.click("#language button[data-lang=en]")
        tab.page.evaluate(MOUNT, ["email", None])
        count_says(tab, "1 will receive it · 5 left out: 1 without consent, "
                        "1 without an e-mail address, 1 unsubscribed, "
                        "1 erased at their request, 1 in the call list's hold-out")
        rule(tab, 0).locator("select[name=kind]").select_option("spent")
        rule(tab, 0).locator("input[name=min_vnd]").fill("5000000")
        assert tab.page.inner_text(f"{'.seg-rule'} .seg-money") == "5,000,000\u00a0₫"
        count_says(tab, "1 will receive it · 3 left out")  # An, Bình, Chi, Giang
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(SHOTS / "segment-builder-phone-en.png"), full_page=True)


def test_a_saved_segment_opens_as_it_was(chromium, served, admin, shop):
    saved = {"kind": "group", "join": "or", "rules": [
        {"kind": "tags", "tags": ["vip"]},
        {"kind": "group", "join": "and", "rules": [
            {"kind": "status", "statuses": ["lapsed"]}]}]}
    with admin_tab(chromium, served.url, viewport=TABLET) as tab:
        tab.page.evaluate(MOUNT, ["email", saved])
        # An (reached), Giang (never agreed), Chi (lapsed, no e-mail)
        count_says(tab, "1 khách sẽ nhận · 2 bị loại: 1 chưa đồng ý, 1 không có email")
        assert tab.page.get_attribute(".seg-group.depth-1 > .seg-group-head [data-join=or]",
                                      "aria-pressed") == "true"
        assert tab.page.input_value(".seg-rule input[name=tags]") == "vip"
        assert tab.page.is_checked(".seg-group.depth-2 input[value=lapsed]")
        rule(tab, 0).locator("input[name=tags]").fill("vip, cafe")
        count_says(tab, "1 khách sẽ nhận · 3 bị loại")  # and Bình, unsubscribed
        assert tab.page.evaluate("window.segmentValues.at(-1)") == {
            **saved, "rules": [{"kind": "tags", "tags": ["vip", "cafe"]}, saved["rules"][1]]}
