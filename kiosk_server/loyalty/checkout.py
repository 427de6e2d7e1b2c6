"""The till's view of a customer: found by their card's QR (or by search), everything
about them on one panel, and new customers signed up with a card on the spot."""

from html import escape

from sqlalchemy import select
from sqlmodel import Session, col

from badges import export, qr
from kiosk_server.cards import service as cards
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Executor, Prepared, id_of, id_slots
from kiosk_server.core.errors import DomainError, invalid
from kiosk_server.core.signing import TokenKind, TokenSigner, token_link
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, Customer, CustomerCreate, VisitKind
from kiosk_server.events import service as events
from kiosk_server.feedback import service as feedback
from kiosk_server.loyalty import coupons, rewards, service
from kiosk_server.loyalty.models import (
    CardMail,
    CheckoutPanel,
    CounterSignup,
    CounterSignupResult,
    HistoryEntry,
    Purchase,
)
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import Channel, Purpose
from kiosk_server.staff import service as staff

RECENT_VISITS = 20


# The sales behind a list of visits (see `_history`).
_SALES = Prepared(select(col(Purchase.id), col(Purchase.amount_vnd), col(Purchase.items),
                         col(Purchase.voided_at))
                  .where(col(Purchase.id).in_(id_slots())))


def _history(db: Executor, *, customer_id: int) -> list[HistoryEntry]:
    """The latest visits of every kind with what they were and who served them."""
    visits = customers.recent_visits(db, customer_id=customer_id, limit=RECENT_VISITS)
    sales = {row[0]: row for row in _SALES.rows_for_ids(
        db, [v.source_id for v in visits if v.kind is VisitKind.PURCHASE])}
    names = staff.staff_names(db, staff_ids=[v.staff_id for v in visits])
    event_names = events.event_names(db, event_ids=[v.event_id for v in visits])
    entries = []
    for visit in visits:
        sale = sales.get(visit.source_id) if visit.kind is VisitKind.PURCHASE else None
        purchase_id, amount, items, voided_at = sale or (None, None, None, None)
        entries.append(HistoryEntry(
            id=visit.id, kind=visit.kind, occurred_at=visit.occurred_at,
            staff_id=visit.staff_id, staff_name=names.get(visit.staff_id),
            event_id=visit.event_id, event_name=event_names.get(visit.event_id),
            gate=visit.gate, purchase_id=purchase_id, amount_vnd=amount, items=items,
            voided=voided_at is not None))
    return entries


def panel(db: Executor, *, customer_id: int, settings: Settings, signer: TokenSigner
          ) -> CheckoutPanel:
    """Everything the till shows about a customer; refused (`customer_erased`) for a
    customer whose data was erased: the till no longer serves them."""
    found = _panel(db, customer_id=customer_id, settings=settings, signer=signer)
    if found.customer.erased_at is not None:
        raise customers.erased_error()
    return found


def _panel(db: Executor, *, customer_id: int, settings: Settings, signer: TokenSigner
           ) -> CheckoutPanel:
    """Everything the till shows about a customer. Each part is one compiled statement
    (`Prepared`): the till asks for this on every scan."""
    customer = customers.public_customer(db, customer_id=customer_id)
    return CheckoutPanel(
        customer=customer,
        card_code=cards.active_card_code(db, customer_id=customer_id, signer=signer),
        visit_number=customer.visit_count + 1,
        loyalty=service.status(db, customer_id=customer_id, settings=settings),
        recent_visits=_history(db, customer_id=customer_id),
        coupons=coupons.held_by(db, customer_id=customer_id, signer=signer),
        complaints=feedback.to_public(db, feedback.complaints_of(
            db, customer_id=customer_id, open_only=True)),
        rewards=rewards.list_rewards(db),
    )


def _not_a_card() -> DomainError:
    return invalid("not_a_card", "Mã này không phải thẻ thành viên hay thư mời.",
                   "This code is not a membership card or an invitation.", field="code")


def _revoked() -> DomainError:
    return DomainError("card_revoked", "Thẻ này đã bị thu hồi.", "This card was revoked.",
                       status=404, field="code")


