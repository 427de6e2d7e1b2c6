"""Sending a campaign: start (draw the recipients a batch at a time), pause, resume, cancel,
and where it stands.

Starting moves a draft to `starting` with one conditional UPDATE (two starts act once),
then draws the segment in batches of `BATCH` customers after `drawn_through`. A batch is
read and rendered with no transaction writing (its coupons' serials and QR codes are made
before the write), then written in one short transaction: the recipients (sent to, in
the random hold-out, or left out with the reason), a coupon per recipient sent to, one
outbox message each, and `drawn_through` moved past the batch. That transaction first
locks the campaign and checks it is still `starting` at the same `drawn_through`, so a
batch is written once whoever works it, and a crash half-way through the start resumes at
the next batch with nothing doubled. When the segment has no one left, `starting` becomes
`sending`; the outbox's sender delivers the messages (`messaging/sender.py`), and the
campaign is `done` once none is pending, held or in flight.

Where it stands: `progress.py`; the message a customer would get: `preview.py`.
Pausing holds the campaign's pending messages (`held` is never claimed); resuming
releases them and finishes the start if it was cut short; cancelling withdraws them.
"""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image
from sqlalchemy import ColumnElement, select, update
from sqlmodel import Session, col

from badges import qr
from kiosk_server.audit.service import AuditLog
from kiosk_server.campaigns import compose, segments, service, templates, values
from kiosk_server.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignState,
    LeftOut,
    RecipientGroup,
)
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, commit_durably, id_of, on_commit
from kiosk_server.core.errors import DomainError, conflict, invalid
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial, token_link
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.loyalty import coupons
from kiosk_server.loyalty.models import CouponCreate
from kiosk_server.messaging import service as messaging
from kiosk_server.messaging.models import Channel, MessageStatus, Purpose

BATCH = 500
RUNNING = (CampaignState.STARTING, CampaignState.SENDING)
_OPEN = (MessageStatus.PENDING, MessageStatus.HELD)


def messages_of(campaign_id: int) -> ColumnElement[bool]:
    """The outbox's messages of this campaign (a condition for `messaging.service`)."""
    return messaging.ids_in(select(col(CampaignRecipient.outbox_id))
                            .where(col(CampaignRecipient.campaign_id) == campaign_id))


def move_state(session: Session, campaign_id: int, before: tuple[CampaignState, ...],
                after: CampaignState, **values_: object) -> bool:
    """One conditional UPDATE: whether this request made the change (a repeat does not)."""
    moved = session.execute(update(Campaign)
                            .where(col(Campaign.id) == campaign_id,
                                   col(Campaign.state).in_(before))
                            .values(state=after, updated_at=utcnow(), **values_)
                            .execution_options(synchronize_session=False))
    return bool(getattr(moved, "rowcount", 0))


def _check_ready(campaign: Campaign) -> None:
    segments.parse(campaign.segment)
    service.refuse_incomplete(campaign)
    for template in (campaign.subject_vi, campaign.subject_en, campaign.text_vi,
                     campaign.text_en, campaign.html_vi, campaign.html_en):
        if unknown := templates.unknown_placeholders(template):
            raise invalid("unknown_placeholders",
                          f"Mẫu tin có chỗ điền không rõ: {', '.join(unknown)}.",
                          f"The message names unknown placeholders: {', '.join(unknown)}.")


def start(session: Session, *, campaign_id: int, log: AuditLog,
          work: Callable[[int], None]) -> Campaign:
    """Start a draft (recorded in the audit log); `work(campaign_id)` draws its recipients
    once this commits. A repeat acts no more (it carries on a start whose process
    stopped)."""
    campaign = service.get_campaign(session, campaign_id=campaign_id)
    if campaign.state is CampaignState.DRAFT:
        _check_ready(campaign)
        if move_state(session, campaign_id, (CampaignState.DRAFT,), CampaignState.STARTING,
                       started_at=utcnow(), started_by=log.staff_id):
            log.record("campaign.start", ("campaigns", campaign_id))
        session.refresh(campaign)
    if campaign.state is CampaignState.STARTING:
        on_commit(session, lambda: work(campaign_id))
    return campaign


def pause(session: Session, *, campaign_id: int, log: AuditLog) -> Campaign:
    """Hold the messages not sent yet (the one in flight still goes); a repeat acts no
    more."""
    campaign = service.get_campaign(session, campaign_id=campaign_id, lock=True)
    if campaign.state is not CampaignState.PAUSED:
        if campaign.state not in RUNNING:
            raise _not_running(campaign)
        move_state(session, campaign_id, RUNNING, CampaignState.PAUSED)
        messaging.move(session, among=messages_of(campaign_id), from_=(MessageStatus.PENDING,),
                       to=MessageStatus.HELD)
        log.record("campaign.pause", ("campaigns", campaign_id))
        session.refresh(campaign)
    return campaign


