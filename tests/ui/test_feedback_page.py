"""The customer's feedback page on a phone (/f/<token>, the receipt's link): stars for the
visit and for who served (by given name), a comment; changed within a day, read-only after;
a link that is not one is said in words."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kiosk_server.feedback.models import Feedback
from tests.feedback.helpers import named_staff, sale_link
from tests.ui import widths

pytestmark = pytest.mark.usefixtures("chromium")

PHONE = dict(viewport={"width": 375, "height": 780}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="vi-VN")
TABLET = dict(viewport=widths.TABLET, locale="vi-VN")
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open(chromium, live_server, token, **device):
    context = chromium.new_context(**(device or PHONE))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/f/{token}")
    page.wait_for_selector("#sheet[data-ready]")
    return context, page, errors


def _tap_star(page, fieldset, n):
    page.click(f"#{fieldset} .stars label:nth-child({n})")


def test_a_customer_rates_a_visit_changes_it_and_then_it_is_read_only(
        chromium, live_server, http, admin, seminar, db):
    lan = named_staff(db, "lan", "Trần Thị Lan")
    token = sale_link(http, lan.headers, seminar.customer_ids[0])
    context, page, errors = _open(chromium, live_server, token)
    text = page.inner_text("#sheet")
    assert "Bạn chấm Lan, người phục vụ bạn, mấy sao?" in text
    assert "Trần" not in text and "Lần mua hàng lúc" in text
    _shot(page, "feedback-375-empty")
    page.click("#send")
    assert page.inner_text("#problem") == "Hãy chọn số sao cho lượt ghé."
    _tap_star(page, "visit-rating", 4)
    _tap_star(page, "staff-rating", 5)
    page.fill("textarea[name=comment]", "Chị Lan tư vấn rất kỹ, cảm ơn!")
    page.click("#send")
    page.wait_for_function("document.getElementById('status').innerText.includes('Cảm ơn')")
    assert page.locator("#visit-rating label.on").count() == 4
    assert page.inner_text("#send") == "Cập nhật góp ý"
    _shot(page, "feedback-375-sent")
    answer = http.get(f"/api/v1/feedback/{token}").json()
    assert (answer["visit_rating"], answer["staff_rating"]) == (4, 5)
    assert answer["comment"] == "Chị Lan tư vấn rất kỹ, cảm ơn!"
    context.close()

    context, page, errors_again = _open(chromium, live_server, token)  # back later that day
    assert page.locator("#visit-rating label.on").count() == 4
    assert "Bạn có thể sửa lại đến" in page.inner_text("#status")
    _tap_star(page, "visit-rating", 5)
    page.click("[data-lang=en]")  # the draft survives a change of language
    assert page.locator("#visit-rating label.on").count() == 5
    assert "How many stars for Lan, who served you?" in page.inner_text("#sheet")
    _shot(page, "feedback-375-english-draft")
    page.click("#send")
    page.wait_for_function("document.getElementById('status').innerText.includes('Thank you')")
    assert http.get(f"/api/v1/feedback/{token}").json()["visit_rating"] == 5
    context.close()

    with db.session() as session:  # a day and a second later
        (answered_at,) = session.execute(select(Feedback.answered_at)).scalars().all()
        session.execute(update(Feedback).values(
            answered_at=answered_at - timedelta(hours=24, seconds=1)))
    context, page, errors_late = _open(chromium, live_server, token)
    assert page.is_hidden("#send")
    assert page.is_disabled("textarea[name=comment]")
    assert "chỉ sửa được trong một ngày nên giờ chỉ còn để xem" in page.inner_text("#status")
    assert page.input_value("textarea[name=comment]") == "Chị Lan tư vấn rất kỹ, cảm ơn!"
    _shot(page, "feedback-375-read-only")
    context.close()
    assert errors == errors_again == errors_late == []


def test_a_low_rating_says_the_manager_was_told_and_later_what_was_done(
        chromium, live_server, http, admin, seminar):
    token = sale_link(http, admin.headers, seminar.customer_ids[0])
    context, page, errors = _open(chromium, live_server, token, **TABLET)
    _tap_star(page, "visit-rating", 1)
    page.fill("textarea[name=comment]", "Đợi 20 phút không ai hỏi.")
    page.click("#send")
    page.wait_for_function("document.getElementById('status').innerText.includes('rất tiếc')")
    assert "sẽ liên hệ với bạn sớm" in page.inner_text("#reply")
    complaint_id = http.get("/api/v1/complaints", headers=admin.headers).json()[0]["id"]
    http.post(f"/api/v1/complaints/{complaint_id}/status", headers=admin.headers,
              json={"status": "resolved", "note": "Xin lỗi chị, lần tới cửa hàng tặng một ly "
                                                  "cà phê."})
    page.reload()
    page.wait_for_selector("#sheet[data-ready]")
    assert "Cửa hàng đã giải quyết góp ý này." in page.inner_text("#reply")
    assert "tặng một ly cà phê" in page.inner_text("#reply")
    _shot(page, "feedback-820-resolved")
    context.close()
    assert errors == []


def test_a_link_that_is_not_one_is_said_in_words(chromium, live_server, http, admin, seminar):
    token = sale_link(http, admin.headers, seminar.customer_ids[0])
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    response = page.goto(f"{live_server}/f/{token[:-2]}AA")
    assert response.status == 404
    assert "Không tìm thấy trang góp ý này" in page.inner_text("main")
    _shot(page, "feedback-375-not-found")
    upper = page.goto(f"{live_server}/F/{token}")  # what the receipt's QR holds
    assert upper.status == 200
    context.close()
