"""The exit survey's link is its only credential, against a real server: a forged, altered,
other-kind, too old or erased customer's link opens nothing (never a 500); a body too large
is refused before it is read; two answers at once keep one; the proof is for admins."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlmodel import col

from kiosk_server.calls.models import ExitSurvey, LeaveAnswer
from kiosk_server.core.signing import TokenKind
from kiosk_server.core.types import utcnow
from tests.calls.test_survey import lapsed_with_case, recompute, surveys


def _sent(http, admin, app, db) -> tuple[str, ExitSurvey, int]:
    someone, _ = lapsed_with_case(http, admin, db, email="lan@example.com", consent_email=True)
    recompute(app)
    [survey] = surveys(db)
    return app.state.signer.sign(TokenKind.EXIT_SURVEY, survey.serial), survey, someone


def _refused(http, token: str, status: int, code: str) -> None:
    got = http.get(f"/api/v1/exit-surveys/{token}")
    assert (got.status_code, got.json()["error"]["code"]) == (status, code), token
    sent = http.post(f"/api/v1/exit-surveys/{token}", json={"reason": "price"})
    assert (sent.status_code, sent.json()["error"]["code"]) == (status, code), token
    page = http.get(f"/x/{token}")
    assert page.status_code == status and "Không tìm thấy trang khảo sát này" in page.text


def test_only_the_signed_link_of_a_live_customer_opens_the_survey(http, admin, app, db):
    token, survey, someone = _sent(http, admin, app, db)
    assert http.get(f"/x/{token}").status_code == 200
    head, serial, tag = token.split(".")
    altered = f"{head}.{serial}.{'A' if tag[0] != 'A' else 'B'}{tag[1:]}"
    other_serial = f"{head}.{'A' * 16}.{tag}"
    feedback_kind = app.state.signer.sign(TokenKind.FEEDBACK, survey.serial)
    card_kind = app.state.signer.sign(TokenKind.CARD, survey.serial)
    unknown = app.state.signer.sign(TokenKind.EXIT_SURVEY, "B" * 16)  # signed, never sent
    for wrong in (altered, other_serial, feedback_kind, card_kind, unknown, "x", "%00"):
        _refused(http, wrong, 404, "exit_survey_not_found")
    assert http.get(f"/api/v1/exit-surveys/{'A' * 65}").status_code == 422
    # Too old: the link of a message sent long ago is closed.
    with db.session() as session:
        session.execute(update(ExitSurvey).values(sent_at=utcnow() - timedelta(days=91)))
    _refused(http, token, 410, "exit_survey_expired")
    with db.session() as session:
        session.execute(update(ExitSurvey).values(sent_at=utcnow()))
    said = http.post(f"/api/v1/exit-surveys/{token}",
                     json={"reason": "other", "words": "Tôi là Lan, số 0912 345 678"})
    assert said.status_code == 200, said.text
    erased = http.post(f"/api/v1/customers/{someone}/erase", headers=admin.headers,
                       json={"confirm": True})
    assert erased.status_code == 200, erased.text
    _refused(http, token, 404, "exit_survey_not_found")
    with db.session() as session:  # their words are gone, the reason stays counted
        [answer] = session.scalars(select(LeaveAnswer)).all()
        assert (answer.reason.value, answer.words) == ("other", "")


def test_bodies_a_client_can_send_are_refused_with_a_status_never_a_500(http, admin, app, db):
    token, _, _ = _sent(http, admin, app, db)
    path = f"/api/v1/exit-surveys/{token}"
    large = http.post(path, json={"reason": "other", "words": "x" * 20_000})
    assert large.status_code == 413
    for body in ({"reason": "bored"}, {"reason": "price", "will_return": "maybe"},
                 {"reason": "other", "words": "a\x00b"}, {"reason": "price", "words": 5},
                 {"reason": "other", "words": "x" * 1001}, [], {}):
        answer = http.post(path, json=body)
        assert answer.status_code == 422, (body, answer.text)
    not_json = http.post(path, content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422


def test_two_different_answers_at_once_keep_one(live_server, http, admin, app, db):
    token, _, _ = _sent(http, admin, app, db)

    def answer(reason: str) -> int:
        with httpx.Client(base_url=live_server, timeout=30) as client:
            return client.post(f"/api/v1/exit-surveys/{token}",
                               json={"reason": reason}).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(answer, ["price", "staff", "service", "moved"]))
    assert sorted(codes) == [200, 409, 409, 409]
    with db.session() as session:
        assert len(session.scalars(select(LeaveAnswer)).all()) == 1
        assert session.scalar(select(col(ExitSurvey.answered_at))) is not None


def test_the_proof_is_for_admins_only(http, admin, clerk):
    for path in ("/api/v1/calls/win-back", "/api/v1/calls/win-back.csv",
                 "/api/v1/calls/reasons", "/api/v1/calls/reasons.csv"):
        assert http.get(path).status_code == 401
        assert http.get(path, headers=clerk.headers).status_code == 403
        assert http.get(path, headers=admin.headers).status_code == 200
