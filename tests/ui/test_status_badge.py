"""A customer's status against their own rhythm, where people serve them: a coloured badge
and its reason as a sentence, then the return-visit model's scores as a sentence, on the
customer's admin page and in the till's panel, in Vietnamese and in English."""

import os
from pathlib import Path

from kiosk_server import history
from kiosk_server.retention.fit import RetentionFit
from kiosk_server.retention.worker import full_pass
from tests.ui.admin_pages import admin_tab
from tests.ui.test_checkout import Till
from tests.ui.widths import PHONE, shots

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts")) / "retperf"
WORDS = {
    "vi": ("Có nguy cơ rời bỏ", "thường ghé mỗi ~10 ngày, lần cuối cách đây 20 ngày",
           "Cần để ý", "chi tiêu 90 ngày qua giảm 20 %"),
    "en": ("At risk", "usually visits every ~10 days, last visit 20 days ago",
           "Watch", "spending in the last 90 days down 20 %"),
}
SCORE = {"vi": "Khả năng vẫn còn là khách: {pct} % · dự kiến {visits} lần ghé trong 90 ngày tới",
         "en": "Chance still a customer: {pct} % · {visits} visit{s} expected in the next 90 "
               "days"}


def score_sentence(status: dict, language: str) -> str:
    """The scores' sentence as the page should say it, from the API's figures."""
    visits = f"{status['expected_visits_90d']:.1f}".removesuffix(".0")
    return SCORE[language].format(
        pct=round(status["p_alive"] * 100), s="" if visits == "1" else "s",
        visits=visits.replace(".", ",") if language == "vi" else visits)


def test_the_customer_page_and_the_till_say_a_drifting_regulars_status(
        chromium, served, client, admin, db, settings):
    """Each language once, on a phone; each screenshot taken at 375 and 820 px."""
    with db.session() as session:
        planted = history.write(session, history.people(25), zone=settings.zone)
        # The model in use (a history of 25 regulars is too small to fit one).
        session.add(RetentionFit(customers=400, converged=True, r=0.9, alpha=25.0, a=0.7,
                                 b=3.0, log_likelihood=-2000.0, utc_offset_seconds=7 * 3600))
    full_pass(db, zone=settings.zone)
    [overdue] = [p for p in planted if p.label == "2.0x overdue, 20 days"]
    [spending] = [p for p in planted if p.label == "spend down 20 %"]
    changed = client.patch(f"/api/v1/customers/{spending.customer_id}", headers=admin.headers,
                           json={"phone": "0903 555 020"})
    assert changed.status_code == 200, changed.text
    scores = {customer_id: client.get(f"/api/v1/customers/{customer_id}/status",
                                      headers=admin.headers).json()
              for customer_id in (overdue.customer_id, spending.customer_id)}
    assert all(status["p_alive"] is not None for status in scores.values())
    for language, (at_risk, rhythm, watch, spend) in WORDS.items():
        with admin_tab(chromium, served.url, viewport=PHONE) as ui:
            ui.context.add_init_script(
                f"localStorage.setItem('kiosk-admin-language', '{language}')")
            ui.page.reload()
            ui.wait_view("/")
            ui.go(f"/customers/{overdue.customer_id}")
            ui.wait_text(".rhythm-line .rhythm-reason", rhythm)
            badge = ui.page.locator(".rhythm-line .badge.status-at_risk")
            assert badge.inner_text() == at_risk
            assert ui.page.locator(".rhythm-line .rhythm-score").inner_text() == \
                score_sentence(scores[overdue.customer_id], language)
            shots(ui.page, SHOTS, f"customer-page-{language}")
        till = Till(chromium, served.url, viewport=PHONE)
        till.page.evaluate(f"localStorage.setItem('kiosk-admin-language', '{language}')")
        till.page.reload()
        till.page.wait_for_selector("[data-view=idle]")
        till.page.fill("#find-input", "0903555020")
        till.page.press("#find-input", "Enter")
        till.served(spending.customer_id)
        till.wait_text(".who .rhythm-reason", spend)
        assert till.text(".who .badge.status-watch") == watch
        assert till.text(".who .rhythm-score") == score_sentence(scores[spending.customer_id],
                                                                 language)
        shots(till.page, SHOTS, f"till-{language}")
        till.close()


def test_the_customers_list_filters_by_status_and_admins_set_the_thresholds(
        chromium, served, client, admin, db, settings, app):
    with db.session() as session:
        planted = history.write(session, history.people(25), zone=settings.zone)
    full_pass(db, zone=settings.zone)
    at_risk = sorted(p.customer_id for p in planted if p.status.value == "at_risk")
    for language in ("vi", "en"):
        with admin_tab(chromium, served.url, viewport=PHONE) as ui:
            page = ui.page
            ui.context.add_init_script(
                f"localStorage.setItem('kiosk-admin-language', '{language}')")
            page.reload()
            ui.wait_view("/")
            ui.go("/customers")
            page.select_option("select.status-filter", "at_risk")
            page.wait_for_function(
                "n => document.querySelectorAll('tr.by-status').length === n", arg=len(at_risk))
            shown = [int(row.get_attribute("data-customer-id"))
                     for row in page.locator("tr.by-status").all()]
            assert shown == at_risk
            assert page.locator("tr.by-status .badge.status-at_risk").count() == len(at_risk)
            # No model fitted yet: no scores, not an empty sentence.
            assert page.locator("tr.by-status .rhythm-score").count() == 0
            shots(page, SHOTS, f"customers-at-risk-{language}")
            page.click(".rhythm-settings-panel summary")
            form = "form.rhythm-settings"
            if language == "vi":
                page.fill(f"{form} [name=at_risk_overdue]", "1,2")  # below watch's 1.5
                page.click(f"{form} button[type=submit]")
                ui.wait_text(f"{form} .error", "các ngưỡng phải tăng dần")
                page.fill(f"{form} [name=at_risk_overdue]", "2")
                page.fill(f"{form} [name=watch_overdue]", "1,4")
                page.click(f"{form} button[type=submit]")
                page.wait_for_function(
                    "document.querySelector('form.rhythm-settings [name=watch_overdue]')"
                    ".value === '1.4'")
                saved = client.get("/api/v1/retention-settings", headers=admin.headers).json()
                assert saved["watch_overdue"] == 1.4 and saved["updated_by"] == admin.staff_id
                # The next pass flags the regular 14 days into a 10-day rhythm: live, on the
                # managers' dashboard.
                ui.go("/")
                page.wait_for_selector(".alerts-panel .live:not(.offline)")
                page.wait_for_load_state("networkidle")  # the open complaints read
                [just_under] = [p for p in planted if p.label == "1.5x overdue, 14 days"]
                full_pass(db, zone=settings.zone, hub=app.state.hub)
                drift = page.locator(
                    f".alerts .drift[data-customer-id='{just_under.customer_id}']")
                drift.wait_for()
                assert "thường ghé mỗi ~10 ngày, lần cuối cách đây 14 ngày" in drift.inner_text()
                shots(page, SHOTS, "dashboard-drift-vi")
                ui.go("/customers")
                page.click(".rhythm-settings-panel summary")
            page.locator(".rhythm-settings-panel").scroll_into_view_if_needed()
            shots(page, SHOTS, f"rhythm-settings-{language}")
