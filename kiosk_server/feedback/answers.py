"""The customer's answer on the feedback page: ratings of a visit and of who served it.

The signed token on the receipt is the only credential: whoever holds it may answer once
for that visit, and change the answer for a day after it first came. A low rating opens a
complaint in the same transaction and, once committed, alerts the managers live.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlmodel import Session, col

from kiosk_server.core.db import id_of, on_commit
from kiosk_server.core.errors import DomainError, conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback import settings as shop_settings
from kiosk_server.feedback.hooks import AnswerHooks, ThanksAsked
from kiosk_server.feedback.models import (
    Complaint,
    ComplaintSource,
    ComplaintStatus,
    ComplaintStep,
    Feedback,
    FeedbackAnswer,
    FeedbackPagePublic,
    FeedbackRequest,
    ShopReply,
    ThankYouCoupon,
)
from kiosk_server.live.channels import MANAGER_ALERTS, event_channel
from kiosk_server.live.hub import LocalHub
from kiosk_server.staff import service as staff

# How long an answer may be changed after it first came.
EDIT_WINDOW = timedelta(hours=24)
# Changes a link may make within that day: enough for a customer, not for a script.
MAX_EDITS = 20
# A rating at or below this (of the visit or of the staff member) opens a complaint.
LOW_RATING = 2


def _unknown_link() -> DomainError:
    return not_found("liên kết góp ý", "Feedback link", code="feedback_not_found")


@dataclass(frozen=True)
class _Visited:
    request: FeedbackRequest
    visit_kind: str
    visit_at: datetime
    event_id: int | None


def _visited(session: Session, *, token: str, signer: TokenSigner,
             lock: bool = False) -> _Visited:
    """The visit a feedback link is about (404 for a forged, altered or unknown one). With
    `lock`, answers by this link wait for each other: the first is the first."""
    serial = signer.serial_of(token, TokenKind.FEEDBACK)
    if serial is None:
        raise _unknown_link()
    statement = select(FeedbackRequest).where(col(FeedbackRequest.serial) == serial)
    if lock:
        statement = statement.with_for_update()
    request = session.scalars(statement).first()
    if request is None:
        raise _unknown_link()
    if request.revoked_at is not None:
        raise DomainError("feedback_link_revoked", "Liên kết góp ý này không còn dùng được.",
                          "This feedback link no longer works.", status=410)
    visit = customers.visit_of(session, customer_id=request.customer_id,
                               visit_id=request.visit_id)
    return _Visited(request, str(visit.kind), visit.occurred_at, visit.event_id)


def first_name(full_name: str | None) -> str | None:
    """The name a Vietnamese customer calls someone by: the last word of the full name."""
    words = (full_name or "").split()
    return words[-1] if words else None


def _staff_first_name(session: Session, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    return first_name(staff.get_staff(session, staff_id=staff_id).full_name)


def _answer_of(session: Session, request_id: int) -> Feedback | None:
    return session.scalars(select(Feedback).where(col(Feedback.request_id) == request_id)).first()


def _reply(session: Session, feedback_id: int) -> ShopReply | None:
    complaint = session.scalars(select(Complaint)
                                .where(col(Complaint.feedback_id) == feedback_id)).first()
    if complaint is None:
        return None
    last = session.scalars(select(ComplaintStep)
                           .where(col(ComplaintStep.complaint_id) == complaint.id)
                           .order_by(col(ComplaintStep.id).desc())).first()
    return ShopReply(status=complaint.status, note=complaint.resolution,
                     at=last.at if last else complaint.opened_at)


def _page(session: Session, visited: _Visited, answer: Feedback | None,
          now: datetime, thanks: ThankYouCoupon | None = None) -> FeedbackPagePublic:
    page = FeedbackPagePublic(
        visit_kind=visited.visit_kind, visit_at=visited.visit_at,
        staff_served=visited.request.staff_id is not None,
        staff_first_name=_staff_first_name(session, visited.request.staff_id), editable=True,
        thanks=thanks)
    if answer is not None:
        until = answer.answered_at + EDIT_WINDOW
        page = page.model_copy(update={
            "visit_rating": answer.visit_rating, "staff_rating": answer.staff_rating,
            "comment": answer.comment, "answered_at": answer.answered_at,
            "editable_until": until, "editable": now < until,
            "reply": _reply(session, id_of(answer))})
    return page


def _thanks_given(session: Session, request: FeedbackRequest, signer: TokenSigner,
                  hooks: AnswerHooks | None) -> ThankYouCoupon | None:
    if hooks is None or hooks.thanks is None or request.answered_at is None:
        return None
    return hooks.thanks.given(session, id_of(request), signer)


def feedback_page(session: Session, *, token: str, signer: TokenSigner,
                  hooks: AnswerHooks | None = None, now: datetime | None = None
                  ) -> FeedbackPagePublic:
    """What the feedback page of this link shows: the visit, who served, the answer if any,
    and the coupon it earned."""
    visited = _visited(session, token=token, signer=signer)
    return _page(session, visited, _answer_of(session, id_of(visited.request)), now or utcnow(),
                 _thanks_given(session, visited.request, signer, hooks))


def answers_of(session: Session, *, customer_id: int, limit: int = 100,
               now: datetime | None = None) -> list[FeedbackPagePublic]:
    """The customer's answers, newest first, each with the shop's reply to it (their own
    page shows them)."""
    answers = session.scalars(select(Feedback).where(col(Feedback.customer_id) == customer_id)
                              .order_by(col(Feedback.answered_at).desc(),
                                        col(Feedback.id).desc()).limit(limit))
    pages = []
    for answer in answers:
        request = session.get(FeedbackRequest, answer.request_id)
        visit = customers.visit_of(session, customer_id=customer_id, visit_id=answer.visit_id)
        assert request is not None  # the answer points at it
        pages.append(_page(session, _Visited(request, str(visit.kind), visit.occurred_at,
                                             visit.event_id), answer, now or utcnow()))
    return pages


def give_answer(session: Session, *, token: str, signer: TokenSigner, data: FeedbackAnswer,
                hub: LocalHub | None, hooks: AnswerHooks | None = None,
                now: datetime | None = None) -> FeedbackPagePublic:
    """Record the customer's answer for the link's visit, or change it within a day; a low
    rating opens a complaint and alerts the managers once committed. A first answer, of
    any rating, is thanked with a coupon when the shop's settings say so (an edit never)."""
    now = now or utcnow()
    visited = _visited(session, token=token, signer=signer, lock=True)
    answer = _answer_of(session, id_of(visited.request))
    thanks = None
    if answer is None:
        answer = _first_answer(session, visited.request, data, now)
        thanks = _thank(session, visited.request, signer, hooks)
    else:
        _change(session, answer, data, now)
        thanks = _thanks_given(session, visited.request, signer, hooks)
    complaint = _complaint_if_low(session, answer)
    if complaint is not None and hub is not None:
        _announce(session, hub, complaint, answer, visited.event_id)
    return _page(session, visited, answer, now, thanks)


