"""What higher domains do when a customer answers for a visit, registered at start-up
(main.py): feedback sits below loyalty, so it cannot issue a coupon itself, and asks
whoever was registered instead."""

from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from kiosk_server.core.signing import TokenSigner
from kiosk_server.feedback.models import ThankYouCoupon


@dataclass(frozen=True)
class ThanksAsked:
    """A first answer for a visit, to be thanked with a coupon for the next visit."""

    request_id: int  # the visit's feedback request: one coupon per request
    customer_id: int
    benefit: str
    valid_days: int


class ThanksGiver(Protocol):
    def give(self, session: Session, asked: ThanksAsked, signer: TokenSigner) -> ThankYouCoupon:
        """The coupon for this answer, issued in the caller's transaction (the one issued
        before, if there is one: never two for one visit)."""
        ...

    def given(self, session: Session, request_id: int, signer: TokenSigner
              ) -> ThankYouCoupon | None:
        """The coupon issued for this request's answer, if one was."""
        ...


@dataclass(frozen=True)
class AnswerHooks:
    """Called after an answer is saved, in its transaction."""

    thanks: ThanksGiver | None = None
