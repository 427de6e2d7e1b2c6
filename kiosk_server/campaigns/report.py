"""What a campaign did: who it reached, what became of each message, the coupons used and
their sales, and whether the people it was sent to came back more than the random hold-out
that was sent nothing.

The comparison is of the whole groups as drawn (everyone in the send group, whether their
message went out or failed, against everyone held out): the draw made the two groups
alike, so any difference in how many came back is what the campaign caused. Leaving out
the failed ones would compare a chosen group against a random one. A customer came back
when they have a visit (a check-in, or a sale not voided) in the `return_days` after the
campaign started; before those days are over the figures are those so far, and the report
says how many days are left. The difference and its 95 % interval are `core/stats.py`'s,
the same as the call list's proof, with the same `too_few` rule.

Every figure is an aggregate statement over the campaign's recipients (a handful in all,
whatever their number); only the per-recipient CSV reads one row per recipient.
"""

import math
import re
from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, exists, func, not_, or_, select, type_coerce
from sqlmodel import Session, SQLModel, col

from kiosk_server.campaigns import service
from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    LeftOut,
    RecipientGroup,
)
from kiosk_server.core.db import table_of
from kiosk_server.core.spreadsheet import shop_time
from kiosk_server.core.stats import Share, Verdict, compare
from kiosk_server.core.text import YES_NO, Words, say
from kiosk_server.customers.models import Customer, Visit, VisitKind
from kiosk_server.loyalty.coupons import state_of
from kiosk_server.loyalty.models import Coupon, CouponStatus, Purchase
from kiosk_server.messaging.models import DeliveryState, MessageStatus, OutboxMessage
from kiosk_server.messaging.service import UNKNOWN_AFTER

DAY = timedelta(days=1)
ERRORS_SHOWN = 5  # the most frequent texts of one kind of failure


# ------------------------------------------------------------------------------ failures

class FailureReason(StrEnum):
    """What a failed message's error says, in short (its text is kept as well)."""

    ADDRESS_REFUSED = "address_refused"  # no such address or mailbox, or a bad number
    MAILBOX_FULL = "mailbox_full"
    BLOCKED = "blocked"  # refused as spam or by the receiving server's policy
    SERVER_UNREACHABLE = "server_unreachable"  # our mail server or gateway did not answer
    OTHER = "other"


