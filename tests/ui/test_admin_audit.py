"""The audit log in the admin area: each change a sentence in the page's language naming who
did it and to whom, filtered by person, kind and days; every action the server records
has its sentence in both languages."""

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk_server.audit.models import AuditKind
from tests.conftest import open_event_body
from tests.ui.admin_pages import PASSWORD, AdminPage
from tests.ui.widths import PHONE, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "words"
ROWS = "table.audit tbody tr"


def _actions():
    source = Path(__file__).resolve().parents[2] / "kiosk_server"
    return sorted({action for path in source.rglob("*.py") for action in re.findall(
        r'\.record\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text())})


def _tab(chromium, base, language="vi", viewport=None):
    tab = AdminPage(chromium, base, **({"viewport": viewport} if viewport else {}))
    tab.context.add_init_script(f"localStorage.setItem('kiosk-admin-language', '{language}')")
    tab.open()
    tab.sign_in("admin", PASSWORD)
    tab.wait_view("/")
    return tab


def _history(client, admin, clerk):
    """Lan (the admin) issues Hằng's card; Châu (a clerk) creates an event and invites her."""
    h = admin.headers
    client.patch(f"/api/v1/staff/{admin.staff_id}", headers=h, json={"full_name": "Lan"})
    client.patch(f"/api/v1/staff/{clerk.staff_id}", headers=h,
                 json={"full_name": "Phạm Minh Châu"})
    hang = client.post("/api/v1/customers", headers=h, json={
        "full_name": "Nguyễn Thị Hằng", "phone": "0912 345 678"}).json()
    assert client.post(f"/api/v1/customers/{hang['id']}/card", headers=h).status_code == 201
    event = client.post("/api/v1/events", headers=clerk.headers,
                        json=open_event_body(name="Hội thảo mùa thu")).json()
    client.post(f"/api/v1/events/{event['id']}/invitations", headers=clerk.headers,
                json={"customer_ids": [hang["id"]]})


def _sentences(page):
    return page.locator(f"{ROWS} td:nth-child(2)").all_inner_texts()


SHOWN = """([selector, expected, prefix]) => {
  const got = [...document.querySelectorAll(selector)].map((cell) => cell.innerText);
  return JSON.stringify(prefix ? got.slice(0, expected.length) : got)
    === JSON.stringify(expected);
}"""


def _shows(page, expected, prefix=False):
    """Waits until the log shows these sentences (its first ones, with `prefix`)."""
    try:
        page.wait_for_function(SHOWN, arg=[f"{ROWS} td:nth-child(2)", expected, prefix],
                               timeout=10_000)
    except Exception:
        assert _sentences(page) == expected  # says what was shown instead
        raise


@pytest.mark.parametrize("language, sentences", [
    ("vi", ["Phạm Minh Châu đã mời 1 khách đến Hội thảo mùa thu.",
            "Phạm Minh Châu đã tạo sự kiện Hội thảo mùa thu.",
            "Lan đã cấp thẻ thành viên cho Nguyễn Thị Hằng.",
            "Lan đã thêm khách hàng Nguyễn Thị Hằng.",
            "Lan đã sửa thông tin nhân viên Phạm Minh Châu (họ tên)."]),
    ("en", ["Phạm Minh Châu invited 1 guest to Hội thảo mùa thu.",
            "Phạm Minh Châu created the event Hội thảo mùa thu.",
            "Lan issued a membership card to Nguyễn Thị Hằng.",
            "Lan added the customer Nguyễn Thị Hằng.",
            "Lan changed the staff member Phạm Minh Châu (name)."]),
])
def test_the_log_reads_as_sentences_and_is_filtered_by_person_kind_and_days(
        chromium, served, client, admin, clerk, language, sentences):
    _history(client, admin, clerk)
    tab = _tab(chromium, served.url, language)
    page = tab.page
    try:
        tab.go("/audit")
        _shows(page, sentences, prefix=True)

        page.select_option("[name=staff_id]", str(clerk.staff_id))
        _shows(page, sentences[:2])
        page.select_option("[name=staff_id]", "")
        page.select_option("[name=kind]", "card")
        _shows(page, [sentences[2]])
        page.select_option("[name=kind]", "")

        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        page.fill("[name=from]", str(today))
        _shows(page, sentences, prefix=True)
        page.fill("[name=from]", str(today + timedelta(days=1)))
        _shows(page, [])
        assert page.locator("section.view p.empty").is_visible()
        assert page.inner_text("section.view p.empty") == (
            "Không có thay đổi nào khớp với bộ lọc." if language == "vi"
            else "No change matches the filters.")
        page.fill("[name=to]", str(today))
        refusal = ("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." if language == "vi"
                   else "The first day must not be after the last.")
        tab.wait_text("[data-error-for=from]", refusal)
        assert page.locator(".audit-filters .field.invalid [name=from]").count() == 1
        page.fill("[name=from]", str(today))
        _shows(page, sentences, prefix=True)
        assert page.inner_text("[data-error-for=from]") == ""
        assert tab.errors == []
    finally:
        tab.close()


def test_a_report_downloaded_reads_as_who_took_what(chromium, served, client, admin):
    """The owner sees in the log who downloaded which report, of which days or event."""
    h = admin.headers
    client.patch(f"/api/v1/staff/{admin.staff_id}", headers=h, json={"full_name": "Lan"})
    event = client.post("/api/v1/events", headers=h,
                        json=open_event_body(name="Hội thảo mùa thu")).json()
    for path, params in (("customers.xlsx", {}), ("attendance.csv", {"event_id": event["id"]}),
                         ("sales.csv", {"from": "2026-11-01", "to": "2026-11-03"})):
        assert client.get(f"/api/v1/reports/{path}", headers=h, params=params).status_code == 200
    said = {
        "vi": ["Lan đã tải báo cáo “Doanh thu theo ngày” từ 01/11/2026 đến 03/11/2026 (CSV).",
               "Lan đã tải danh sách tham dự của Hội thảo mùa thu (CSV).",
               "Lan đã tải báo cáo “Khách hàng” (Excel)."],
        "en": ["Lan downloaded the report “Sales per day” from 01/11/2026 to 03/11/2026 (CSV).",
               "Lan downloaded the attendance of Hội thảo mùa thu (CSV).",
               "Lan downloaded the report “Customers” (Excel)."],
    }
    for language, sentences in said.items():
        tab = _tab(chromium, served.url, language)
        try:
            tab.go("/audit")
            tab.page.select_option("[name=kind]", "export")
            _shows(tab.page, sentences)
            shots(tab.page, SHOTS, f"audit-downloads-{language}", full_page=True)
            assert tab.errors == []
        finally:
            tab.close()


def test_every_action_the_server_records_has_a_sentence_in_both_languages(
        chromium, served, admin):
    actions = _actions()
    assert len(actions) >= 30
    tab = _tab(chromium, served.url)
    try:
        found = tab.page.evaluate("""async (actions) => {
          const i18n = await import('/ui/admin/i18n.js');
          const { auditSentence, AUDIT_KINDS } = await import('/ui/admin/audit.js');
          const entry = (action) => ({ action, staff_name: 'Lan', target_label: 'Hằng',
            target_id: 1, details: { name: 'x', gate: 'A', amount_vnd: 1000, label: 't',
              benefit: 'b', reason: 'r', kind: 'badges_pdf', customer_ids: [1] } });
          const out = {};
          for (const language of ['vi', 'en']) {
            i18n.setLang(language);
            const unknown = auditSentence(entry('nothing.known'));
            out[language] = actions.map((action) => auditSentence(entry(action)))
              .map((text, n) => [actions[n], text, text === unknown]);
            out[`kinds_${language}`] = AUDIT_KINDS.map((kind) => i18n.t(`auditKind_${kind}`,
              {}, null));
          }
          out.kinds = AUDIT_KINDS;
          return out;
        }""", actions)
        for language in ("vi", "en"):
            for action, text, unknown in found[language]:
                assert not unknown, (language, action)
                assert "{" not in text and text.startswith("Lan "), (language, action, text)
            assert None not in found[f"kinds_{language}"]
        assert sorted(found["kinds"]) == sorted(kind.value for kind in AuditKind)
    finally:
        tab.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_screenshots_of_the_log_and_a_refused_form(chromium, served, client, admin, clerk,
                                                     language):
    """Run on a phone; each screenshot taken at 375 and 820 px, neither scrolling sideways."""
    _history(client, admin, clerk)
    tab = _tab(chromium, served.url, language, PHONE)
    page = tab.page
    try:
        tab.go("/audit")
        page.wait_for_selector(ROWS)
        shots(page, SHOTS, f"audit-{language}", full_page=True)
        tab.go("/events/new")
        page.fill("[name=name]", "Hội thảo")
        page.fill("[name=starts_at]", "2027-03-01T10:00")
        page.fill("[name=ends_at]", "2027-03-01T09:00")
        page.click("section.view button[type=submit]")
        page.wait_for_selector("section.view .field.invalid")
        shots(page, SHOTS, f"event-form-{language}", full_page=True)
        assert tab.errors == []
    finally:
        tab.close()
