"""Feedback links for visits, and complaints about how a customer was served."""

from sqlalchemy import select
from sqlmodel import Session

from kiosk_server.core.db import flush_unique
from kiosk_server.core.errors import conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback.models import (
    Complaint,
    ComplaintCreate,
    ComplaintPublic,
    FeedbackLink,
    FeedbackRequest,
)
from kiosk_server.staff import service as staff


def request_feedback(session: Session, *, customer_id: int, visit_id: int,
                     staff_id: int | None) -> FeedbackRequest:
    """A feedback token for this visit (the same one if it was issued before)."""
    issued = find_for_visit(session, visit_id=visit_id)
    if issued is not None:
        return issued
    request = request_for_new_visit(session, customer_id=customer_id, visit_id=visit_id,
                                    staff_id=staff_id)
    flush_unique(session, conflict("feedback_in_flight", "Đang tạo mã góp ý, hãy thử lại.",
                                   "A feedback link is being made for this visit; try again."))
    return request


def request_for_new_visit(session: Session, *, customer_id: int, visit_id: int,
                          staff_id: int | None) -> FeedbackRequest:
    """A feedback token for a visit recorded in this transaction (none can exist yet)."""
    request = FeedbackRequest(serial=new_serial(), customer_id=customer_id, visit_id=visit_id,
                              staff_id=staff_id)
    session.add(request)
    return request


def find_for_visit(session: Session, *, visit_id: int | None) -> FeedbackRequest | None:
    return session.scalars(select(FeedbackRequest)
                           .where(FeedbackRequest.visit_id == visit_id)).first()


def link_of(request: FeedbackRequest, *, signer: TokenSigner, public_url: str) -> FeedbackLink:
    code = signer.sign(TokenKind.FEEDBACK, request.serial)
    return FeedbackLink(code=code, url=token_link(public_url, code, "f"))


def _no_such_complaint():
    return not_found("khiếu nại", "Complaint", code="complaint_not_found")


def open_complaint(session: Session, *, customer_id: int, data: ComplaintCreate,
                   opened_by: int | None) -> Complaint:
    customers.get_customer(session, customer_id=customer_id)
    if data.visit_id is not None:
        customers.visit_of(session, customer_id=customer_id, visit_id=data.visit_id)
    if data.about_staff_id is not None:
        staff.get_staff(session, staff_id=data.about_staff_id)
    complaint = Complaint(customer_id=customer_id, text=data.text,
                          about_staff_id=data.about_staff_id, visit_id=data.visit_id,
                          opened_by=opened_by)
    session.add(complaint)
    session.flush()
    return complaint


def resolve_complaint(session: Session, *, complaint_id: int, resolution: str,
                      by: int | None) -> Complaint:
    """Close a complaint with what was done; resolving it again changes nothing."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise _no_such_complaint()
    if complaint.resolved_at is None:
        complaint.resolved_at = utcnow()
        complaint.resolved_by = by
        complaint.resolution = resolution
        session.add(complaint)
    return complaint


def complaints_of(session: Session, *, customer_id: int, open_only: bool = False,
                  limit: int = 50) -> list[Complaint]:
    query = select(Complaint).where(Complaint.customer_id == customer_id)
    if open_only:
        query = query.where(Complaint.resolved_at.is_(None))
    return list(session.scalars(query.order_by(Complaint.id.desc()).limit(limit)))


def to_public(session: Session, complaints: list[Complaint]) -> list[ComplaintPublic]:
    """Complaints with the names of the staff they are about and who took them."""
    names = staff.staff_names(session, staff_ids=[
        person for c in complaints for person in (c.about_staff_id, c.opened_by)])
    return [ComplaintPublic(**c.model_dump(), about_staff_name=names.get(c.about_staff_id),
                            opened_by_name=names.get(c.opened_by)) for c in complaints]