# Tried in this order: "550 5.7.1 ... policy" is a block, not a refused address.
_FAILURE_PATTERNS = [(reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in (
    (FailureReason.MAILBOX_FULL, r"\b[45]\.2\.2\b|\b[45]52\b|mailbox (is )?full|over ?quota|"
                                 r"quota exceeded|insufficient (system )?storage"),
    (FailureReason.BLOCKED, r"\b5\.7\.\d+\b|spam|blocked|black ?list|block ?list|policy|"
                            r"dmarc|\bspf\b|reputation"),
    (FailureReason.ADDRESS_REFUSED, r"\b5\.1\.\d+\b|\b55[013]\b|user unknown|unknown user|"
                                    r"no such (user|mailbox|recipient)|does not exist|"
                                    r"address rejected|mailbox unavailable|"
                                    r"invalid (recipient|address|phone|number)"),
    (FailureReason.SERVER_UNREACHABLE, r"connect|timed? ?out|timeout|unreachable|refused|"
                                       r"name or service not known|getaddrinfo|network"),
)]


def failure_reason(error: str) -> FailureReason:
    """The kind of failure an outbox error names (SMTP answers, connection errors, the
    phone gateway's HTTP answers)."""
    for reason, pattern in _FAILURE_PATTERNS:
        if pattern.search(error):
            return reason
    return FailureReason.OTHER


# ------------------------------------------------------------------------------ the report

class LeftOutCount(SQLModel):
    reason: LeftOut
    count: int


class Delivery(SQLModel):
    """The send group's messages: where each stands."""

    sent: int
    failed: int
    unknown: int  # the sender died while sending it: it may or may not have gone
    pending: int  # waiting to go: queued, held by a pause, being sent, or not yet written
    cancelled: int  # withdrawn before it went (the recipient's data was erased)


class ErrorCount(SQLModel):
    text: str  # as the mail server or gateway said it
    count: int


class FailureGroup(SQLModel):
    reason: FailureReason
    count: int
    errors: list[ErrorCount]  # the most frequent texts, at most 5


class CouponFigures(SQLModel):
    issued: int
    redeemed: int  # used at the till
    sales: int  # the sales they were used with, not voided
    sales_vnd: int  # those sales' total


class ReturnGroup(SQLModel):
    customers: int
    returned: int  # came back (a visit or a sale) within the days counted
    rate: float | None


class Returns(SQLModel):
    """The send group against the hold-out: how many came back after the start."""

    days: int  # a return within this many days of the start counts
    since: datetime
    until: datetime  # the end of those days
    days_left: int  # before `until` (0: the figures are final)
    sent_group: ReturnGroup
    hold_out: ReturnGroup
    difference: float | None  # the send group's rate minus the hold-out's
    lower: float | None  # its 95 % interval (Newcombe's hybrid score method)
    upper: float | None
    verdict: Verdict
    too_few: bool  # too few people, returns or non-returns in a group to tell


class CampaignReport(SQLModel):
    campaign_id: int
    name: str
    state: CampaignState
    started_at: datetime | None
    hold_out_pct: int
    recipients: int  # the send group
    hold_out: int  # drawn at random, sent nothing
    left_out: list[LeftOutCount]  # matched, but not to be sent anything, by reason
    delivery: Delivery
    failures: list[FailureGroup]  # the failed messages by reason, the largest first
    unsubscribed: int  # recipients who withdrew by this campaign's link
    coupons: CouponFigures
    returns: Returns | None  # None before the campaign starts
    as_of: datetime


def campaign_of(session: Session, campaign_id: int) -> Campaign:
    return service.get_campaign(session, campaign_id=campaign_id)


def _of(campaign_id: int) -> Any:
    return col(CampaignRecipient.campaign_id) == campaign_id


def _returned(since: datetime, until: datetime) -> Any:
    """True for a recipient who came back in (since, until]: a check-in, or a sale not
    voided (a sale's visit stays when it is voided, so it is read from the sale)."""
    customer = col(CampaignRecipient.customer_id)
    voided = exists().where(col(Purchase.id) == col(Visit.source_id),
                            col(Purchase.voided_at).is_not(None))
    visit = exists().where(
        col(Visit.customer_id) == customer, col(Visit.occurred_at) > since,
        col(Visit.occurred_at) <= until,
        not_(and_(col(Visit.kind) == VisitKind.PURCHASE, voided)))
    sale = exists().where(
        col(Purchase.customer_id) == customer, col(Purchase.occurred_at) > since,
        col(Purchase.occurred_at) <= until, col(Purchase.voided_at).is_(None))
    return or_(visit, sale)


def _delivery_state(now: datetime) -> Any:
    """The outbox status as an admin sees it (a long `sending` is `unknown`), in SQL."""
    return case((and_(col(OutboxMessage.status) == MessageStatus.SENDING,
                      col(OutboxMessage.claimed_at) < now - UNKNOWN_AFTER),
                 DeliveryState.UNKNOWN.value),
                else_=type_coerce(col(OutboxMessage.status), String))


def _groups(session: Session, campaign_id: int) -> tuple[Counter[Any], int, int]:
    """Recipients by (group, left-out reason); the unsubscribed; coupons issued."""
    rows = session.execute(
        select(col(CampaignRecipient.group), col(CampaignRecipient.left_out), func.count(),
               func.count(col(CampaignRecipient.unsubscribed_at)),
               func.count(col(CampaignRecipient.coupon_id)))
        .where(_of(campaign_id))
        .group_by(col(CampaignRecipient.group), col(CampaignRecipient.left_out))).all()
    counts: Counter[Any] = Counter({(group, reason): count for group, reason, count, _, _ in rows})
    return counts, sum(row[3] for row in rows), sum(row[4] for row in rows)


def _delivery(session: Session, campaign_id: int, now: datetime) -> Delivery:
    state = _delivery_state(now)
    found: Counter[str] = Counter()
    for status, count in session.execute(
            select(state, func.count()).select_from(CampaignRecipient)
            .outerjoin(OutboxMessage,
                       col(OutboxMessage.id) == col(CampaignRecipient.outbox_id))
            .where(_of(campaign_id), col(CampaignRecipient.group) == RecipientGroup.SEND)
            .group_by(state)):
        found[_state_name(status)] += count
    return Delivery(sent=found["sent"], failed=found["failed"], unknown=found["unknown"],
                    cancelled=found["cancelled"],
                    pending=found["pending"] + found["held"] + found["sending"] + found[""])


def _state_name(status: str | None) -> str:
    """A delivery state as `_delivery_state` gives it ("" for no message written yet)."""
    return status or ""


def _failures(session: Session, campaign_id: int) -> list[FailureGroup]:
    by_reason: dict[FailureReason, Counter[str]] = {}
    for error, count in session.execute(
            select(col(OutboxMessage.last_error), func.count()).select_from(CampaignRecipient)
            .join(OutboxMessage, col(OutboxMessage.id) == col(CampaignRecipient.outbox_id))
            .where(_of(campaign_id), col(OutboxMessage.status) == MessageStatus.FAILED)
            .group_by(col(OutboxMessage.last_error))):
        by_reason.setdefault(failure_reason(error), Counter())[error] += count
    groups = [FailureGroup(reason=reason, count=sum(texts.values()),
                           errors=[ErrorCount(text=text, count=count)
                                   for text, count in texts.most_common(ERRORS_SHOWN)])
              for reason, texts in by_reason.items()]
    return sorted(groups, key=lambda group: (-group.count, group.reason.value))


def _coupons(session: Session, campaign_id: int, issued: int) -> CouponFigures:
    redeemed, sales, total = session.execute(
        select(func.count(col(Coupon.used_at)), func.count(col(Purchase.id)),
               func.coalesce(func.sum(col(Purchase.amount_vnd)), 0))
        .select_from(CampaignRecipient)
        .join(Coupon, col(Coupon.id) == col(CampaignRecipient.coupon_id))
        .outerjoin(Purchase, and_(col(Purchase.id) == col(Coupon.used_purchase_id),
                                  col(Purchase.voided_at).is_(None)))
        .where(_of(campaign_id))).one()
    return CouponFigures(issued=issued, redeemed=redeemed, sales=sales, sales_vnd=int(total))


def _returns(session: Session, campaign: Campaign, now: datetime) -> Returns | None:
    if campaign.started_at is None or campaign.id is None:
        return None
    since = campaign.started_at
    until = since + timedelta(days=campaign.return_days)
    returned = _returned(since, until)
    shares = {group: Share(0, 0) for group in (RecipientGroup.SEND, RecipientGroup.HOLD_OUT)}
    for group, count, came_back in session.execute(
            select(col(CampaignRecipient.group), func.count(),
                   func.coalesce(func.sum(case((returned, 1), else_=0)), 0))
            .where(_of(campaign.id), col(CampaignRecipient.group).in_(list(shares)))
            .group_by(col(CampaignRecipient.group))):
        shares[group] = Share(int(came_back), count)
    sent, held = shares[RecipientGroup.SEND], shares[RecipientGroup.HOLD_OUT]
    found = compare(sent, held)
    return Returns(
        days=campaign.return_days, since=since, until=until,
        days_left=max(0, math.ceil((until - now) / DAY)),
        sent_group=ReturnGroup(customers=sent.out_of, returned=sent.came_back, rate=sent.rate),
        hold_out=ReturnGroup(customers=held.out_of, returned=held.came_back, rate=held.rate),
        difference=found.difference, lower=found.lower, upper=found.upper,
        verdict=found.verdict, too_few=found.verdict is Verdict.TOO_FEW)


def report(session: Session, campaign_id: int, *, now: datetime) -> CampaignReport:
    """The campaign's figures as of `now` (404 for no such campaign)."""
    campaign = campaign_of(session, campaign_id)
    groups, unsubscribed, issued = _groups(session, campaign_id)
    return CampaignReport(
        campaign_id=campaign_id, name=campaign.name, state=campaign.state,
        started_at=campaign.started_at, hold_out_pct=campaign.hold_out_pct,
        recipients=groups[RecipientGroup.SEND, None],
        hold_out=groups[RecipientGroup.HOLD_OUT, None],
        left_out=[LeftOutCount(reason=reason, count=groups[RecipientGroup.LEFT_OUT, reason])
                  for reason in LeftOut if groups[RecipientGroup.LEFT_OUT, reason]],
        delivery=_delivery(session, campaign_id, now),
        failures=_failures(session, campaign_id), unsubscribed=unsubscribed,
        coupons=_coupons(session, campaign_id, issued),
        returns=_returns(session, campaign, now), as_of=now)


# ------------------------------------------------------------------------ one row each

class _CouponDates(NamedTuple):
    """What a coupon's state is read from (`coupons.state_of`)."""

    used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime


RECIPIENT_COLUMNS: list[Words] = [
    ("Khách", "Customer"), ("Gửi đến", "Sent to"), ("Nhóm", "Group"),
    ("Vì sao không gửi", "Why left out"), ("Tin nhắn", "Message"),
    ("Lỗi máy chủ thư báo", "The server's error"), ("Huỷ nhận tin lúc", "Unsubscribed at"),
    ("Phiếu ưu đãi", "Coupon"), ("Dùng phiếu lúc", "Redeemed at"),
    ("Lần mua dùng phiếu (₫)", "Sale with the coupon (₫)"),
    ("Quay lại trong thời gian theo dõi", "Came back within the window"),
]
_GROUPS: dict[str, Words] = {
    RecipientGroup.SEND: ("Nhận tin", "Sent the message"),
    RecipientGroup.HOLD_OUT: ("Nhóm đối chứng", "Hold-out"),
    RecipientGroup.LEFT_OUT: ("Không gửi", "Left out"),
}
_LEFT_OUT: dict[str, Words] = {
    LeftOut.NO_CONSENT: ("Chưa đồng ý nhận tin", "No consent"),
    LeftOut.NO_ADDRESS: ("Không có địa chỉ", "No address"),
    LeftOut.UNSUBSCRIBED: ("Đã huỷ nhận tin", "Unsubscribed"),
    LeftOut.ERASED: ("Đã xoá dữ liệu", "Data erased"),
    LeftOut.CALL_HOLD_OUT: ("Trong nhóm không gọi của danh sách gọi lại",
                            "In the call list's hold-out"),
}
_DELIVERY: dict[str, Words] = {
    DeliveryState.PENDING.value: ("Đang chờ gửi", "Waiting"),
    DeliveryState.HELD.value: ("Đang chờ: chiến dịch tạm dừng", "Waiting: campaign paused"),
    DeliveryState.SENDING.value: ("Đang gửi", "Sending"),
    DeliveryState.SENT.value: ("Đã gửi", "Sent"),
    DeliveryState.FAILED.value: ("Gửi lỗi", "Failed"),
    DeliveryState.UNKNOWN.value: ("Không rõ đã gửi chưa", "Unknown"),
    DeliveryState.CANCELLED.value: ("Đã huỷ", "Withdrawn"),
}
_COUPONS: dict[str, Words] = {
    CouponStatus.VALID: ("Còn hạn, chưa dùng", "Valid, not used"),
    CouponStatus.USED: ("Đã dùng", "Used"),
    CouponStatus.EXPIRED: ("Hết hạn", "Expired"),
    CouponStatus.REVOKED: ("Đã thu hồi", "Revoked"),
}


def recipient_rows(session: Session, campaign_id: int, *, now: datetime, language: str,
                   zone: ZoneInfo) -> list[list[Any]]:
    """One row per recipient (`RECIPIENT_COLUMNS`), in the order they were drawn, in words
    of `language` and times of the shop's clock (`zone`): who, where the message went and
    what became of it, their coupon and its use, and whether they came back (send group
    and hold-out only). An erased customer is named by their member number alone."""
    campaign = campaign_of(session, campaign_id)
    since = campaign.started_at or now
    returned = _returned(since, since + timedelta(days=campaign.return_days))
    sale = table_of(Purchase).alias("sale")  # not the `purchases` of `returned`
    statement = (
        select(col(Customer.id), col(Customer.full_name), col(Customer.email),
               col(Customer.phone), col(Customer.erased_at), col(CampaignRecipient.group),
               col(CampaignRecipient.left_out), col(OutboxMessage.to_address),
               _delivery_state(now), col(OutboxMessage.last_error),
               col(CampaignRecipient.unsubscribed_at), col(Coupon.id), col(Coupon.used_at),
               col(Coupon.revoked_at), col(Coupon.expires_at), sale.c.amount_vnd,
               case((returned, True), else_=False))
        .select_from(CampaignRecipient)
        .join(Customer, col(Customer.id) == col(CampaignRecipient.customer_id))
        .outerjoin(OutboxMessage, col(OutboxMessage.id) == col(CampaignRecipient.outbox_id))
        .outerjoin(Coupon, col(Coupon.id) == col(CampaignRecipient.coupon_id))
        .outerjoin(sale, and_(sale.c.id == col(Coupon.used_purchase_id),
                              sale.c.voided_at.is_(None)))
        .where(_of(campaign_id)).order_by(col(CampaignRecipient.id)))

    def words(table: dict[str, Words], key: Any) -> str:
        return say(table[key], language) if key else ""

    rows = []
    for (customer_id, name, email, phone, erased_at, group, left_out, to_address, state,
         error, unsubscribed_at, coupon_id, used_at, revoked_at, expires_at, sale_vnd,
         came_back) in session.execute(statement):
        coupon = (state_of(_CouponDates(used_at, revoked_at, expires_at), now)
                  if coupon_id is not None else None)
        rows.append([
            f"#{customer_id}" if erased_at else name,
            to_address or ("" if erased_at else email or phone or ""),
            words(_GROUPS, group), words(_LEFT_OUT, left_out),
            words(_DELIVERY, _state_name(state)) if to_address is not None else "",
            error or "", shop_time(unsubscribed_at, zone), words(_COUPONS, coupon),
            shop_time(used_at, zone), sale_vnd,
            say(YES_NO[came_back], language) if group is not RecipientGroup.LEFT_OUT else ""])
    return rows