def _thank(session: Session, request: FeedbackRequest, signer: TokenSigner,
           hooks: AnswerHooks | None) -> ThankYouCoupon | None:
    """The thank-you coupon for a first answer, if the shop gives one (and one is set up)."""
    if hooks is None or hooks.thanks is None:
        return None
    chosen = shop_settings.current(session)
    if not chosen.thanks_enabled:
        return None
    return hooks.thanks.give(session, ThanksAsked(
        request_id=id_of(request), customer_id=request.customer_id,
        benefit=shop_settings.benefit_text(chosen.thanks_kind, chosen.thanks_value),
        valid_days=chosen.thanks_valid_days), signer)


def _first_answer(session: Session, request: FeedbackRequest, data: FeedbackAnswer,
                  now: datetime) -> Feedback:
    answer = Feedback(request_id=id_of(request), visit_id=request.visit_id,
                      customer_id=request.customer_id, staff_id=request.staff_id,
                      visit_rating=data.visit_rating, staff_rating=_staff_rating(request, data),
                      comment=data.comment.strip(), answered_at=now, updated_at=now)
    session.add(answer)
    request.answered_at = now
    session.add(request)
    session.flush()
    return answer


def _staff_rating(request: FeedbackRequest, data: FeedbackAnswer) -> int | None:
    """A visit nobody is named for has no staff member to rate: such a rating is dropped."""
    return data.staff_rating if request.staff_id is not None else None


