"""The exit survey: a customer who lapsed is asked, by a message they agreed to receive, why
they stopped coming and whether they will come back; the answer lands among the reasons
for leaving that staff hear on their calls.

A status hook (`ExitSurveyHook`, registered after the one that opens cases) reads the
rows of a recomputation whose status is lapsed. For each such customer with an open case
that may be contacted (group contact, or not drawn: never the hold-out, whom nobody
messages) and no survey yet, it claims the case's one survey (an INSERT that a unique
case id turns into nothing for a second pass, in this process or another) and queues the
message through the outbox, to the best channel the customer agreed to for marketing.
Without consent or an address nothing is recorded: a later recomputation (the nightly
pass) asks again, so consent given later still brings the survey, once.

The link (`/x/<token>`, a token of kind `X`) is the only credential of the page, for
`LINK_LIFETIME` after it was sent (an old message's link should not stay open for good);
one answer per survey. A retry of the same answer (the network failed after the server
saved it) gets the same answer back; a different second answer is refused with a
sentence saying it was already answered.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import bindparam, select, update
from sqlmodel import Field, Session, SQLModel, col

from kiosk_server.calls import settings as call_settings
from kiosk_server.calls.models import (
    AnswerSource,
    Case,
    CaseState,
    ExitSurvey,
    Group,
    LeaveAnswer,
    LeaveReason,
    WillReturn,
)
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Prepared, commit_durably, id_of, prepared_insert
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.core.types import NoteText, utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Customer
from kiosk_server.messaging.models import Purpose
from kiosk_server.retention.models import Status
from kiosk_server.retention.service import Change

log = logging.getLogger(__name__)

# How long a survey's link may be answered after it was sent.
LINK_LIFETIME = timedelta(days=90)
# The groups whose customers may be messaged: the hold-out is left alone.
ASKED_GROUPS = (Group.CONTACT, Group.NOT_DRAWN)


class ExitSurveyAnswer(SQLModel):
    """What the customer answers on the survey page."""

    reason: LeaveReason = Field(description="why they stopped coming")
    words: NoteText = Field(default="", max_length=1000,
                             description="their own words: the reason itself for `other` "
                                         "(then required), else an optional comment")
    will_return: WillReturn | None = Field(default=None, description="will they come back")

    @model_validator(mode="after")
    def _other_needs_words(self) -> "ExitSurveyAnswer":
        self.words = self.words.strip()
        if self.reason is LeaveReason.OTHER and not self.words:
            raise PydanticCustomError("words_required", "say the reason in a few words")
        return self


class ExitSurveyPublic(SQLModel):
    """The survey as its page shows it: answered or not, and the answer if it was."""

    answered: bool
    answered_at: datetime | None = None
    reason: LeaveReason | None = None
    words: str = ""
    will_return: WillReturn | None = None


# ---------------------------------------------------------------- sending

def message_text(business: str, link: str) -> contact.Content:
    """The survey's message, Vietnamese then English (one text serves e-mail and SMS; the
    customers table keeps no language)."""
    text = (f"Đã lâu rồi {business} chưa gặp lại anh/chị. Điều gì khiến anh/chị ít ghé? "
            f"Xin dành một phút cho chúng tôi biết, để chúng tôi phục vụ tốt hơn: {link}\n\n"
            f"We have not seen you at {business} for a while. What made you stop coming? "
            f"Tell us in a minute, so that we can do better: {link}\n")
    return contact.Content(subject=f"{business} mong gặp lại anh/chị · We miss you",
                           text=text)


def link_of(serial: str, *, signer: TokenSigner, public_url: str) -> str:
    """The survey page's link for the token with this serial."""
    return token_link(public_url, signer.sign(TokenKind.EXIT_SURVEY, serial), "x")


def _survey_on(session: Session) -> bool:
    """Whether the shop sends the survey (the default while the call list's settings were
    never saved)."""
    return call_settings.current(session).exit_survey


def _unasked(session: Session, customer_ids: list[int]) -> list[tuple[int, int]]:
    """(case id, customer id) of the open cases of these customers that may be contacted
    and were not sent a survey yet."""
    return [(case_id, customer_id) for case_id, customer_id in session.execute(
        select(col(Case.id), col(Case.customer_id))
        .where(col(Case.customer_id).in_(customer_ids), col(Case.state) == CaseState.OPEN,
               col(Case.group).in_(ASKED_GROUPS),
               ~select(col(ExitSurvey.id)).where(col(ExitSurvey.case_id) == col(Case.id))
               .exists())
        .order_by(col(Case.id)))]


_CLAIM = prepared_insert(ExitSurvey, ["case_id", "customer_id", "serial", "sent_at"],
                         ignore_conflicts=True, returning=(ExitSurvey.id,))
_SENT = Prepared(update(ExitSurvey).where(col(ExitSurvey.id) == bindparam("survey_id"))
                 .values(outbox_id=bindparam("outbox_id")))


