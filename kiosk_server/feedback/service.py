"""Feedback links for visits, and complaints about how a customer was served."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, id_of, prepared_insert, table_of
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


def request_feedback(db: Executor, *, customer_id: int, visit_id: int,
                     staff_id: int | None) -> str:
    """The serial of the feedback token for this visit (the same one if it was issued
    before)."""
    issued = serial_for_visit(db, visit_id=visit_id)
    if issued is not None:
        return issued
    return request_for_new_visit(db, customer_id=customer_id, visit_id=visit_id,
                                 staff_id=staff_id)


_ADD_REQUEST = prepared_insert(
    FeedbackRequest, ["serial", "customer_id", "visit_id", "staff_id", "issued_at"],
    ignore_conflicts=True, returning=(FeedbackRequest.id,))


def request_for_new_visit(db: Executor, *, customer_id: int, visit_id: int,
                          staff_id: int | None) -> str:
    """A feedback token for a visit (normally one recorded in this transaction); its
    serial. One visit has one token: if another request issued it at the same moment,
    that one."""
    serial = new_serial()
    if _ADD_REQUEST.scalar(db, {"serial": serial, "customer_id": customer_id,
                                "visit_id": visit_id, "staff_id": staff_id,
                                "issued_at": utcnow()}) is not None:
        return serial
    issued = serial_for_visit(db, visit_id=visit_id)
    if issued is None:
        raise conflict("feedback_in_flight", "Đang tạo mã góp ý, hãy thử lại.",
                       "A feedback link is being made for this visit; try again.")
    return issued


_SERIAL_OF_VISIT = Prepared(select(col(FeedbackRequest.serial))
                            .where(col(FeedbackRequest.visit_id) == bindparam("visit_id")))


def serial_for_visit(db: Executor, *, visit_id: int | None) -> str | None:
    """The serial of the visit's feedback token, if one was issued."""
    return _SERIAL_OF_VISIT.scalar(db, {"visit_id": visit_id}) if visit_id is not None else None


def link_of(serial: str, *, signer: TokenSigner, public_url: str) -> FeedbackLink:
    """The feedback token with this serial, and its link."""
    code = signer.sign(TokenKind.FEEDBACK, serial)
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


_COMPLAINTS = Prepared(
    select(*table_of(Complaint).c)
    .where(col(Complaint.customer_id) == bindparam("customer_id"),
           or_(col(Complaint.resolved_at).is_(None), bindparam("resolved_too")))
    .order_by(col(Complaint.id).desc()).limit(bindparam("limit")))


def complaints_of(db: Executor, *, customer_id: int, open_only: bool = False,
                  limit: int = 50) -> list[Any]:
    """The customer's complaints, newest first: records of the complaints table's columns."""
    return _COMPLAINTS.records(db, {"customer_id": customer_id, "resolved_too": not open_only,
                                    "limit": limit})


def to_public(db: Executor, complaints: Sequence[Complaint | Any]) -> list[ComplaintPublic]:
    """Complaints (Complaint rows or records of their columns) with the names of the staff
    they are about and who took them."""
    names = staff.staff_names(db, staff_ids=[
        person for c in complaints for person in (c.about_staff_id, c.opened_by)])
    return [ComplaintPublic(
        id=id_of(c), customer_id=c.customer_id, text=c.text, about_staff_id=c.about_staff_id,
        about_staff_name=names.get(c.about_staff_id), visit_id=c.visit_id,
        opened_at=c.opened_at, opened_by=c.opened_by, opened_by_name=names.get(c.opened_by),
        resolved_at=c.resolved_at, resolved_by=c.resolved_by, resolution=c.resolution,
    ) for c in complaints]


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Complaints by their customer's full name (for the audit log)."""
    return customers.owner_labels(session, session.execute(
        select(col(Complaint.id), col(Complaint.customer_id))
        .where(col(Complaint.id).in_(ids))))
