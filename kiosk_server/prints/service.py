"""Cards, invitations and badges as images, and batches of them for an event.

Rendering never runs inside a check-in: a single image is made on its own request
(and cached), a batch in a process of its own (`runner`)."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from badges import export, layouts, qr
from badges.brand import Brand
from kiosk_server.cards import service as cards
from kiosk_server.checkin import service as checkin
from kiosk_server.core.config import Settings
from kiosk_server.core.db import id_of, on_commit
from kiosk_server.core.errors import DomainError, forbidden, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Customer, is_vip
from kiosk_server.events import service as events
from kiosk_server.events.models import Event, Invitation, InvitationStatus
from kiosk_server.events.service import when_text
from kiosk_server.feedback import service as feedback
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty import service as loyalty
from kiosk_server.prints.erasure import lock_event
from kiosk_server.prints.models import Export, ExportKind, ExportPublic, ExportStatus
from kiosk_server.prints.render import Batch, Guest, badge, invitation, labels
from kiosk_server.prints.runner import ExportRunner, worker_name

_FILE_EXTENSIONS = {"pdf": ".pdf", "zip": ".zip"}


def brand_of(settings: Settings) -> Brand:
    """The installation's brand: its name, colours and logo (`KIOSK_BRAND_*`)."""
    logo_path = settings.brand_logo
    return _brand(settings.business_name, settings.brand_primary, settings.brand_accent,
                  str(logo_path) if logo_path else None)


@lru_cache(maxsize=4)
def _brand(name: str, primary: str, accent: str, logo_path: str | None) -> Brand:
    logo = Path(logo_path).read_bytes() if logo_path else None
    return Brand(name=name, primary=primary, accent=accent, logo=logo)


def card_link(public_url: str, token: str) -> str:
    """What a membership card's QR holds: the link to the customer's own card page."""
    return token_link(public_url, token, "c")


# --------------------------------------------------------------------------- single images

@lru_cache(maxsize=512)
def _card_png(link: str, name: str, member_number: str, tier: str, brand: Brand,
              language: str) -> bytes:
    return export.png_bytes(layouts.membership_card(
        token=link, name=name, member_number=member_number, tier=tier, brand=brand,
        labels=labels(language)), dpi=layouts.DPI)


def member_number(customer_id: int) -> str:
    return f"{customer_id:06d}"


def _tier(session: Session, customer_id: int, settings: Settings) -> str:
    return loyalty.status(session, customer_id=customer_id, settings=settings).tier


def _card_link(settings: Settings, signer: TokenSigner, serial: str) -> str:
    return card_link(settings.public_url, signer.sign(TokenKind.CARD, serial))


def card_png(session: Session, *, customer_id: int, signer: TokenSigner, settings: Settings,
             language: str) -> bytes:
    """The customer's active membership card, 1011 x 638 px PNG (85.6 x 54 mm at 300 dpi)."""
    card = cards.get_active_card(session, customer_id=customer_id)
    customer = customers.get_customer(session, customer_id=customer_id)
    return _card_png(_card_link(settings, signer, card.serial), customer.full_name,
                     member_number(customer_id), _tier(session, customer_id, settings),
                     brand_of(settings),
                     language)


def _no_such_card() -> DomainError:
    return not_found("thẻ thành viên", "Membership card", code="card_not_found")


def _active_card(session: Session, *, code: str, signer: TokenSigner) -> tuple[int, str]:
    """The customer and serial of the active card `code` is (a customer's own card page);
    else 404."""
    serial = signer.serial_of(code, TokenKind.CARD)
    if serial is None:
        raise _no_such_card()
    holder = cards.card_holder(session, serial=serial)
    if holder is None or not holder.active:
        raise _no_such_card()
    return holder.customer_id, serial


@dataclass(frozen=True)
class OwnCoupon:
    """A coupon its holder can use, as their card page shows it: its QR is theirs to show
    at the till, as the card's is (the page's link is the credential)."""

    benefit: str
    expires_at: datetime
    code: str
    qr_png: str


@dataclass(frozen=True)
class OwnCard:
    """What a customer's own card page shows: read-only, nothing that reaches further (no
    phone, e-mail, visits or spend)."""

    name: str
    member_number: str
    tier: str
    link: str
    points: int
    coupons: tuple[OwnCoupon, ...]
    as_of: datetime


