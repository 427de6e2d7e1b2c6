"""Feedback links for visits, and complaints about how a customer was served."""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, or_, select, update
from sqlmodel import Session, col

from kiosk_server.core.db import Executor, Prepared, id_of, prepared_insert, table_of
from kiosk_server.core.errors import conflict, invalid, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.feedback.models import (
    Complaint,
    ComplaintChange,
    ComplaintCreate,
    ComplaintPublic,
    ComplaintStatus,
    ComplaintStep,
    ComplaintStepPublic,
    Feedback,
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


def link_for_visit(session: Session, *, customer_id: int, visit_id: int, signer: TokenSigner,
                   public_url: str) -> FeedbackLink:
    """The feedback link of one of the customer's visits of any kind, issued now if it was
    not before (an event's check-in gets none at the gate: the check-in stays one insert
    lighter; a follow-up asks for it). Who served it is the visit's staff member."""
    visit = customers.visit_of(session, customer_id=customer_id, visit_id=visit_id)
    serial = request_feedback(session, customer_id=customer_id, visit_id=visit_id,
                              staff_id=visit.staff_id)
    return link_of(serial, signer=signer, public_url=public_url)


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
    session.add(ComplaintStep(complaint_id=id_of(complaint), status=ComplaintStatus.OPEN,
                              at=complaint.opened_at, by=opened_by))
    return complaint


def resolve_complaint(session: Session, *, complaint_id: int, resolution: str,
                      by: int | None) -> Complaint:
    """Close a complaint with what was done; resolving it again changes nothing."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise _no_such_complaint()
    if complaint.status is ComplaintStatus.RESOLVED:
        return complaint
    change = ComplaintChange(status=ComplaintStatus.RESOLVED, note=resolution)
    if _moved(session, complaint_id=complaint_id, change=change, by=by):
        return _reloaded(session, complaint_id)
    complaint = _reloaded(session, complaint_id)
    if complaint.status is not ComplaintStatus.RESOLVED:  # pragma: no cover - no other way back
        raise _refused(complaint.status, change.status)
    return complaint  # resolved at the same moment by someone else


# Which statuses a complaint may come to each status from: forward only; resolved is final.
_MAY_COME_FROM = {
    ComplaintStatus.CONTACTED: (ComplaintStatus.OPEN,),
    ComplaintStatus.RESOLVED: (ComplaintStatus.OPEN, ComplaintStatus.CONTACTED),
}
_STATUS_VI = {ComplaintStatus.OPEN: "mới", ComplaintStatus.CONTACTED: "đã liên hệ",
              ComplaintStatus.RESOLVED: "đã giải quyết"}
_STATUS_EN = {ComplaintStatus.OPEN: "open", ComplaintStatus.CONTACTED: "contacted",
              ComplaintStatus.RESOLVED: "resolved"}


def _refused(current: ComplaintStatus, wanted: ComplaintStatus):
    return conflict("complaint_status_refused",
                    f"Khiếu nại này đang ở trạng thái «{_STATUS_VI[current]}», không thể "
                    f"chuyển sang «{_STATUS_VI[wanted]}».",
                    f"This complaint is {_STATUS_EN[current]}; it cannot become "
                    f"{_STATUS_EN[wanted]}.", field="status")


def _moved(session: Session, *, complaint_id: int, change: ComplaintChange,
           by: int | None) -> bool:
    """Move the complaint to `change.status` if it may go there from where it is now, and
    record the step. One statement decides: of two changes made at the same moment, the
    second finds the status already changed and does nothing."""
    values: dict = {"status": change.status}
    now = utcnow()
    if change.status is ComplaintStatus.RESOLVED:
        values |= {"resolved_at": now, "resolved_by": by, "resolution": change.note.strip()}
    moved = cast(CursorResult, session.execute(
        update(Complaint).where(col(Complaint.id) == complaint_id,
                                col(Complaint.status).in_(_MAY_COME_FROM[change.status]))
        .values(**values).execution_options(synchronize_session=False))).rowcount
    if moved:
        session.add(ComplaintStep(complaint_id=complaint_id, status=change.status,
                                  note=change.note.strip(), at=now, by=by))
        session.flush()
    return bool(moved)


def _reloaded(session: Session, complaint_id: int) -> Complaint:
    complaint = session.scalars(select(Complaint).where(col(Complaint.id) == complaint_id)
                                .execution_options(populate_existing=True)).first()
    if complaint is None:
        raise _no_such_complaint()
    return complaint


def change_status(session: Session, *, complaint_id: int, change: ComplaintChange,
                  by: int | None) -> Complaint:
    """Move a complaint forward (open → contacted → resolved, or open → resolved) with an
    optional note; 409 for any other move, or when someone else moved it first."""
    if change.status not in _MAY_COME_FROM:
        raise invalid("complaint_status_invalid",
                      "Chỉ có thể chuyển khiếu nại sang «đã liên hệ» hoặc «đã giải quyết».",
                      "A complaint can only become contacted or resolved.", field="status")
    if not _moved(session, complaint_id=complaint_id, change=change, by=by):
        raise _refused(_reloaded(session, complaint_id).status, change.status)
    return _reloaded(session, complaint_id)


def complaint_queue(db: Executor, *, status: ComplaintStatus | None, before: int | None,
                    limit: int = 50) -> list[Any]:
    """Complaints of every customer, newest first, of one status or all; records of the
    complaints table's columns."""
    statement = select(*table_of(Complaint).c).order_by(col(Complaint.id).desc()).limit(limit)
    if status is not None:
        statement = statement.where(col(Complaint.status) == status)
    if before is not None:
        statement = statement.where(col(Complaint.id) < before)
    return list(db.execute(statement))


def get_complaint(session: Session, *, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise _no_such_complaint()
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
    they are about and who took them, the customer's name, the ratings of a complaint that
    came from the feedback page, and each change of status."""
    ids = [id_of(c) for c in complaints]
    steps = _steps_of(db, ids)
    names = staff.staff_names(db, staff_ids=[
        person for c in complaints for person in (c.about_staff_id, c.opened_by)]
        + [step.by for of_one in steps.values() for step in of_one])
    customer_names = customers.audit_labels(
        db, sorted({c.customer_id for c in complaints}))  # type: ignore[arg-type]
    ratings = _ratings_of(db, [c.feedback_id for c in complaints if c.feedback_id])
    return [ComplaintPublic(
        id=id_of(c), customer_id=c.customer_id, customer_name=customer_names.get(c.customer_id),
        text=c.text, status=c.status, source=c.source,
        visit_rating=ratings.get(c.feedback_id, (None, None))[0],
        staff_rating=ratings.get(c.feedback_id, (None, None))[1],
        about_staff_id=c.about_staff_id,
        about_staff_name=names.get(c.about_staff_id), visit_id=c.visit_id,
        opened_at=c.opened_at, opened_by=c.opened_by, opened_by_name=names.get(c.opened_by),
        resolved_at=c.resolved_at, resolved_by=c.resolved_by, resolution=c.resolution,
        steps=[ComplaintStepPublic(status=step.status, note=step.note, at=step.at, by=step.by,
                                   by_name=names.get(step.by)) for step in steps.get(id_of(c), [])],
    ) for c in complaints]


def _steps_of(db: Executor, complaint_ids: list[int]) -> dict[int, list[Any]]:
    if not complaint_ids:
        return {}
    found: dict[int, list[Any]] = {}
    for step in db.execute(select(*table_of(ComplaintStep).c)
                           .where(col(ComplaintStep.complaint_id).in_(complaint_ids))
                           .order_by(col(ComplaintStep.id))):
        found.setdefault(step.complaint_id, []).append(step)
    return found


def _ratings_of(db: Executor,
                feedback_ids: list[int]) -> dict[int | None, tuple[int | None, int | None]]:
    if not feedback_ids:
        return {}
    return {row.id: (row.visit_rating, row.staff_rating) for row in db.execute(
        select(col(Feedback.id), col(Feedback.visit_rating), col(Feedback.staff_rating))
        .where(col(Feedback.id).in_(feedback_ids)))}


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Complaints by their customer's full name (for the audit log)."""
    return customers.owner_labels(session, session.execute(
        select(col(Complaint.id), col(Complaint.customer_id))
        .where(col(Complaint.id).in_(ids))))

