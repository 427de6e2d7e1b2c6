"""The follow-up: a while after a visit, a message asking the customer how it was, with the
link to the visit's feedback page (/f/<token>).

A pass reads the visits that became due (older than the shop's delay, newer than when
follow-ups were turned on and than `LOOKBACK`) and, in short transactions of `BATCH`,
settles each visit's feedback request once: a message to the customer's best channel they
agreed to, or a recorded reason why not (no consent, no address, erased, already
answered), so that it is never looked at again. The request is claimed with a conditional
UPDATE (`followup IS NULL`) in the transaction that queues the message: two passes, in
one process or in several, send one message per visit.

A visit is read again until the pass has moved its mark (`followup_checked_until`) past
it; the mark stays `GRACE` behind the newest visit due, so that a visit whose transaction
was still open during a pass (its time is set before it commits) is read by the next one.

Each server process runs `FollowupWorker` in its event loop; `kiosk feedback follow-up`
runs one pass.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database, Prepared, id_slots
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.types import utcnow
from kiosk_server.customers import contact
from kiosk_server.customers import service as customers
from kiosk_server.customers.models import Customer, VisitRow
from kiosk_server.feedback import service
from kiosk_server.feedback import settings as shop_settings
from kiosk_server.feedback.models import FeedbackRequest, FollowupOutcome
from kiosk_server.messaging.models import Purpose

log = logging.getLogger(__name__)

BATCH = 100
POLL_S = 45.0
STOP_TIMEOUT_S = 10.0
# A visit is asked about until it is this old (or a day past the delay, if that is longer).
LOOKBACK = timedelta(days=7)
LATE = timedelta(days=1)
# Longer than any transaction that records a visit.
GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class FollowupReport:
    """What one pass did: messages queued, and visits settled without one."""

    sent: int = 0
    skipped: int = 0


_SETTLED = Prepared(
    select(col(FeedbackRequest.visit_id))
    .where(col(FeedbackRequest.visit_id).in_(id_slots()),
           col(FeedbackRequest.followup).is_not(None)))
_ANSWERED = Prepared(
    select(col(FeedbackRequest.visit_id))
    .where(col(FeedbackRequest.visit_id).in_(id_slots()),
           col(FeedbackRequest.answered_at).is_not(None)))
# Claims: the first pass to settle a visit's request wins; an answered one is not asked.
_CLAIM = Prepared(
    update(FeedbackRequest)
    .where(col(FeedbackRequest.visit_id) == bindparam("visit_id"),
           col(FeedbackRequest.followup).is_(None),
           col(FeedbackRequest.answered_at).is_(None))
    .values(followup=bindparam("outcome"), followup_at=bindparam("at"))
    .returning(col(FeedbackRequest.serial)))
_CLAIM_ANSWERED = Prepared(
    update(FeedbackRequest)
    .where(col(FeedbackRequest.visit_id) == bindparam("visit_id"),
           col(FeedbackRequest.followup).is_(None))
    .values(followup=FollowupOutcome.ANSWERED, followup_at=bindparam("at"))
    .returning(col(FeedbackRequest.serial)))
_SETTLE = Prepared(
    update(FeedbackRequest).where(col(FeedbackRequest.visit_id) == bindparam("visit_id"))
    .values(followup=bindparam("outcome"), followup_message_id=bindparam("message_id")))


def message_text(business: str, link: str, *, thanks: bool) -> contact.Content:
    """The follow-up message, Vietnamese then English (one text serves e-mail and SMS)."""
    gift_vi = " Mỗi góp ý được tặng một phiếu giảm giá cho lần tới." if thanks else ""
    gift_en = " Every answer is thanked with a coupon for your next visit." if thanks else ""
    text = (f"Cảm ơn anh/chị đã ghé {business}. Anh/chị thấy lần ghé vừa rồi thế nào? "
            f"Xin dành một phút cho chúng tôi biết:{gift_vi} {link}\n\n"
            f"Thank you for visiting {business}. How was your visit? Tell us in a minute:"
            f"{gift_en} {link}\n")
    return contact.Content(subject=f"Cảm ơn anh/chị đã ghé {business} · Thank you for visiting",
                           text=text)


@dataclass(frozen=True)
class _Pass:
    settings: Settings
    signer: TokenSigner
    now: datetime
    thanks: bool


def _outcome(session: Session, customer: Customer, visit: VisitRow
             ) -> tuple[FollowupOutcome, contact.Permission | None]:
    if customer.erased_at is not None:  # erased: never contacted again
        return FollowupOutcome.ERASED, None
    if visit.event_id is not None and customers.first_visit_at_event(
            session, customer_id=visit.customer_id, event_id=visit.event_id) != visit.id:
        return FollowupOutcome.REENTRY, None
    permission = contact.best_channel(customer, purpose=Purpose.MARKETING)
    if permission.allowed:
        return FollowupOutcome.SENT, permission
    if permission.refusal is contact.Refusal.NO_ADDRESS:
        return FollowupOutcome.NO_ADDRESS, None
    return FollowupOutcome.NO_CONSENT, None


def _settle(session: Session, visits: list[VisitRow], answered: set[int], run: _Pass
            ) -> FollowupReport:
    """Settle each visit's feedback request in this transaction (issued now for a visit
    that had none: an event's check-in); a message for those that may have one."""
    people = customers.get_customers(session, customer_ids=sorted({v.customer_id
                                                                   for v in visits}))
    sent = skipped = 0
    for visit in visits:
        serial = service.request_feedback(session, customer_id=visit.customer_id,
                                          visit_id=visit.id, staff_id=visit.staff_id)
        customer = people[visit.customer_id]
        if visit.id in answered:
            skipped += _CLAIM_ANSWERED.first(session, {"visit_id": visit.id,
                                                       "at": run.now}) is not None
            continue
        outcome, permission = _outcome(session, customer, visit)
        if _CLAIM.first(session, {"visit_id": visit.id, "outcome": outcome,
                                  "at": run.now}) is None:
            continue  # settled by another pass, or answered, since it was read
        if permission is None:
            skipped += 1
            continue
        message_id = _send(session, customer, permission, serial, run)
        _SETTLE.rows(session, {"visit_id": visit.id, "message_id": message_id, "outcome":
                               FollowupOutcome.SENT if message_id else FollowupOutcome.NO_ADDRESS})
        sent, skipped = (sent + 1, skipped) if message_id else (sent, skipped + 1)
    return FollowupReport(sent, skipped)