def own_card(session: Session, *, code: str, signer: TokenSigner, settings: Settings
             ) -> OwnCard:
    """The card page of an active card's code: its holder's name, tier, points balance and
    the coupons they can use now (404 for a code that is not, or no longer, one)."""
    customer_id, serial = _active_card(session, code=code, signer=signer)
    customer = customers.get_customer(session, customer_id=customer_id)
    standing = loyalty.status(session, customer_id=customer_id, settings=settings)
    held = tuple(OwnCoupon(coupon.benefit, coupon.expires_at, coupon.code,
                           export.png_data_url(_qr_png(coupon.code)))
                 for coupon in coupons.held_by(session, customer_id=customer_id, signer=signer))
    return OwnCard(customer.full_name, member_number(customer_id), standing.tier,
                   _card_link(settings, signer, serial), standing.points, held, utcnow())


@lru_cache(maxsize=256)
def _qr_png(text: str) -> bytes:
    return export.png_bytes(qr.qr_image(text, module_size=12))


def card_qr_png(session: Session, *, code: str, signer: TokenSigner, settings: Settings
                ) -> bytes:
    """The QR of an active card alone (its own page shows it large)."""
    _, serial = _active_card(session, code=code, signer=signer)
    return _qr_png(_card_link(settings, signer, serial))


def feedback_qr_png(session: Session, *, purchase_id: int, signer: TokenSigner,
                    settings: Settings) -> bytes:
    """The QR of a purchase's feedback link, for the receipt screen."""
    purchase = loyalty.get_purchase(session, purchase_id=purchase_id)
    serial = feedback.serial_for_visit(session, visit_id=purchase.visit_id)
    if serial is None:
        raise not_found("liên kết góp ý", "Feedback link", code="feedback_not_found")
    return _qr_png(feedback.link_of(serial, signer=signer, public_url=settings.public_url).url)


def coupon_qr_png(session: Session, *, coupon_id: int, signer: TokenSigner) -> bytes:
    """A coupon's QR, to show on a phone or print."""
    return _qr_png(coupons.to_public(coupons.get(session, coupon_id=coupon_id), signer).code)


def _guest(invitation: Invitation, customer: Customer, signer: TokenSigner) -> Guest:
    """A guest as the layouts take them: their invitation's code, name, VIP or not."""
    return Guest(signer.sign(TokenKind.INVITATION, invitation.serial), customer.full_name,
                 is_vip(customer.tags))


def _event_guest(session: Session, *, event_id: int, invitation_id: int, signer: TokenSigner
                 ) -> tuple[Event, Guest]:
    event = events.get_event(session, event_id=event_id)
    invitation = events.get_invitation(session, event_id=event_id, invitation_id=invitation_id)
    customer = customers.get_customer(session, customer_id=invitation.customer_id)
    return event, _guest(invitation, customer, signer)


@lru_cache(maxsize=256)
def _badge_png(guest: Guest, event_name: str, brand: Brand, language: str) -> bytes:
    return export.png_bytes(badge(guest, event_name=event_name, brand=brand, language=language),
                            dpi=layouts.DPI)


@lru_cache(maxsize=256)
def _invitation_png(guest: Guest, event_name: str, when: str, venue: str, brand: Brand,
                    language: str, email: bool) -> bytes:
    return export.png_bytes(invitation(guest, event_name=event_name, when=when, venue=venue,
                                       brand=brand, language=language, email=email))


def badge_png(session: Session, *, event_id: int, invitation_id: int, signer: TokenSigner,
              settings: Settings, language: str, device_id: int | None = None) -> bytes:
    """The guest's name badge, A6 PNG at 300 dpi, carrying their invitation's QR. For a
    kiosk (`device_id`), only the badge of a guest it has just checked in: a lost tablet
    must not hand out the guest list with working invitation codes."""
    if device_id is not None and not checkin.admitted_recently(
            session, invitation_id=invitation_id, device_id=device_id):
        raise forbidden("Kiosk chỉ in được thẻ tên của khách vừa check-in tại đây.",
                        "A kiosk may print only the badge of a guest it has just checked in.")
    event, guest = _event_guest(session, event_id=event_id, invitation_id=invitation_id,
                                signer=signer)
    return _badge_png(guest, event.name, brand_of(settings), language)