def resume(session: Session, *, campaign_id: int, log: AuditLog,
           work: Callable[[int], None]) -> Campaign:
    """Release the held messages and finish drawing the recipients if the pause cut the
    start short; a repeat acts no more."""
    campaign = service.get_campaign(session, campaign_id=campaign_id, lock=True)
    if campaign.state is CampaignState.PAUSED:
        move_state(session, campaign_id, (CampaignState.PAUSED,), CampaignState.STARTING)
        messaging.move(session, among=messages_of(campaign_id), from_=(MessageStatus.HELD,),
                       to=MessageStatus.PENDING)
        log.record("campaign.resume", ("campaigns", campaign_id))
        on_commit(session, lambda: work(campaign_id))
        session.refresh(campaign)
    elif campaign.state not in RUNNING:
        raise _not_running(campaign)
    return campaign


def cancel(session: Session, *, campaign_id: int, log: AuditLog) -> Campaign:
    """Withdraw the messages not sent yet, for good; a repeat acts no more."""
    campaign = service.get_campaign(session, campaign_id=campaign_id, lock=True)
    if campaign.state is CampaignState.DONE:
        raise conflict("campaign_finished", "Chiến dịch đã gửi xong, không thể hủy.",
                       "The campaign has finished sending; it cannot be cancelled.")
    if campaign.state is not CampaignState.CANCELLED:
        move_state(session, campaign_id, tuple(set(CampaignState) - {CampaignState.DONE,
                                                                       CampaignState.CANCELLED}),
                    CampaignState.CANCELLED, finished_at=utcnow())
        messaging.move(session, among=messages_of(campaign_id), from_=_OPEN,
                       to=MessageStatus.CANCELLED)
        log.record("campaign.cancel", ("campaigns", campaign_id))
        session.refresh(campaign)
    return campaign


def _not_running(campaign: Campaign) -> DomainError:
    return conflict("campaign_not_running",
                    "Chiến dịch không đang gửi (chưa bắt đầu, đã xong hoặc đã hủy).",
                    "The campaign is not sending (not started, finished or cancelled).")


def unfinished_starts(session: Session) -> list[int]:
    """The campaigns whose recipients are still being drawn (their process may have
    stopped half-way)."""
    return list(session.scalars(select(col(Campaign.id))
                                .where(col(Campaign.state) == CampaignState.STARTING)))


# ----------------------------------------------------------------------------- batches

@dataclass(frozen=True)
class _Planned:
    """One drawn customer's row, and for those sent to, their message."""

    drawn: segments.Drawn
    group: RecipientGroup
    serial: str
    coupon_serial: str | None = None
    content: contact.Content | None = None
    unsubscribe: str = ""


def _plan(session: Session, campaign: Campaign, drawn: list[segments.Drawn], *,
          settings: Settings, signer: TokenSigner) -> list[_Planned]:
    """Each drawn customer's group (the hold-out at random) and message, rendered before
    the write; their coupon's serial is made here, so that its QR is too."""
    standings = values.standings(session, [d.customer_id for d in drawn if d.left_out is None],
                                 settings=settings, signer=signer)
    planned: list[_Planned] = []
    for item in drawn:
        serial = new_serial()
        standing = standings.get(item.customer_id)
        if item.left_out is None and standing is None:  # gone since it was drawn
            item = segments.Drawn(item.customer_id, LeftOut.ERASED, None, item.language)
        if item.left_out is not None or standing is None:
            planned.append(_Planned(item, RecipientGroup.LEFT_OUT, serial))
        elif random.random() * 100 < campaign.hold_out_pct:
            planned.append(_Planned(item, RecipientGroup.HOLD_OUT, serial))
        else:
            planned.append(_addressed(campaign, item, standing, serial, settings=settings,
                                      signer=signer))
    return planned


def _addressed(campaign: Campaign, item: segments.Drawn, standing: values.Standing,
               serial: str, *, settings: Settings, signer: TokenSigner) -> _Planned:
    """A recipient sent to: their coupon (made up to its QR) and their message."""
    shown = coupon_serial = None
    if campaign.coupon_benefit:
        coupon_serial = new_serial()
        code = signer.sign(TokenKind.COUPON, coupon_serial)
        shown = compose.CouponShown(
            campaign.coupon_benefit, utcnow() + timedelta(days=campaign.coupon_valid_days),
            token_link(settings.public_url, code, "v"),  # the coupon's own page
            qr_png(code) if campaign.channel is Channel.EMAIL else None)
    unsubscribe = compose.unsubscribe_link(settings, signer, serial)
    filled = compose.values_for(standing, item.language, coupon=shown, zone=settings.zone,
                                unsubscribe=unsubscribe)
    return _Planned(item, RecipientGroup.SEND, serial, coupon_serial,
                    compose.message(campaign, item.language, filled, shown), unsubscribe)


