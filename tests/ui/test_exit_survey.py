"""The exit survey in a real browser: the mail a real SMTP server received holds the link,
which opens the survey on a phone, whose answer lands among the reasons for leaving; a
link that is not one says so; the admin reads the proof in plain sentences."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from kiosk_server.calls.models import AnswerSource, Group, LeaveAnswer
from kiosk_server.core.config import Settings
from kiosk_server.main import create_app
from tests.calls.test_survey import lapsed_with_case, outbox, recompute
from tests.calls.test_winback import _people, _plant
from tests.messaging.conftest import MailServer, mail_server, wait_for  # noqa: F401
from tests.ui.admin_pages import PASSWORD, AdminPage
from tests.ui.widths import OVERFLOW, TABLET

PHONE = {"width": 375, "height": 780}
SHOTS = Path(os.environ.get("KIOSK_SHOTS", "test-artifacts"))
LINK = re.compile(r"HTTPS://KIOSK\.EXAMPLE/X/(\S+)")


@pytest.fixture
def app(settings: Settings, mail_server: MailServer) -> Iterator[FastAPI]:  # noqa: F811
    """The server, sending its mail to a real SMTP server."""
    application = create_app(mail_server.settings_for(settings).model_copy(update={
        "public_url": "https://kiosk.example", "business_name": "Cà phê Hương"}))
    yield application
    application.state.db.dispose()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _phone(chromium, viewport=PHONE):
    context = chromium.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and not message.text
            .startswith("Failed to load resource") and errors.append(message.text))
    return context, page, errors


def test_the_mailed_link_opens_the_survey_and_the_answer_is_kept(
        chromium, served, http, admin, app, db, mail_server):  # noqa: F811
    someone, case_id = lapsed_with_case(http, admin, db, email="lan@example.com",
                                        consent_email=True)
    recompute(app)
    [mail] = wait_for(lambda: list(mail_server.inbox.messages), timeout_s=30)
    assert mail["To"] == "lan@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Đã lâu rồi Cà phê Hương chưa gặp lại anh/chị.")
    [token] = set(LINK.findall(text))  # the same link in Vietnamese and in English
    context, page, errors = _phone(chromium)
    try:
        page.goto(f"{served.url}/X/{token}")
        page.wait_for_selector("#sheet[data-ready]")
        assert page.inner_text("h1") == "Vì sao anh/chị ít ghé?"
        assert "Đã lâu rồi Cà phê Hương chưa gặp lại anh/chị." in page.inner_text(".intro")
        assert not page.evaluate(OVERFLOW)
        _shot(page, "survey-vi-375")
        page.click("#send")  # nothing chosen: said, not sent
        assert page.inner_text("#problem") == "Hãy chọn một lý do."
        page.click("label.choice:has(input[value=other])")
        assert page.inner_text("#words-label") == "Lý do của anh/chị"
        page.click("#send")
        assert page.inner_text("#problem") == "Hãy cho chúng tôi biết lý do, vài chữ là đủ."
        page.fill("[name=words]", "Quán đông quá, phải chờ lâu")
        page.click("label.choice:has(input[value=unsure])")
        page.click("[data-lang=en]")
        assert page.inner_text("h1") == "Why did you stop coming?"
        assert page.inner_text("#words-label") == "Your reason"
        _shot(page, "survey-en-375-filled")
        page.click("#send")
        page.wait_for_selector("#status:not([hidden])")
        assert page.inner_text("#status") == ("Thank you for telling us! Your answer has "
                                              "reached the shop.")
        assert page.locator("#survey").is_hidden()
        _shot(page, "survey-en-375-thanks")
        page.reload()
        page.wait_for_selector("#sheet[data-ready]")
        assert page.inner_text("#status").startswith("You answered this survey at ")
        page.click("[data-lang=vi]")
        assert page.inner_text("#status").startswith("Anh/chị đã trả lời khảo sát này lúc ")
        page.set_viewport_size(TABLET)
        assert not page.evaluate(OVERFLOW)
        _shot(page, "survey-vi-820-answered")
        assert errors == []
    finally:
        context.close()
    with db.session() as session:
        [answer] = session.scalars(select(LeaveAnswer)).all()
    assert (answer.customer_id, answer.case_id, answer.source, answer.reason.value,
            answer.words, answer.will_return.value) == (
        someone, case_id, AnswerSource.SURVEY, "other", "Quán đông quá, phải chờ lâu", "unsure")


def test_the_survey_at_tablet_width_and_a_link_that_is_not_one(
        chromium, served, http, admin, app, db):
    lapsed_with_case(http, admin, db, email="lan@example.com", consent_email=True)
    recompute(app)
    context, page, errors = _phone(chromium, TABLET)
    try:
        wrong = page.goto(f"{served.url}/x/1X.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA")
        assert wrong is not None and wrong.status == 404
        assert page.inner_text("h1") == "Không tìm thấy trang khảo sát này"
        assert "This survey page was not found." in page.inner_text("main")
        _shot(page, "survey-invalid-820")
        page.set_viewport_size(PHONE)
        assert not page.evaluate(OVERFLOW)
        _shot(page, "survey-invalid-375")
        assert errors == []
    finally:
        context.close()
    [message] = outbox(db)
    [token] = set(LINK.findall(message.body_text))
    context, page, errors = _phone(chromium, TABLET)
    try:
        page.goto(f"{served.url}/X/{token}")
        page.wait_for_selector("#sheet[data-ready]")
        assert not page.evaluate(OVERFLOW)
        _shot(page, "survey-vi-820")
        assert errors == []
    finally:
        context.close()


def _admin(chromium, base, language, viewport, username="admin"):
    tab = AdminPage(chromium, base, viewport)
    tab.context.add_init_script(f"localStorage.setItem('kiosk-admin-language', '{language}')")
    tab.open()
    tab.sign_in(username, PASSWORD)
    tab.wait_view("/")
    return tab


def test_the_admin_reads_the_proof_in_sentences(chromium, served, admin, clerk, db):
    _plant(db, Group.CONTACT, back=17, gone=33)
    _plant(db, Group.HOLD_OUT, back=2, gone=8)
    _plant(db, Group.NOT_DRAWN, back=1, gone=2)
    for language, viewport in (("vi", PHONE), ("vi", TABLET), ("en", PHONE), ("en", TABLET)):
        tab = _admin(chromium, served.url, language, viewport)
        try:
            tab.go("/insights")
            proof = tab.page.inner_text(".win-back .proof")
            if language == "vi":
                assert proof == (
                    "Khách được liên hệ quay lại 34\u00a0% (17/50), khách không liên hệ 20\u00a0% "
                    "(2/10): chênh lệch +14 điểm (khoảng tin cậy 95\u00a0%: −19 đến +34). "
                    "Chưa đủ để kết luận.")
                assert "3 khách do nhân viên đánh dấu" in tab.view_text()
            else:
                assert proof == (
                    "Contacted customers came back 34% (17/50), customers left alone 20% "
                    "(2/10): a difference of +14 points (95% confidence interval: −19 to +34). "
                    "Too few yet to tell.")
                assert "No customer has given a reason yet." in tab.view_text()
            assert not tab.page.evaluate(OVERFLOW)
            _shot(tab.page, f"win-back-{language}-{viewport['width']}")
            assert tab.errors == []
        finally:
            tab.close()
    tab = _admin(chromium, served.url, "vi", PHONE, username="clerk")
    try:
        assert tab.page.locator("#nav a[data-route=insights]").is_hidden()
    finally:
        tab.close()


def test_nothing_to_compare_yet_is_said_plainly(chromium, served, admin, db):
    [someone] = _people(db, 1)
    with db.session() as session:
        session.add(LeaveAnswer(customer_id=someone, source=AnswerSource.SURVEY,
                                reason="price", will_return="yes"))
    tab = _admin(chromium, served.url, "vi", TABLET)
    try:
        tab.go("/insights")
        assert tab.page.inner_text(".win-back .proof") == (
            "Chưa có khách nào qua hết 60 ngày theo dõi ở cả hai nhóm, nên chưa so sánh được. "
            "Chưa đủ để kết luận.")
        assert tab.page.inner_text(".will-return") == (
            "Sẽ quay lại: có 1, chưa chắc 0, không 0, không nói 0.")
        _shot(tab.page, "win-back-vi-820-empty")
        assert tab.errors == []
    finally:
        tab.close()
