"""A customer's feedback and complaints in their export, and what erasure leaves of them:
ratings as anonymous figures (they still count in the staff's averages), no words."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from kiosk_server.core.types import utcnow
from kiosk_server.feedback.models import Complaint, ComplaintStep, Feedback, FeedbackRequest

Rows = list[dict[str, Any]]


def rows_of(session: Session, model: Any, fields: tuple[str, ...], *where: Any) -> Rows:
    """`fields` of `model`'s rows that match `where`, by id, as dicts (an export's part)."""
    statement = select(*(getattr(model, name) for name in fields)).where(*where)
    return [dict(zip(fields, row, strict=True))
            for row in session.execute(statement.order_by(model.id))]


def export_rows(session: Session, *, customer_id: int) -> dict[str, Rows]:
    """The customer's answers to feedback links, their complaints and each step the shop
    took on them, with its note (their export)."""
    complaint_ids = select(col(Complaint.id)).where(col(Complaint.customer_id) == customer_id)
    return {
        "feedback": rows_of(session, Feedback, ("id", "visit_id", "visit_rating", "staff_rating",
                                              "comment", "answered_at", "updated_at"),
                          col(Feedback.customer_id) == customer_id),
        "complaints": rows_of(session, Complaint, ("id", "opened_at", "source", "text", "status",
                                                 "resolved_at", "resolution"),
                            col(Complaint.customer_id) == customer_id),
        "complaint_answers": rows_of(session, ComplaintStep,
                                   ("complaint_id", "at", "status", "note"),
                                   col(ComplaintStep.complaint_id).in_(complaint_ids)),
    }


def forget(session: Session, *, customer_id: int, now: datetime | None = None) -> list[int]:
    """Erasure: the customer's feedback links stop working, the words of their answers and
    complaints (and the shop's notes on them) are blanked; ratings and statuses stay.
    Returns the ids of their complaints."""
    now = now or utcnow()
    for statement in (
        update(FeedbackRequest).where(col(FeedbackRequest.customer_id) == customer_id,
                                      col(FeedbackRequest.revoked_at).is_(None))
        .values(revoked_at=now),
        update(Feedback).where(col(Feedback.customer_id) == customer_id).values(comment=""),
        update(ComplaintStep).where(col(ComplaintStep.complaint_id).in_(
            select(col(Complaint.id)).where(col(Complaint.customer_id) == customer_id)))
        .values(note=""),
        update(Complaint).where(col(Complaint.customer_id) == customer_id)
        .values(text="", resolution=""),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    return list(session.scalars(select(col(Complaint.id))
                                .where(col(Complaint.customer_id) == customer_id)))
