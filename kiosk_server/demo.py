"""The demo: an admin, a seminar open now with 500 invited Vietnamese guests (20 of them
VIPs), a kiosk device; for the till, a rewards catalogue and a member (the sample card's
holder) with purchases, points and a coupon."""

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.cards import service as cards
from kiosk_server.checkin import service as checkin
from kiosk_server.core.config import Settings
from kiosk_server.core.db import id_of
from kiosk_server.core.signing import TokenKind, TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import VIP_TAG, ConsentSource, CustomerCreate
from kiosk_server.events import service as events
from kiosk_server.events.models import Event, EventCreate, EventUpdate
from kiosk_server.loyalty import coupons, rewards
from kiosk_server.loyalty import service as loyalty
from kiosk_server.loyalty.models import CouponCreate, PurchaseCreate, RewardCreate
from kiosk_server.staff import service as staff
from kiosk_server.staff.models import Role, StaffCreate

DEMO_EVENT_NAME = "Hội thảo khách hàng thân thiết 2026"
DEMO_ADMIN = "admin"
DEMO_GUESTS = 500

# Family names weighted roughly as they are spread in Vietnam.
_FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
           ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
           ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Trương", 1), ("Đinh", 1), ("Lâm", 1)]
_MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Gia", "Công", "Hoàng", "Tuấn"]
_MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim", "Bích", "Thùy", "Phương", "Hồng"]
_GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang",
               "Khánh", "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn",
               "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Đức", "Toàn", "Lộc"]
_GIVEN_FEMALE = ["Anh", "Châu", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
                 "Lan", "Linh", "Loan", "Mai", "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương",
                 "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trinh", "Uyên", "Vân", "Vy", "Yến"]
_MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035",
                    "036", "037", "038", "039", "070", "076", "077", "078", "079", "081", "082",
                    "083", "084", "085", "086", "088"]


@dataclass
class DemoLogin:
    username: str
    password: str
    event_id: int
    device_token: str
    sample_invitation_code: str
    sample_card_code: str


def vietnamese_people(count: int, seed: int = 2026) -> list[tuple[str, str]]:
    """`count` distinct (full name, mobile number) pairs that look like real Vietnamese ones."""
    rng = random.Random(seed)
    families = [name for name, _ in _FAMILY]
    weights = [weight for _, weight in _FAMILY]
    people: list[tuple[str, str]] = []
    phones: set[str] = set()
    while len(people) < count:
        female = rng.random() < 0.5
        middle = rng.choice(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
        given = rng.choice(_GIVEN_FEMALE if female else _GIVEN_MALE)
        phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if phone in phones:
            continue
        phones.add(phone)
        people.append((f"{rng.choices(families, weights)[0]} {middle} {given}", phone))
    return people


def _demo_event(session: Session) -> Event:
    now = utcnow()
    times: dict[str, Any] = dict(
        starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=4),
        checkin_opens_at=now - timedelta(minutes=5), checkin_closes_at=now + timedelta(hours=4))
    existing = session.scalars(select(Event).where(col(Event.name) == DEMO_EVENT_NAME)).first()
    if existing is not None:
        return events.update_event(session, event_id=id_of(existing), data=EventUpdate(**times))
    return events.create_event(session, data=EventCreate(
        name=DEMO_EVENT_NAME, venue="Trung tâm Hội nghị White Palace, TP. Hồ Chí Minh",
        capacity=600, allow_walk_in=True, **times,
    ))


_DEMO_REWARDS = [("Cà phê sữa đá", 30), ("Bánh mì pa-tê", 50), ("Cốc giữ nhiệt", 400)]
_DEMO_SALES = [(1_250_000, "Cà phê hạt Arabica 1 kg"), (2_100_000, "Máy xay cà phê cầm tay"),
               (850_000, "Bộ phin nhôm, 2 hộp trà")]


def _demo_till(session: Session, *, customer_id: int, admin_id: int, settings: Settings,
               signer: TokenSigner) -> None:
    """Rewards to redeem, and a member 800,000 VND short of the silver tier, with a coupon."""
    if not rewards.list_rewards(session, active_only=False):
        for name, cost in _DEMO_REWARDS:
            rewards.create_reward(session, data=RewardCreate(name=name, points_cost=cost))
    if not loyalty.purchases_of(session, customer_id=customer_id, limit=1):
        till = loyalty.Till(staff_id=admin_id, settings=settings, signer=signer)
        for n, (amount, items) in enumerate(_DEMO_SALES):
            sale = PurchaseCreate(amount_vnd=amount, items=items, request_id=f"demo-{n}")
            loyalty.record_purchase(session, customer_id=customer_id, data=sale, till=till)
        coupons.issue(session, customer_id=customer_id, issued_by=admin_id,
                      data=CouponCreate(benefit="Giảm 10% hóa đơn", valid_days=30))


@dataclass(frozen=True)
class AdminPassword:
    """The demo admin's new password and its hash, made before the demo's transaction."""

    text: str
    hash: staff.PasswordHash


def new_admin_password() -> AdminPassword:
    """A new random password for the demo admin (hashed here, outside any transaction)."""
    text = secrets.token_urlsafe(9)
    return AdminPassword(text, staff.hash_password(text))


def create_or_refresh(session: Session, *, signer: TokenSigner, settings: Settings,
                      password: AdminPassword) -> DemoLogin:
    """Make the demo, or bring it back to a fresh state (window open now, the admin's
    password `password`, from `new_admin_password`)."""
    admin = staff.get_staff_by_username(session, username=DEMO_ADMIN)
    if admin is None:
        admin = staff.create_staff(session, data=StaffCreate(
            username=DEMO_ADMIN, full_name="Quản trị viên", role=Role.ADMIN,
            password=password.text), password_hash=password.hash)
    else:
        admin.password_hash = password.hash.value
        session.add(admin)
    event = _demo_event(session)
    guest_ids = []
    for n, (name, phone) in enumerate(vietnamese_people(DEMO_GUESTS)):
        # One guest in 25 is a VIP (the sample invitation's guest among them): the
        # monitor announces them when they arrive.
        customer = customers.find_by_phone(session, phone=phone) or customers.create_customer(
            session, data=CustomerCreate(full_name=name, phone=phone, consent_email=True,
                                         tags=[VIP_TAG] if n % 25 == 1 else []),
            by=ConsentBy(ConsentSource.IMPORT))
        guest_ids.append(id_of(customer))
    invitations = events.invite(session, event_id=id_of(event), customer_ids=guest_ids)
    card = cards.active_card(session, customer_id=guest_ids[0]) or cards.issue_card(
        session, customer_id=guest_ids[0])
    _demo_till(session, customer_id=guest_ids[0], admin_id=id_of(admin), settings=settings,
               signer=signer)
    _, device_token = checkin.register_device(
        session, event_id=id_of(event), name="Kiosk cổng A", gate="A", created_by=admin.id
    )
    return DemoLogin(
        username=DEMO_ADMIN, password=password.text, event_id=id_of(event),
        device_token=device_token,
        sample_invitation_code=signer.sign(TokenKind.INVITATION, invitations[1].serial),
        sample_card_code=signer.sign(TokenKind.CARD, card.serial),
    )
