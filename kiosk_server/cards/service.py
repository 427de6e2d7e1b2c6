"""Issue, reissue and look up membership cards."""

from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlmodel import Session, col

from kiosk_server.cards.models import Card, CardHolder, CardPublic
from kiosk_server.core.db import Executor, Prepared, flush_unique, id_of
from kiosk_server.core.errors import conflict, not_found
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from kiosk_server.customers import service as customers


def to_public(card: Card, signer: TokenSigner) -> CardPublic:
    return CardPublic(
        id=id_of(card), customer_id=card.customer_id,
        code=signer.sign(TokenKind.CARD, card.serial),
        issued_at=card.issued_at, revoked_at=card.revoked_at,
    )


def issue_card(session: Session, *, customer_id: int) -> Card:
    """Give the customer a new card; their previous card, if any, stops working."""
    customers.get_live_customer(session, customer_id=customer_id)
    revoke_of(session, customer_id=customer_id)
    card = Card(customer_id=customer_id, serial=new_serial(), active_customer_id=customer_id)
    session.add(card)
    # The clash happens only when another request issued a card at the same moment.
    flush_unique(session, conflict(
        "card_issue_conflict", "Thẻ vừa được cấp ở nơi khác, hãy thử lại.",
        "A card was issued at the same moment; try again.",
    ))
    return card


def revoke_of(session: Session, *, customer_id: int) -> None:
    """The customer's active card, if any, stops working (a scan of it is refused)."""
    session.execute(
        update(Card)
        .where(col(Card.active_customer_id) == customer_id)
        .values(active_customer_id=None, revoked_at=utcnow())
    )


def export_rows(session: Session, *, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """The customer's cards, current and past (their export)."""
    return {"cards": [
        {"id": card.id, "serial": card.serial, "issued_at": card.issued_at,
         "revoked_at": card.revoked_at, "active": card.active_customer_id is not None}
        for card in session.scalars(select(Card).where(col(Card.customer_id) == customer_id)
                                    .order_by(col(Card.id)))]}


def active_card(session: Session, *, customer_id: int) -> Card | None:
    return session.scalars(
        select(Card).where(col(Card.active_customer_id) == customer_id)).first()


_ACTIVE_SERIAL = Prepared(select(col(Card.serial)).where(
    col(Card.active_customer_id) == bindparam("customer_id")))


def active_card_code(db: Executor, *, customer_id: int, signer: TokenSigner) -> str | None:
    """The QR text of the customer's active card, if they have one."""
    serial = _ACTIVE_SERIAL.scalar(db, {"customer_id": customer_id})
    return signer.sign(TokenKind.CARD, serial) if serial is not None else None


def get_active_card(session: Session, *, customer_id: int) -> Card:
    card = active_card(session, customer_id=customer_id)
    if card is None:
        raise not_found("thẻ thành viên", "Membership card", code="card_not_found")
    return card


_HOLDER = Prepared(select(col(Card.customer_id), col(Card.active_customer_id).is_not(None)).where(
    col(Card.serial) == bindparam("serial")
))


def card_holder(db: Executor, *, serial: str) -> CardHolder | None:
    """Whose card a card token names, and whether that card is still their active one."""
    row = _HOLDER.first(db, {"serial": serial})
    return CardHolder(*row) if row is not None else None


def serials_of_holders(db: Executor, *, customer_ids: Select | list[int]
                       ) -> list[tuple[int, str, bool]]:
    """Every card of these customers (a list, or a query of their ids), replaced ones
    included: (customer id, serial, whether it is their active card)."""
    return [(customer_id, serial, active) for customer_id, serial, active in db.execute(
        select(col(Card.customer_id), col(Card.serial), col(Card.active_customer_id).is_not(None))
        .where(col(Card.customer_id).in_(customer_ids)).order_by(col(Card.id)))]


def audit_labels(session: Session, ids: list[int]) -> dict[int, str]:
    """Cards by their holder's full name (for the audit log)."""
    return customers.owner_labels(session, session.execute(
        select(col(Card.id), col(Card.customer_id)).where(col(Card.id).in_(ids))))