def _send(session: Session, customer: Customer, permission: contact.Permission, serial: str,
          run: _Pass) -> int | None:
    """Queue the follow-up message; its id, or None for an address the channel refuses
    (one such customer must not stop everyone's follow-ups, pass after pass)."""
    link = service.link_of(serial, signer=run.signer, public_url=run.settings.public_url)
    content = message_text(run.settings.business_name, link.url, thanks=run.thanks)
    try:
        with session.begin_nested():
            return contact.send(session, customer, content, purpose=Purpose.MARKETING,
                                channel=permission.channel).message_id
    except ValueError:
        log.warning("customer %s: a follow-up their address cannot take", customer.id)
        return None


def _due(database: Database, *, since: datetime, until: datetime, after_id: int
         ) -> tuple[list[VisitRow], list[VisitRow], set[int]]:
    """A batch of due visits (read), those of them not yet settled, and which of those
    were answered."""
    with database.session(Access.READ) as session:
        visits = customers.visits_between(session, since=since, until=until,
                                          after_id=after_id, limit=BATCH)
        ids = [visit.id for visit in visits]
        settled = {row[0] for row in _SETTLED.rows_for_ids(session, ids)}
        open_ = [visit for visit in visits if visit.id not in settled]
        answered = {row[0] for row in _ANSWERED.rows_for_ids(
            session, [visit.id for visit in open_])}
    return visits, open_, answered


def run_pass(database: Database, *, settings: Settings, signer: TokenSigner,
             now: datetime | None = None) -> FollowupReport:
    """One follow-up pass over the visits now due (nothing while follow-ups are off)."""
    now = now or utcnow()
    with database.session(Access.READ) as session:
        chosen = shop_settings.current(session)
    since_on = chosen.followup_enabled_since
    if not chosen.followup_enabled or since_on is None:
        return FollowupReport()
    delay = shop_settings.delay_of(chosen)
    until = now - delay
    since = max(now - max(LOOKBACK, delay + LATE), since_on,
                chosen.followup_checked_until or since_on)
    run = _Pass(settings, signer, now, chosen.thanks_enabled)
    sent = skipped = 0
    after_id = 0
    while True:
        visits, open_, answered = _due(database, since=since, until=until, after_id=after_id)
        if open_:
            with database.session() as session:
                done = _settle(session, open_, answered, run)
            sent, skipped = sent + done.sent, skipped + done.skipped
            database.let_waiting_writers_in()
        if len(visits) < BATCH:
            break
        after_id = visits[-1].id
    if until - GRACE > since:
        with database.session() as session:
            shop_settings.mark_checked(session, until=until - GRACE, enabled_since=since_on)
    return FollowupReport(sent, skipped)


class _Loop:
    """The worker's task in one event loop, and what stops it."""

    def __init__(self) -> None:
        self.woken = asyncio.Event()
        self.stopping = False
        self.task: asyncio.Task[None] | None = None


class FollowupWorker:
    """Runs a follow-up pass every `poll_s` seconds while the server runs (the first one
    after `poll_s`: nothing is due at the very start that cannot wait that long). One
    task per event loop that starts it (tests serve one app from several)."""

    def __init__(self, database: Database, settings: Settings, signer: TokenSigner, *,
                 poll_s: float = POLL_S) -> None:
        self._database = database
        self._settings = settings
        self._signer = signer
        self._poll_s = poll_s
        self._loops: dict[asyncio.AbstractEventLoop, _Loop] = {}
        self.passes = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if loop in self._loops:
            return
        running = self._loops[loop] = _Loop()
        running.task = asyncio.create_task(self._run(running), name="kiosk-feedback-followup")

    async def stop(self) -> None:
        """Finish the pass in hand (its transactions are short), then stop."""
        running = self._loops.pop(asyncio.get_running_loop(), None)
        if running is None or running.task is None:
            return
        running.stopping = True
        running.woken.set()
        try:
            await asyncio.wait_for(running.task, STOP_TIMEOUT_S)
        except TimeoutError:
            log.warning("the feedback follow-up did not stop in time")

    async def _run(self, running: _Loop) -> None:
        while not running.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(running.woken.wait(), self._poll_s)
            if running.stopping:
                return
            try:
                await asyncio.to_thread(self.run_once)
            except Exception:  # the database was unreachable, say: the next round tries again
                log.exception("feedback follow-up pass failed")

    def run_once(self) -> FollowupReport:
        """One pass now (tests and `kiosk feedback follow-up` call this too)."""
        report = run_pass(self._database, settings=self._settings, signer=self._signer)
        self.passes += 1
        return report
