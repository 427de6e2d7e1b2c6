"""What customers' ratings say, per staff member and per week, with the comments.

Every figure comes with its number of answers: an average of 5.0 from two answers is not
the same news as one from two hundred. Weeks are ISO weeks in the venue's time."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from kiosk_server.core.calendar import LocalMonth, Span
from kiosk_server.core.errors import forbidden
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback.models import (
    Feedback,
    RatingComment,
    RatingFigure,
    RatingsReport,
    StaffRatings,
)
from kiosk_server.staff import service as staff
from kiosk_server.staff.models import Role
from kiosk_server.staff.service import Principal

MAX_COMMENTS = 200


def _figure(ratings: Iterable[int | None]) -> RatingFigure:
    given = [rating for rating in ratings if rating is not None]
    average = round(sum(given) / len(given), 2) if given else None
    return RatingFigure(average=average, answers=len(given))


def iso_week(moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def ratings_report(session: Session, *, staff_id: int | None, weeks: int, zone: ZoneInfo,
                   with_customers: bool, now: datetime | None = None) -> RatingsReport:
    """Ratings of the last `weeks` weeks, of one staff member or of everyone (answers
    about a visit nobody is named for count under no one)."""
    since = (now or utcnow()) - timedelta(weeks=weeks)
    statement = (select(Feedback).where(col(Feedback.answered_at) >= since)
                 .order_by(col(Feedback.answered_at).desc(), col(Feedback.id).desc()))
    if staff_id is not None:
        statement = statement.where(col(Feedback.staff_id) == staff_id)
    answers = list(session.scalars(statement))
    names = staff.staff_names(session, staff_ids=[a.staff_id for a in answers])
    by_staff: dict[int | None, list[Feedback]] = defaultdict(list)
    by_week: dict[tuple[int | None, str], list[Feedback]] = defaultdict(list)
    for answer in answers:
        by_staff[answer.staff_id].append(answer)
        by_week[(answer.staff_id, iso_week(answer.answered_at, zone))].append(answer)

    def figures(person: int | None, week: str | None, group: list[Feedback]) -> StaffRatings:
        return StaffRatings(staff_id=person, staff_name=names.get(person) if person else None,
                            week=week, visit=_figure(a.visit_rating for a in group),
                            staff=_figure(a.staff_rating for a in group))

    per_staff = sorted((figures(person, None, group) for person, group in by_staff.items()),
                       key=lambda row: (row.staff_name is None, row.staff_name or ""))
    per_week = sorted((figures(person, week, group)
                       for (person, week), group in by_week.items()),
                      key=lambda row: (row.staff_name or "", row.staff_id or 0))
    per_week.sort(key=lambda row: row.week or "", reverse=True)
    commented = [a for a in answers if a.comment][:MAX_COMMENTS]
    customer_names = (customers.audit_labels(session, sorted({a.customer_id for a in commented}))
                      if with_customers else {})
    comments = [RatingComment(
        answered_at=a.answered_at, staff_id=a.staff_id, staff_name=names.get(a.staff_id),
        customer_name=customer_names.get(a.customer_id), visit_rating=a.visit_rating,
        staff_rating=a.staff_rating, comment=a.comment) for a in commented]
    return RatingsReport(since=since, per_staff=per_staff, per_week=per_week, comments=comments)


def visible_staff_id(caller: Principal, asked: int | None) -> int | None:
    """Whose ratings the caller may read: an admin anyone's (None: everyone's), a staff
    member their own only (403 for someone else's)."""
    if caller.role is Role.ADMIN:
        return asked
    if asked is not None and asked != caller.staff_id:
        raise forbidden("Bạn chỉ xem được đánh giá của chính mình.",
                        "You may only see your own ratings.")
    return caller.staff_id


def monthly_staff_ratings(session: Session, *, span: Span
                          ) -> list[tuple[int, int, str, float, int]]:
    """Per month of the span and staff member rated: (month number, staff id, their name,
    average staff rating, answers), answers naming nobody left out, in one aggregate
    query."""
    month = LocalMonth(col(Feedback.answered_at), span.offset())
    statement = (select(month, col(Feedback.staff_id), func.avg(col(Feedback.staff_rating)),
                        func.count(col(Feedback.staff_rating)))
                 .where(col(Feedback.answered_at) >= span.start,
                        col(Feedback.answered_at) < span.end,
                        col(Feedback.staff_id).is_not(None),
                        col(Feedback.staff_rating).is_not(None))
                 .group_by(month, col(Feedback.staff_id)).order_by(month, col(Feedback.staff_id)))
    found = session.execute(statement).all()
    names = staff.staff_names(session, staff_ids=[row[1] for row in found])
    return [(int(m), person, names.get(person, f"#{person}"), round(float(average), 2), answers)
            for m, person, average, answers in found]