class ExitSurveyHook:
    """A status hook: the exit survey for each customer a recomputation finds lapsed, once
    per case, with their consent."""

    def __init__(self, settings: Settings, signer: TokenSigner) -> None:
        self._settings = settings
        self._signer = signer

    def __call__(self, session: Session, changes: Sequence[Change], *, at: datetime) -> None:
        lapsed = [change.customer_id for change in changes
                  if change.after.status is Status.LAPSED]
        if not lapsed or not _survey_on(session):
            return
        cases = _unasked(session, lapsed)
        if not cases:
            return
        people = customers.get_customers(session, customer_ids=[row[1] for row in cases])
        for case_id, customer_id in cases:
            customer = people.get(customer_id)
            if customer is None or customer.erased_at is not None:
                continue
            permission = contact.best_channel(customer, purpose=Purpose.MARKETING)
            if permission.allowed:
                self._send(session, customer, permission, case_id=case_id, at=at)

    def _send(self, session: Session, customer: Customer, permission: contact.Permission, *,
              case_id: int, at: datetime) -> None:
        """Claim the case's survey and queue its message (a claim another pass made first
        sends nothing; an address the channel refuses keeps the survey, unsent, so that
        it is not tried night after night)."""
        serial = new_serial()
        commit_durably(session)  # a queued message must not be queued again after a crash
        survey_id = _CLAIM.scalar(session, {"case_id": case_id, "customer_id": id_of(customer),
                                            "serial": serial, "sent_at": at})
        if survey_id is None:
            return
        link = link_of(serial, signer=self._signer, public_url=self._settings.public_url)
        content = message_text(self._settings.business_name, link)
        try:
            with session.begin_nested():
                queued = contact.send(session, customer, content, purpose=Purpose.MARKETING,
                                      channel=permission.channel)
        except ValueError:
            log.warning("customer %s: an exit survey their address cannot take", customer.id)
            return
        _SENT.rows(session, {"survey_id": survey_id, "outbox_id": queued.message_id})


# ---------------------------------------------------------------- answering

def _unknown_link() -> DomainError:
    return not_found("khảo sát", "Survey", code="exit_survey_not_found")


def _survey(session: Session, *, token: str, signer: TokenSigner, now: datetime,
            lock: bool = False) -> ExitSurvey:
    """The survey a link opens (404 for a forged, altered or unknown link, another kind
    of token, or a customer whose data was erased; 410 once it is older than
    `LINK_LIFETIME`). With `lock`, answers by one link wait for each other."""
    serial = signer.serial_of(token, TokenKind.EXIT_SURVEY)
    if serial is None:
        raise _unknown_link()
    statement = select(ExitSurvey).where(col(ExitSurvey.serial) == serial)
    if lock:
        statement = statement.with_for_update()
    survey = session.scalars(statement).first()
    if survey is None:
        raise _unknown_link()
    try:
        customers.get_live_customer(session, customer_id=survey.customer_id)
    except DomainError:
        raise _unknown_link() from None
    if now - survey.sent_at > LINK_LIFETIME:
        raise DomainError("exit_survey_expired", "Khảo sát này đã đóng. Cảm ơn anh/chị!",
                          "This survey is closed. Thank you!", status=410)
    return survey


def _answer_of(session: Session, survey: ExitSurvey) -> LeaveAnswer | None:
    return session.scalars(select(LeaveAnswer).where(
        col(LeaveAnswer.case_id) == survey.case_id,
        col(LeaveAnswer.source) == AnswerSource.SURVEY)).first()


def _public(answer: LeaveAnswer | None) -> ExitSurveyPublic:
    if answer is None:
        return ExitSurveyPublic(answered=False)
    return ExitSurveyPublic(answered=True, answered_at=answer.answered_at,
                            reason=answer.reason, words=answer.words,
                            will_return=answer.will_return)


def survey_page(session: Session, *, token: str, signer: TokenSigner,
                now: datetime | None = None) -> ExitSurveyPublic:
    """What the survey page of this link shows: the answer, if one came."""
    survey = _survey(session, token=token, signer=signer, now=now or utcnow())
    return _public(_answer_of(session, survey))


def _same(answer: LeaveAnswer, data: ExitSurveyAnswer) -> bool:
    return (answer.reason, answer.words, answer.will_return) == (
        data.reason, data.words, data.will_return)


def give_answer(session: Session, *, token: str, signer: TokenSigner, data: ExitSurveyAnswer,
                now: datetime | None = None) -> ExitSurveyPublic:
    """Record the survey's one answer among the reasons for leaving; the same answer
    again (a retry) gets it back, another one is refused (409 `exit_survey_answered`)."""
    now = now or utcnow()
    survey = _survey(session, token=token, signer=signer, now=now, lock=True)
    claimed = session.execute(
        update(ExitSurvey).where(col(ExitSurvey.id) == survey.id,
                                 col(ExitSurvey.answered_at).is_(None))
        .values(answered_at=now).execution_options(synchronize_session=False))
    if not getattr(claimed, "rowcount", 0):
        answer = _answer_of(session, survey)
        if answer is not None and _same(answer, data):
            return _public(answer)
        raise conflict("exit_survey_answered",
                       "Anh/chị đã trả lời khảo sát này rồi. Cảm ơn anh/chị đã cho chúng tôi "
                       "biết!", "You have already answered this survey. Thank you for "
                       "telling us!")
    answer = LeaveAnswer(customer_id=survey.customer_id, case_id=survey.case_id,
                         source=AnswerSource.SURVEY, reason=data.reason, words=data.words,
                         will_return=data.will_return, answered_at=now)
    session.add(answer)
    session.flush()
    return _public(answer)


def forget_answers(session: Session, customer_id: int) -> None:
    """An erasure hook (registered in main.py): the words the customer wrote in their exit
    surveys are erased with the rest of their data (the reason, a code, stays counted)."""
    session.execute(update(LeaveAnswer).where(col(LeaveAnswer.customer_id) == customer_id,
                                              col(LeaveAnswer.source) == AnswerSource.SURVEY)
                    .values(words="").execution_options(synchronize_session=False))