def customer_of_code(db: Executor, *, code: str, signer: TokenSigner) -> int:
    """Whose card (or event invitation) a scanned code is. A forged code is refused
    before any lookup; a card replaced by a newer one, or revoked (its holder's data was
    erased), is refused with that reason."""
    token = signer.verify(code)
    if token is None:
        raise invalid("code_forged", "Mã QR không hợp lệ (không phải của cửa hàng, hoặc bị sửa).",
                      "This QR code is not valid (not ours, or altered).", field="code")
    if token.kind is TokenKind.CARD:
        holder = cards.card_holder(db, serial=token.serial)
        if holder is None:
            raise DomainError("card_not_found", "Không tìm thấy thẻ này.", "Card not found.",
                              status=404, field="code")
        if not holder.active:
            if cards.active_card_code(db, customer_id=holder.customer_id,
                                      signer=signer) is None:
                raise _revoked()
            raise DomainError("card_replaced", "Thẻ này đã được thay bằng thẻ mới.",
                              "This card was replaced by a newer one.", status=404,
                              field="code")
        return holder.customer_id
    if token.kind is TokenKind.INVITATION:
        found = events.find_pass_by_serial(db, serial=token.serial)
        if found is None:
            raise DomainError("invitation_not_found", "Không tìm thấy thư mời này.",
                              "Invitation not found.", status=404, field="code")
        return found.customer_id
    raise _not_a_card()


def lookup(db: Executor, *, code: str, settings: Settings, signer: TokenSigner
           ) -> CheckoutPanel:
    found = _panel(db, customer_id=customer_of_code(db, code=code, signer=signer),
                   settings=settings, signer=signer)
    if found.customer.erased_at is not None:  # an invitation of theirs, kept for the records
        raise _revoked()
    return found


def _card_mail(*, name: str, business: str, link: str) -> tuple[str, str, str]:
    """Subject, text and HTML of the mail that brings a new member their card."""
    subject = f"Thẻ thành viên {business} của {name} / Your {business} membership card"
    text = (f"Xin chào {name},\n\nCảm ơn bạn đã trở thành thành viên của {business}. "
            f"Thẻ thành viên của bạn: {link}\nMở liên kết và thêm vào màn hình chính; "
            f"đưa mã QR khi thanh toán để tích điểm.\n\n"
            f"Hello {name},\n\nWelcome to {business}. Your membership card: {link}\n"
            f"Show its QR code at the till to earn points.\n")
    html = (f"<p>Xin chào {escape(name)},</p><p>Cảm ơn bạn đã trở thành thành viên của "
            f"{escape(business)}. Đưa mã QR này khi thanh toán để tích điểm:</p>"
            f'<p><img src="cid:card-qr" alt="QR" width="240" height="240"></p>'
            f'<p><a href="{escape(link)}">Mở thẻ thành viên / Open your card</a></p>'
            f"<p>Hello {escape(name)}, welcome to {escape(business)}. Show this QR code at "
            f"the till to earn points.</p>")
    return subject, text, html


def mail_card(session: Session, customer: Customer, *, link: str, settings: Settings
              ) -> CardMail:
    """Queue a new member's card (its link, and its QR inline) to their e-mail address, if
    they gave one: a card they asked for is a service message, sent whatever their
    marketing consent."""
    if not customer.email:
        return CardMail.NO_ADDRESS
    subject, text, html = _card_mail(name=customer.full_name, business=settings.business_name,
                                     link=link)
    contact.send(session, customer, contact.Content(
        subject=subject, text=text, html=html,
        images={"card-qr": export.png_bytes(qr.qr_image(link, 8))}),
        purpose=Purpose.SERVICE, channel=Channel.EMAIL)
    return CardMail.QUEUED if messaging.sends_mail(settings) else CardMail.WAITING


def sign_up(session: Session, *, data: CounterSignup, settings: Settings,
            signer: TokenSigner, staff_id: int | None = None) -> CounterSignupResult:
    """A new customer at the counter: their record and card in one go, and, when they gave
    an e-mail address, their card mailed to them (queued with the sign-up, sent once it is
    saved by the mail server, if one is set up: `card_mail` says which)."""
    customer = customers.create_customer(session, data=CustomerCreate(
        full_name=data.full_name, phone=data.phone, email=data.email,
        consent_email=data.consent_email, consent_sms=data.consent_sms,
        preferred_channel=data.preferred_channel, language=data.language),
        by=ConsentBy(ConsentSource.TILL, staff_id))
    card = cards.issue_card(session, customer_id=id_of(customer))
    code = signer.sign(TokenKind.CARD, card.serial)
    link = token_link(settings.public_url, code, "c")
    mail = mail_card(session, customer, link=link, settings=settings)
    return CounterSignupResult(
        panel=panel(session, customer_id=id_of(customer), settings=settings, signer=signer),
        card_code=code, card_url=link, mail_queued=mail is not CardMail.NO_ADDRESS,
        card_mail=mail)