def _change(session: Session, answer: Feedback, data: FeedbackAnswer, now: datetime) -> None:
    if now >= answer.answered_at + EDIT_WINDOW:
        raise conflict("feedback_closed",
                       "Góp ý này chỉ sửa được trong một ngày sau khi gửi.",
                       "This feedback could be changed for a day after it was sent.")
    if answer.edits >= MAX_EDITS:
        raise DomainError("feedback_too_many_edits",
                          "Góp ý này đã được sửa quá nhiều lần.",
                          "This feedback has been changed too many times.", status=429)
    answer.visit_rating = data.visit_rating
    answer.staff_rating = data.staff_rating if answer.staff_id is not None else None
    answer.comment = data.comment.strip()
    answer.updated_at = now
    answer.edits += 1
    session.add(answer)
    session.flush()


def is_low(answer: Feedback) -> bool:
    ratings = [answer.visit_rating, answer.staff_rating]
    return any(rating is not None and rating <= LOW_RATING for rating in ratings)


_LOW = (col(Feedback.visit_rating) <= LOW_RATING) | (col(Feedback.staff_rating) <= LOW_RATING)


def low_ratings_of(session: Session, *, customer_id: int, limit: int = 50) -> list[Feedback]:
    """The customer's low answers (the visit or the staff member rated `LOW_RATING` or
    less), newest first, with their words: what a call back should know."""
    return list(session.scalars(
        select(Feedback).where(col(Feedback.customer_id) == customer_id, _LOW)
        .order_by(col(Feedback.answered_at).desc(), col(Feedback.id).desc()).limit(limit)))


def low_rating_counts(session: Session, *, customer_ids: list[int]) -> dict[int, int]:
    """How many low answers each of these customers gave (those with none left out)."""
    if not customer_ids:
        return {}
    return {customer_id: count for customer_id, count in session.execute(
        select(col(Feedback.customer_id), func.count())
        .where(col(Feedback.customer_id).in_(customer_ids), _LOW)
        .group_by(col(Feedback.customer_id)))}


def _complaint_if_low(session: Session, answer: Feedback) -> Complaint | None:
    """A complaint newly opened for this answer (None if it is not low, or already has one,
    whose text then follows the answer's comment while it is open)."""
    existing = session.scalars(select(Complaint)
                               .where(col(Complaint.feedback_id) == answer.id)).first()
    if existing is not None:
        if existing.status is not ComplaintStatus.RESOLVED:
            existing.text = answer.comment
            session.add(existing)
        return None
    if not is_low(answer):
        return None
    complaint = Complaint(customer_id=answer.customer_id, text=answer.comment,
                          source=ComplaintSource.FEEDBACK, feedback_id=answer.id,
                          about_staff_id=answer.staff_id, visit_id=answer.visit_id,
                          opened_at=answer.updated_at)
    session.add(complaint)
    session.flush()
    session.add(ComplaintStep(complaint_id=id_of(complaint), status=ComplaintStatus.OPEN,
                              note="", at=complaint.opened_at))
    session.flush()
    return complaint


def alert_message(session: Session, complaint: Complaint, answer: Feedback,
                  event_id: int | None) -> dict:
    """A managers' live alert: a customer rated a visit low (JSON)."""
    names = staff.staff_names(session, staff_ids=[answer.staff_id])
    customer = customers.audit_labels(session, [answer.customer_id])
    return {
        "type": "feedback_alert", "complaint_id": complaint.id,
        "customer_id": answer.customer_id, "customer_name": customer.get(answer.customer_id),
        "visit_id": answer.visit_id, "event_id": event_id,
        "visit_rating": answer.visit_rating, "staff_rating": answer.staff_rating,
        "staff_id": answer.staff_id, "staff_name": names.get(answer.staff_id),
        "comment": answer.comment, "at": answer.updated_at.isoformat(),
    }


def _announce(session: Session, hub: LocalHub, complaint: Complaint, answer: Feedback,
              event_id: int | None) -> None:
    message = alert_message(session, complaint, answer, event_id)
    on_commit(session, partial(hub.publish, MANAGER_ALERTS, message))
    if event_id is not None:
        on_commit(session, partial(hub.publish, event_channel(event_id), message))