def invitation_png(session: Session, *, event_id: int, invitation_id: int,
                   signer: TokenSigner, settings: Settings, language: str, email: bool
                   ) -> bytes:
    """The guest's invitation: for a phone (1080 x 1920) or an e-mail (600 px wide)."""
    event, guest = _event_guest(session, event_id=event_id, invitation_id=invitation_id,
                                signer=signer)
    return _invitation_png(guest, event.name, when_text(event, settings.zone, language),
                           event.venue, brand_of(settings), language, email)


# --------------------------------------------------------------------------- batches

def _guests(session: Session, *, event_id: int, signer: TokenSigner) -> tuple[Guest, ...]:
    """Every guest with an active invitation, by name (the order of a welcome desk)."""
    invitations = [i for i in events.invitations_of_event(session, event_id=event_id)
                   if i.status is InvitationStatus.ACTIVE]
    people = customers.get_customers(session, customer_ids=[i.customer_id for i in invitations])
    guests = [(people[i.customer_id], i) for i in invitations]
    guests.sort(key=lambda pair: (pair[0].name_folded, pair[0].id))
    return tuple(_guest(invitation, customer, signer) for customer, invitation in guests)


def start_export(session: Session, *, event_id: int, kind: ExportKind, created_by: int | None,
                 runner: ExportRunner, signer: TokenSigner, settings: Settings,
                 language: str) -> Export:
    """Queue a batch of the event's badges or invitations; it is made once this
    transaction commits, in a process of its own."""
    event = events.get_event(session, event_id=event_id)
    lock_event(session, event_id=event_id, shared=True)  # an erasure's names are gone first
    guests = _guests(session, event_id=event_id, signer=signer)
    row = Export(event_id=event_id, kind=kind, total=len(guests), created_by=created_by,
                 worker=worker_name())
    session.add(row)
    session.flush()
    output = "zip" if kind.value.endswith("_zip") else "pdf"
    row.file_name = f"{kind.value}-event-{event_id}-{row.id}{_FILE_EXTENSIONS[output]}"
    batch = Batch(kind=kind.value, guests=guests, event_name=event.name,
                  when=when_text(event, settings.zone, language), venue=event.venue,
                  brand=brand_of(settings), path=str(runner.directory / row.file_name),
                  language=language)
    export_id = id_of(row)
    on_commit(session, lambda: runner.start(export_id, batch))
    return row


def get_export(session: Session, *, export_id: int) -> Export:
    row = session.get(Export, export_id)
    if row is None:
        raise not_found("tệp xuất", "Export", code="export_not_found")
    return row


def list_exports(session: Session, *, event_id: int, limit: int = 20) -> list[Export]:
    events.get_event(session, event_id=event_id)
    return list(session.scalars(select(Export).where(col(Export.event_id) == event_id)
                                .order_by(col(Export.id).desc()).limit(limit)))


def export_file(session: Session, *, export_id: int, runner: ExportRunner) -> Path:
    """The finished file of an export (404 until it is done; 410 once withdrawn, because a
    guest's data was erased)."""
    row = get_export(session, export_id=export_id)
    if row.status is ExportStatus.WITHDRAWN:
        raise DomainError(
            "export_withdrawn",
            "Tệp này được tạo trước khi dữ liệu của một khách mời bị xoá nên đã bị xoá. "
            "Hãy tạo lại.",
            "This file was made before a guest's data was erased, so it was deleted. "
            "Make it again.", status=410)
    path = runner.directory / (row.file_name or "")
    if row.status is not ExportStatus.DONE or not path.is_file():
        raise not_found("tệp xuất", "Export file", code="export_not_ready")
    return path


def to_public(row: Export) -> ExportPublic:
    return ExportPublic(
        id=id_of(row), event_id=row.event_id, kind=row.kind, status=row.status, done=row.done,
        total=row.total, error=row.error, created_at=row.created_at,
        finished_at=row.finished_at,
        download=(f"/api/v1/exports/{row.id}/file" if row.status is ExportStatus.DONE
                  else None),
    )


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Exports by their event's name (for the audit log)."""
    rows = list(session.execute(select(col(Export.id), col(Export.event_id))
                                .where(col(Export.id).in_(ids))))
    names = events.audit_labels(session, sorted({event_id for _, event_id in rows}))
    return {export_id: names[event_id] for export_id, event_id in rows if event_id in names}
