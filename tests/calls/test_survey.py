"""The exit survey: one message, with consent, to a customer who lapsed on a case that may be
contacted; never to the hold-out, never for at risk only, never twice; its answer lands
among the reasons for leaving, once."""

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from kiosk_server.calls.models import (
    AnswerSource,
    CallSettings,
    ExitSurvey,
    Group,
    LeaveAnswer,
)
from kiosk_server.calls.survey import ExitSurveyHook
from kiosk_server.core.signing import TokenKind
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Visit, VisitKind
from kiosk_server.messaging.models import OutboxMessage, Purpose
from kiosk_server.retention import service as retention
from kiosk_server.retention.models import Status
from kiosk_server.retention.worker import full_pass
from kiosk_server.wiring import retention_hooks
from tests.calls.helpers import open_case
from tests.feedback.test_followup import customer

# Visits 10 days apart, the last one long ago (lapsed) or 25 days ago (2.5x overdue: at risk).
LAPSED_DAYS = (230, 220, 210, 200)
AT_RISK_DAYS = (55, 45, 35, 25)


def visits(db, customer_id: int, days_ago=LAPSED_DAYS) -> None:
    now = utcnow()
    with db.session() as session:
        for days in days_ago:
            session.add(Visit(customer_id=customer_id, kind=VisitKind.PURCHASE,
                              occurred_at=now - timedelta(days=days)))


def lapsed_with_case(client, admin, db, group=Group.CONTACT, days_ago=LAPSED_DAYS,
                     **fields) -> tuple[int, int]:
    someone = customer(client, admin, **fields)
    visits(db, someone, days_ago)
    return someone, open_case(db, someone, group)


def recompute(app) -> None:
    """The nightly pass, with the hooks the server registers."""
    settings = app.state.settings
    full_pass(app.state.db, zone=settings.zone, hooks=retention_hooks(settings).statuses)


def outbox(db) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def surveys(db) -> list[ExitSurvey]:
    with db.session() as session:
        return list(session.scalars(select(ExitSurvey).order_by(col(ExitSurvey.id))))


def survey_token(app, survey: ExitSurvey) -> str:
    return app.state.signer.sign(TokenKind.EXIT_SURVEY, survey.serial)


def test_a_lapsed_consenting_customer_is_asked_once_with_a_link_to_the_survey(
        client, admin, app, db):
    anh, case_id = lapsed_with_case(client, admin, db, email="anh@example.com",
                                    consent_email=True)
    recompute(app)
    [message] = outbox(db)
    assert message.to_address == "anh@example.com" and message.purpose is Purpose.MARKETING
    assert message.body_text.startswith("Đã lâu rồi Kiosk chưa gặp lại anh/chị.")
    assert "What made you stop coming?" in message.body_text
    [survey] = surveys(db)
    assert (survey.case_id, survey.customer_id, survey.outbox_id) == (case_id, anh, message.id)
    [link] = {word for word in message.body_text.split() if "/X/" in word.upper()}
    assert link.upper().endswith("/X/" + survey_token(app, survey).upper())
    page = client.get("/" + link.split("/", 3)[3])
    assert page.status_code == 200 and "Vì sao anh/chị ít ghé?" in page.text
    # Told again of the same status (a second pass, or the hook run twice): no second one.
    recompute(app)
    hook = ExitSurveyHook(app.state.settings, app.state.signer)
    with db.session() as session:
        moment = retention.Moment.of(session, app.state.settings.zone)
        standing = retention.compute(session, anh, moment=moment)
        assert standing.status is Status.LAPSED
        change = retention.Change(anh, Status.AT_RISK, standing)
        hook(session, [change], at=moment.now)
        hook(session, [change], at=moment.now)
    assert len(outbox(db)) == 1 and len(surveys(db)) == 1


def test_who_is_not_asked(client, admin, app, db):
    lapsed_with_case(client, admin, db, email="silent@example.com")  # no consent
    lapsed_with_case(client, admin, db, Group.HOLD_OUT, email="left@example.com",
                     consent_email=True)  # held out: nobody messages them
    lapsed_with_case(client, admin, db, days_ago=AT_RISK_DAYS, email="risk@example.com",
                     consent_email=True)  # at risk, not lapsed
    flagged, _ = lapsed_with_case(client, admin, db, Group.NOT_DRAWN, consent_sms=True)
    recompute(app)
    # Only the staff flag's case, by the channel they agreed to.
    [message] = outbox(db)
    assert (message.channel.value, [s.customer_id for s in surveys(db)]) == ("sms", [flagged])


def test_nothing_is_sent_while_the_survey_is_turned_off(client, admin, app, db):
    with db.session() as session:
        session.add(CallSettings(exit_survey=False))
    lapsed_with_case(client, admin, db, email="anh@example.com", consent_email=True)
    recompute(app)
    assert (outbox(db), surveys(db)) == ([], [])


def _sent_survey(client, admin, app, db) -> tuple[str, int, int]:
    anh, case_id = lapsed_with_case(client, admin, db, email="anh@example.com",
                                    consent_email=True)
    recompute(app)
    [survey] = surveys(db)
    return survey_token(app, survey), anh, case_id


def answers(db) -> list[LeaveAnswer]:
    with db.session() as session:
        return list(session.scalars(select(LeaveAnswer)))


def test_the_answer_lands_among_the_reasons_once(client, admin, app, db):
    token, anh, case_id = _sent_survey(client, admin, app, db)
    path = f"/api/v1/exit-surveys/{token}"
    assert client.get(path).json() == {"answered": False, "answered_at": None, "reason": None,
                                       "words": "", "will_return": None}
    missing = client.post(path, json={"reason": "other", "words": "  "})
    assert missing.status_code == 422
    assert [p["type"] for p in missing.json()["detail"]] == ["words_required"]
    body = {"reason": "other", "words": "Quán đông quá, chờ lâu", "will_return": "unsure"}
    first = client.post(path, json=body)
    assert first.status_code == 200, first.text
    assert first.json()["answered"] and first.json()["reason"] == "other"
    retried = client.post(path, json=body)  # the answer saved, the reply lost: sent again
    assert retried.status_code == 200 and retried.json() == first.json()
    other = client.post(path, json={"reason": "price"}, headers={"Accept-Language": "en"})
    assert other.status_code == 409
    assert other.json()["error"] == {
        "code": "exit_survey_answered", "field": None,
        "message": "You have already answered this survey. Thank you for telling us!"}
    [answer] = answers(db)
    assert (answer.customer_id, answer.case_id, answer.source, answer.reason.value,
            answer.words, answer.will_return.value) == (
        anh, case_id, AnswerSource.SURVEY, "other", "Quán đông quá, chờ lâu", "unsure")
    [survey] = surveys(db)
    assert survey.answered_at == answer.answered_at
    assert client.get(path).json()["answered"] is True


def test_a_comment_with_a_listed_reason_and_no_answer_to_coming_back(client, admin, app, db):
    token, _, _ = _sent_survey(client, admin, app, db)
    answer = client.post(f"/api/v1/exit-surveys/{token}",
                         json={"reason": "competitor", "words": "Quán bên cạnh giảm 30 %"})
    assert answer.status_code == 200, answer.text
    [row] = answers(db)
    assert (row.reason.value, row.words, row.will_return) == (
        "competitor", "Quán bên cạnh giảm 30 %", None)
