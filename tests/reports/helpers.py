"""A shop's planted history for the charts' tests: customers, visits, sales and ratings
written straight into the tables at chosen local times."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from kiosk_server.core.text import fold
from kiosk_server.core.types import utcnow
from kiosk_server.customers.models import Customer, Visit, VisitKind
from kiosk_server.feedback.models import Feedback, FeedbackRequest
from kiosk_server.loyalty.models import Purchase

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7: 23:30 UTC on a Sunday is Monday 06:30 there


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time in the shop, in UTC."""
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


class Shop:
    """Rows written straight into the tables: customers, their visits, sales, ratings."""

    def __init__(self, db):
        self.db = db
        self.serial = 0

    def customer(self, name: str, added: datetime | None = None) -> int:
        with self.db.session() as session:
            row = Customer(full_name=name, name_folded=fold(name), created_at=added or utcnow())
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

    def visit(self, customer_id: int, when: datetime, *, sale: int = 0,
              staff_id: int | None = None, rated: int | None = None,
              voided: bool = False) -> None:
        with self.db.session() as session:
            visit = Visit(customer_id=customer_id, kind=VisitKind.PURCHASE if sale
                          else VisitKind.EVENT, occurred_at=when, staff_id=staff_id)
            session.add(visit)
            session.flush()
            assert visit.id is not None
            if sale:
                self.serial += 1
                session.add(Purchase(customer_id=customer_id, amount_vnd=sale, points=0,
                                     request_id=f"r{self.serial}", occurred_at=when,
                                     visit_id=visit.id, voided_at=when if voided else None))
            if rated is not None:
                self.serial += 1
                request = FeedbackRequest(serial=f"s{self.serial}", customer_id=customer_id,
                                          visit_id=visit.id, staff_id=staff_id, issued_at=when)
                session.add(request)
                session.flush()
                assert request.id is not None
                session.add(Feedback(request_id=request.id, visit_id=visit.id,
                                     customer_id=customer_id, staff_id=staff_id,
                                     visit_rating=5, staff_rating=rated, answered_at=when))
