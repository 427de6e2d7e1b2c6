"""Complaints and ratings in the admin area: a customer's 1-star answer on their phone shows
on the manager's dashboard at once over a real websocket; the queue moves complaints forward
with who did what; ratings come with their number of answers, a staff member's own only."""

import os
import time
from pathlib import Path

import pytest

from kiosk_server.staff.models import Role
from tests.feedback.helpers import named_staff, sale_link
from tests.ui.admin_pages import admin_tab
from tests.ui.widths import PHONE, TABLET

pytestmark = pytest.mark.usefixtures("chromium")

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))


def _shot(tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_one_star_answer_shows_on_the_managers_dashboard_within_a_second(
        chromium, live_server, http, db, seminar):
    named_staff(db, "chi", "Nguyễn Thị Chi", Role.ADMIN)
    hoa = named_staff(db, "hoa", "Lê Thị Hoa")
    token = sale_link(http, hoa.headers, seminar.customer_ids[0])
    with admin_tab(chromium, live_server, username="chi", viewport=TABLET) as manager:
        manager.wait_text(".alerts-panel .live", "trực tuyến")
        assert "Không có khiếu nại nào đang mở" in manager.page.inner_text(".alerts-panel")
        phone = chromium.new_context(viewport={"width": 375, "height": 780}, is_mobile=True,
                                     has_touch=True, locale="vi-VN")
        customer = phone.new_page()
        customer.goto(f"{live_server}/f/{token}")
        customer.wait_for_selector("#sheet[data-ready]")
        customer.click("#visit-rating .stars label:nth-child(1)")
        customer.click("#staff-rating .stars label:nth-child(1)")
        customer.fill("textarea[name=comment]", "Hỏi mãi không ai trả lời.")
        customer.click("#send")
        customer.wait_for_function(
            "document.getElementById('status').innerText.includes('rất tiếc')")
        sent = time.monotonic()
        manager.wait_text(".alerts", "Hỏi mãi không ai trả lời.", timeout=1000)
        assert time.monotonic() - sent < 1.0
        line = manager.page.inner_text(".alerts li:first-child")
        assert "Nguyễn Thị Hương 0 chấm lượt ghé 1/5 và Lê Thị Hoa 1/5." in line
        _shot(manager, "dashboard-820-alert")
        manager.page.set_viewport_size(PHONE)
        _shot(manager, "dashboard-375-alert")
        phone.close()


def test_the_queue_moves_a_complaint_forward_with_who_and_notes(
        chromium, live_server, http, db, admin, seminar):
    named_staff(db, "chi", "Nguyễn Thị Chi", Role.ADMIN)
    http.post(f"/api/v1/customers/{seminar.customer_ids[1]}/complaints", headers=admin.headers,
              json={"text": "Thu ngân tính sai tiền."})
    token = sale_link(http, admin.headers, seminar.customer_ids[0])
    http.put(f"/api/v1/feedback/{token}", json={"visit_rating": 2, "comment": "Phòng chờ nóng."})
    with admin_tab(chromium, live_server, username="chi", viewport=PHONE) as tab:
        tab.go("/complaints")
        cards = tab.page.locator("article.complaint")
        assert cards.count() == 2
        assert "Từ trang góp ý" in cards.nth(0).inner_text()
        assert "★ Lượt ghé 2/5" in cards.nth(0).inner_text()
        first = cards.nth(0)
        first.locator("textarea").fill("Đã gọi xin lỗi khách.")
        first.locator("[data-move=contacted]").click()
        tab.wait_text("article.complaint", "Nguyễn Thị Chi đã liên hệ với khách.")
        assert "Đã gọi xin lỗi khách." in tab.page.inner_text("article.complaint")
        assert tab.page.locator("article.complaint [data-move=contacted]").count() == 1
        _shot(tab, "complaints-375")
        tab.page.select_option("select[name=status]", "contacted")
        tab.page.wait_for_function(
            "document.querySelectorAll('article.complaint').length === 1")
        card = tab.page.locator("article.complaint")
        card.locator("textarea").fill("Tặng một ly cà phê lần tới.")
        card.locator("[data-move=resolved]").click()
        tab.wait_text("article.complaint", "Nguyễn Thị Chi đã giải quyết.")
        assert tab.page.locator("article.complaint[data-status=resolved] textarea").count() == 0
        assert "null" not in tab.page.inner_text("article.complaint[data-status=resolved]")
        tab.page.select_option("select[name=status]", "")
        tab.page.wait_for_function(
            "document.querySelectorAll('article.complaint').length === 2")
        tab.page.set_viewport_size(TABLET)
        _shot(tab, "complaints-820")
    reply = http.get(f"/api/v1/feedback/{token}").json()["reply"]
    assert reply == {**reply, "status": "resolved", "note": "Tặng một ly cà phê lần tới."}


def test_ratings_show_their_number_of_answers_and_staff_see_their_own(
        chromium, live_server, http, db, admin, seminar):
    lan = named_staff(db, "lan", "Trần Thị Lan")
    minh = named_staff(db, "minh", "Phạm Văn Minh")
    for person, visit, staff, comment in ((lan, 5, 5, "Rất chu đáo"), (lan, 4, 5, ""),
                                          (minh, 3, 2, "Hơi chậm")):
        token = sale_link(http, person.headers, seminar.customer_ids[0])
        http.put(f"/api/v1/feedback/{token}", json={"visit_rating": visit,
                                                     "staff_rating": staff, "comment": comment})
    with admin_tab(chromium, live_server, viewport=TABLET) as tab:
        tab.go("/ratings")
        text = tab.view_text()
        assert "5,0 (2 câu trả lời)" in text and "4,5 (2 câu trả lời)" in text
        assert "2,0 (1 câu trả lời)" in text
        assert "Rất chu đáo" in text and "Hơi chậm" in text
        _shot(tab, "ratings-820")
        tab.page.select_option("select[name=staff_id]", str(minh.staff_id))
        tab.wait_text("table.ratings-per-staff", "Phạm Văn Minh")
        tab.page.wait_for_function(
            "!document.querySelector('section.view').innerText.includes('Rất chu đáo')")
    with admin_tab(chromium, live_server, username="lan", viewport=PHONE) as tab:
        tab.go("/ratings")
        text = tab.view_text()
        assert "Đây là đánh giá của khách về bạn." in text
        assert "Rất chu đáo" in text and "Hơi chậm" not in text and "Phạm Văn Minh" not in text
        assert tab.page.locator("select[name=staff_id]").count() == 0
        _shot(tab, "ratings-375-own")
