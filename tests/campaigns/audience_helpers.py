"""A small shop planted straight into its tables for the segment tests: six customers whose
tiers, statuses, events, sign-up days, spend, tags, consents and cases are known, so each
rule's answer is a set of names."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count

from kiosk_server.calls.models import Case, CaseSource, Group
from kiosk_server.checkin.models import Checkin
from kiosk_server.core.db import id_of
from kiosk_server.core.types import Language, utcnow
from kiosk_server.customers.models import (
    ConsentChange,
    ConsentSource,
    Customer,
    Visit,
    VisitKind,
)
from kiosk_server.events.models import Event, Invitation, InvitationStatus
from kiosk_server.loyalty.models import Purchase
from kiosk_server.messaging.models import Channel, Purpose
from kiosk_server.retention.models import CustomerStatus, Reason, Status

_serials = count(1)


@dataclass
class Shop:
    ids: dict[str, int]  # by first name
    event_ids: list[int]  # [E1, E2]
    now: datetime

    def named(self, *names: str) -> list[int]:
        return sorted(self.ids[name] for name in names)

    def names(self, customer_ids: list[int]) -> set[str]:
        by_id = {customer_id: name for name, customer_id in self.ids.items()}
        return {by_id[customer_id] for customer_id in customer_ids}


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0
         ) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _customer(session, name: str, **fields) -> int:
    customer = Customer(full_name=name, name_folded=name.lower(), **fields)
    session.add(customer)
    session.flush()
    return id_of(customer)


def _event(session, name: str, now: datetime) -> int:
    event = Event(name=name, starts_at=now, ends_at=now + timedelta(hours=2),
                  checkin_opens_at=now - timedelta(hours=1),
                  checkin_closes_at=now + timedelta(hours=2))
    session.add(event)
    session.flush()
    return id_of(event)


def _invite(session, event_id: int, customer_id: int,
            status: InvitationStatus = InvitationStatus.ACTIVE) -> int:
    invitation = Invitation(event_id=event_id, customer_id=customer_id,
                            serial=f"S{next(_serials):09d}", status=status)
    session.add(invitation)
    session.flush()
    return id_of(invitation)


def _buy(session, customer_id: int, amount: int, at: datetime, voided: bool = False) -> None:
    session.add(Purchase(customer_id=customer_id, amount_vnd=amount, points=0,
                         request_id=f"r{next(_serials)}", occurred_at=at,
                         voided_at=at if voided else None))


def _status(session, customer_id: int, status: Status, p_alive: float | None) -> None:
    session.add(CustomerStatus(customer_id=customer_id, status=status,
                               reason=Reason.ON_RHYTHM, visit_count=3, p_alive=p_alive))


def _consent(session, customer_id: int, channel: Channel, granted: bool, at: datetime) -> None:
    session.add(ConsentChange(customer_id=customer_id, channel=channel,
                              purpose=Purpose.MARKETING, granted=granted,
                              source=ConsentSource.STAFF, occurred_at=at))


def plant(db) -> Shop:
    """An (gold, active, came to E1, vip, reachable, English), Bình (silver, at risk,
    invited to E1 and absent, cafe, unsubscribed by e-mail), Chi (member, lapsed, a visit
    of E1, no e-mail), Dũng (erased, and in the hold-out), Em (member, watch, in the
    call list's hold-out, no e-mail), Giang (silver by exactly 5,000,000, new, invited to E2
    and absent, vip and cafe, never agreed to e-mail)."""
    now = utcnow()
    with db.session() as session:
        ids = {
            "An": _customer(session, "An", email="an@example.com", phone="+84912000001",
                            consent_email=True, consent_sms=True, tags=["vip"],
                            language=Language.EN, created_at=_utc(2026, 1, 10, 3)),
            # 23:59:59 on 28/02 in Hà Nội (UTC+7)
            "Bình": _customer(session, "Bình", email="binh@example.com", tags=["cafe"],
                              created_at=_utc(2026, 2, 28, 16, 59, 59)),
            # 00:00 on 01/03 in Hà Nội
            "Chi": _customer(session, "Chi", consent_email=True,
                             created_at=_utc(2026, 2, 28, 17)),
            "Dũng": _customer(session, "", erased_at=now, created_at=_utc(2025, 6, 1, 0)),
            # 23:59 on 31/03 in Hà Nội
            "Em": _customer(session, "Em", consent_email=True,
                            created_at=_utc(2026, 3, 31, 16, 59)),
            # 00:00 on 01/04 in Hà Nội
            "Giang": _customer(session, "Giang", email="giang@example.com", consent_sms=True,
                               tags=["vip", "cafe"], created_at=_utc(2026, 3, 31, 17)),
        }
        first, second = _event(session, "Hội thảo", now), _event(session, "Tiệc cuối năm", now)
        an, binh, chi, dung, em, giang = ids.values()
        checkin = Checkin(event_id=first, invitation_id=_invite(session, first, an),
                          customer_id=an, checked_in_at=now)
        session.add(checkin)
        _invite(session, first, binh)
        session.add(Visit(customer_id=chi, kind=VisitKind.EVENT, event_id=first,
                          occurred_at=now - timedelta(days=3)))
        _invite(session, first, dung, InvitationStatus.CANCELLED)
        _invite(session, second, giang)
        _buy(session, an, 25_000_000, now - timedelta(days=10))
        _buy(session, binh, 6_000_000, now - timedelta(days=100))
        _buy(session, chi, 6_000_000, now - timedelta(days=400))
        _buy(session, chi, 30_000_000, now - timedelta(days=5), voided=True)
        _buy(session, em, 4_999_999, now - timedelta(days=1))
        _buy(session, giang, 5_000_000, now - timedelta(days=2))
        _status(session, an, Status.ACTIVE, 0.9)
        _status(session, binh, Status.AT_RISK, 0.3)
        _status(session, chi, Status.LAPSED, 0.05)
        _status(session, em, Status.WATCH, None)
        _status(session, giang, Status.NEW, 0.5)
        _consent(session, binh, Channel.EMAIL, True, now - timedelta(days=60))
        _consent(session, binh, Channel.EMAIL, False, now - timedelta(days=6))
        _consent(session, giang, Channel.SMS, True, now - timedelta(days=6))
        session.add(Case(customer_id=em, group=Group.HOLD_OUT, source=CaseSource.STATUS))
        session.add(Case(customer_id=dung, group=Group.HOLD_OUT, source=CaseSource.STATUS))
        session.add(Case(customer_id=an, group=Group.CONTACT, source=CaseSource.STATUS))
    return Shop(ids=ids, event_ids=[first, second], now=now)


def local_day(moment: datetime, days: int = 0) -> str:
    """The day in Hà Nội (UTC+7, no summer time) of `moment`, moved by `days`."""
    local: date = (moment + timedelta(hours=7)).date() + timedelta(days=days)
    return local.isoformat()