def qr_png(code: str) -> bytes:
    """A coupon's QR for a message: 6 pixels a module, black and white (1 bit a pixel:
    about 500 bytes, and half the time of a grey PNG; one is made per recipient)."""
    modules = qr.qr_modules(code).convert("1")
    side = modules.width * compose.QR_MODULE_PX
    buffer = io.BytesIO()
    modules.resize((side, side), Image.Resampling.NEAREST).save(buffer, "PNG",
                                                               compress_level=1)
    return buffer.getvalue()


def _still_consenting(session: Session, planned: list[_Planned], channel: Channel
                      ) -> set[int]:
    """Of the customers to send to, those who may still be sent marketing on `channel`
    now, in the write's transaction (one may have unsubscribed since the batch was read)."""
    ids = [p.drawn.customer_id for p in planned if p.group is RecipientGroup.SEND]
    people = customers.get_customers(session, customer_ids=ids)
    return {customer_id for customer_id, person in people.items()
            if person.erased_at is None and contact.may_send(
                person, channel=channel, purpose=Purpose.MARKETING).allowed}


def _write(session: Session, campaign: Campaign, planned: list[_Planned]) -> None:
    """The batch's coupons, messages and recipients, in a few statements."""
    campaign_id = id_of(campaign)
    allowed = _still_consenting(session, planned, campaign.channel)
    rows: list[dict] = []
    sending: list[_Planned] = []
    for item in planned:
        row = {"campaign_id": campaign_id, "customer_id": item.drawn.customer_id,
               "group": item.group, "left_out": item.drawn.left_out,
               "language": item.drawn.language, "serial": item.serial,
               "outbox_id": None, "coupon_id": None, "unsubscribed_at": None}
        if item.group is RecipientGroup.SEND and item.drawn.customer_id not in allowed:
            row |= {"group": RecipientGroup.LEFT_OUT, "left_out": LeftOut.UNSUBSCRIBED}
        elif item.group is RecipientGroup.SEND:
            sending.append(item)
        rows.append(row)
    by_customer = {row["customer_id"]: row for row in rows}
    if campaign.coupon_benefit:
        coupon_ids = coupons.issue_many(
            session, owners=[(p.drawn.customer_id, p.coupon_serial or "") for p in sending],
            data=CouponCreate(benefit=campaign.coupon_benefit,
                              valid_days=campaign.coupon_valid_days),
            issued_by=campaign.started_by)
        for item, coupon_id in zip(sending, coupon_ids, strict=True):
            by_customer[item.drawn.customer_id]["coupon_id"] = coupon_id
    outbox_ids = messaging.enqueue_many(session, [
        messaging.NewMessage(channel=campaign.channel, to=item.drawn.address or "",
                             subject=item.content.subject, text=item.content.text,
                             html=item.content.html, images=item.content.images,
                             unsubscribe_url=item.unsubscribe)
        for item in sending if item.content is not None], purpose=Purpose.MARKETING)
    for item, outbox_id in zip(sending, outbox_ids, strict=True):
        by_customer[item.drawn.customer_id]["outbox_id"] = outbox_id
    if rows:
        session.execute(CampaignRecipient.__table__.insert(), rows)  # type: ignore[attr-defined]


def draw_next_batch(database: Database, campaign_id: int, *, settings: Settings,
                    signer: TokenSigner) -> bool:
    """Draw and write the next batch of a starting campaign; False once there is nothing
    more to draw (it is then `sending`) or it is not starting (paused, cancelled)."""
    with database.session(Access.READ) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.state is not CampaignState.STARTING:
            return False
        drawn = segments.draw(session, segments.parse(campaign.segment), campaign.channel,
                              settings=settings, after_customer_id=campaign.drawn_through,
                              limit=BATCH)
        planned = _plan(session, campaign, drawn, settings=settings, signer=signer)
    with database.session() as session:
        current = service.get_campaign(session, campaign_id=campaign_id, lock=True)
        if (current.state is not CampaignState.STARTING
                or current.drawn_through != campaign.drawn_through):
            return current.state is CampaignState.STARTING  # another worker wrote it
        commit_durably(session)
        if not drawn:
            move_state(session, campaign_id, (CampaignState.STARTING,), CampaignState.SENDING)
            return False
        _write(session, current, planned)
        current.drawn_through = drawn[-1].customer_id
        session.add(current)
    database.let_waiting_writers_in()
    return True
