"""Who a campaign's segment names, and who of them it may reach: rules in, SQL out.

A segment (`RuleGroup`, stored as JSON with its campaign) becomes one condition on the
`customers` table, each rule a subquery of customer ids, so counting 100,000 customers is
one aggregate statement and drawing them is one SELECT per batch, never a query per person.

`audience` (the live count the editor shows) and `draw` (the recipients, batch by batch,
when the campaign starts) read the same expression for "left out, and why", so the count
the admin saw is the split the start makes. The reasons, first that holds wins:
erased, in the call list's hold-out, unsubscribed (consent withdrawn), no consent, no
address.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, ValidationError
from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from kiosk_server.calls.models import Case, CaseState, Group
from kiosk_server.campaigns.models import (
    MAX_DEPTH,
    MAX_RULES,
    AliveRule,
    AllRule,
    AttendedRule,
    LeftOut,
    RegisteredRule,
    RuleGroup,
    SpentRule,
    StatusRule,
    TagRule,
    TierRule,
)
from kiosk_server.checkin.models import Checkin
from kiosk_server.core.config import Settings
from kiosk_server.core.errors import DomainError
from kiosk_server.core.types import Language, utcnow
from kiosk_server.customers import contact
from kiosk_server.customers.models import ConsentChange, Customer, Visit, VisitKind, normalize_tag
from kiosk_server.events.models import Event, Invitation, InvitationStatus
from kiosk_server.loyalty import service as loyalty
from kiosk_server.loyalty.models import Purchase
from kiosk_server.messaging.models import Channel
from kiosk_server.retention.models import CustomerStatus

AnyRule = Any  # one of the rule models, or a RuleGroup (the union `Rule` names them)


def _refused(code: str, message_vi: str, message_en: str, field: str | None = None
             ) -> DomainError:
    """A segment that cannot be counted: 422, like any payload that does not parse."""
    return DomainError(code, message_vi, message_en, status=422, field=field)


# ------------------------------------------------------------------------------ parsing


def _raw_depth(raw: object) -> int:
    """How deep the groups of a segment not yet validated nest, counted without recursion
    and no further than one level past MAX_DEPTH: validating a segment nested hundreds
    deep would exhaust Python's stack before its depth could be refused."""
    depth, level = 0, [raw]
    while depth <= MAX_DEPTH:
        groups = [item for item in level if isinstance(item, dict)
                  and item.get("kind", "group" if item is raw else None) == "group"]
        if not groups:
            break
        depth += 1
        level = [rule for item in groups if isinstance(item.get("rules"), list)
                 for rule in item["rules"]]
    return depth


def _too_deep() -> DomainError:
    return _refused("segment_too_deep", f"Nhóm điều kiện lồng nhau tối đa {MAX_DEPTH} cấp.",
                    f"Groups of rules nest {MAX_DEPTH} levels deep at most.")


def _not_too_deep(raw: object) -> object:
    # A DomainError, not a validation error: pydantic lets it through, and the 422 it
    # renders does not echo the segment back (which, hundreds deep, no encoder would survive).
    if _raw_depth(raw) > MAX_DEPTH:
        raise _too_deep()
    return raw


# A segment as a request body holds it: refused (422 `segment_too_deep`) before its
# nesting is validated when it nests too deep.
SegmentBody = Annotated[RuleGroup, BeforeValidator(_not_too_deep)]


def parse(raw: dict) -> RuleGroup:
    """The segment in `raw`, checked for what needs no database: its shape, its size (at
    most MAX_RULES rules, MAX_DEPTH levels of groups), real days in order, tags as stored.
    Refusals are 422 with a code per problem (`segment_invalid`, `segment_too_many_rules`,
    `segment_too_deep`, `segment_day_invalid`, `segment_period_reversed`,
    `segment_range_reversed`, `segment_tag_invalid`); `field` is the rule's path."""
    if _raw_depth(raw) > MAX_DEPTH:
        raise _too_deep()
    try:
        group = RuleGroup.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        raise _refused("segment_invalid", "Điều kiện chọn khách không hợp lệ.",
                       "The segment's rules are not valid.",
                       field=".".join(str(part) for part in first["loc"]) or None) from None
    if _depth(group) > MAX_DEPTH:
        raise _too_deep()
    if _count(group) > MAX_RULES:
        raise _refused("segment_too_many_rules",
                       f"Một phân khúc có tối đa {MAX_RULES} điều kiện.",
                       f"A segment has {MAX_RULES} rules at most.")
    for path, rule in _walk(group, "rules"):
        _check_rule(rule, path)
    return group


def _depth(group: RuleGroup) -> int:
    return 1 + max((_depth(rule) for rule in group.rules if isinstance(rule, RuleGroup)),
                   default=0)


def _count(group: RuleGroup) -> int:
    return sum(1 + (_count(rule) if isinstance(rule, RuleGroup) else 0) for rule in group.rules)


def _walk(group: RuleGroup, path: str) -> list[tuple[str, AnyRule]]:
    """Every rule that is not a group, with its path (`rules.1.rules.0`)."""
    found: list[tuple[str, AnyRule]] = []
    for index, rule in enumerate(group.rules):
        here = f"{path}.{index}"
        found += _walk(rule, f"{here}.rules") if isinstance(rule, RuleGroup) else [(here, rule)]
    return found


def _check_rule(rule: AnyRule, path: str) -> None:
    if isinstance(rule, RegisteredRule | SpentRule):
        first, last = _day(rule.from_day, f"{path}.from_day"), _day(rule.to_day, f"{path}.to_day")
        if first and last and first > last:
            raise _refused("segment_period_reversed", "Ngày bắt đầu ở sau ngày kết thúc.",
                           "The first day is after the last day.", field=f"{path}.from_day")
    elif isinstance(rule, AliveRule) and rule.min > rule.max:
        raise _refused("segment_range_reversed",
                       "Khả năng còn quay lại: mức thấp nhất lớn hơn mức cao nhất.",
                       "Chance still a customer: the lowest is above the highest.",
                       field=f"{path}.min")
    elif isinstance(rule, TagRule):
        rule.tags = list(dict.fromkeys(normalize_tag(tag) for tag in rule.tags))
        if any(not tag or len(tag) > 32 for tag in rule.tags):
            raise _refused("segment_tag_invalid", "Mỗi nhãn có từ 1 đến 32 ký tự.",
                           "A tag has 1 to 32 characters.", field=f"{path}.tags")


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refused("segment_day_invalid", f"Không có ngày {value}.",
                       f"There is no day {value}.", field=field) from None


def validated(session: Session, raw: dict, *, settings: Settings) -> RuleGroup:
    """`parse`, and what it names exists: each tier in KIOSK_LOYALTY_TIERS (422
    `segment_unknown_tier`), each event (422 `segment_unknown_event`)."""
    group = parse(raw)
    known = {tier.name for tier in loyalty.tiers_of(settings)}
    event_ids: dict[int, str] = {}
    for path, rule in _walk(group, "rules"):
        if isinstance(rule, TierRule):
            unknown = [name for name in rule.tiers if name not in known]
            if unknown:
                raise _refused("segment_unknown_tier", f"Không có hạng {unknown[0]}.",
                               f"There is no tier {unknown[0]}.", field=f"{path}.tiers")
        elif isinstance(rule, AttendedRule):
            event_ids.setdefault(rule.event_id, f"{path}.event_id")
    found = set(session.scalars(select(col(Event.id)).where(col(Event.id).in_(event_ids))))
    for event_id, path in event_ids.items():
        if event_id not in found:
            raise _refused("segment_unknown_event", f"Không có sự kiện số {event_id}.",
                           f"There is no event {event_id}.", field=path)
    return group


# ---------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Context:
    settings: Settings
    dialect: str
    now: datetime

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone


def matches(session: Session, group: RuleGroup, *, settings: Settings,
            now: datetime | None = None) -> ColumnElement[bool]:
    """The segment as a condition on `customers` (a tier no longer in the settings: 422
    `segment_unknown_tier`)."""
    context = _Context(settings, session.get_bind().dialect.name, now or utcnow())
    return _group(group, context)


def _group(group: RuleGroup, context: _Context) -> ColumnElement[bool]:
    conditions = [_group(rule, context) if isinstance(rule, RuleGroup) else
                  _rule(rule, context) for rule in group.rules]
    return and_(*conditions) if group.join == "and" else or_(*conditions)


def _rule(rule: AnyRule, context: _Context) -> ColumnElement[bool]:
    if isinstance(rule, AllRule):
        return true()
    if isinstance(rule, TierRule):
        return _tiers(rule, context)
    if isinstance(rule, StatusRule):
        return _status_where(col(CustomerStatus.status).in_(rule.statuses))
    if isinstance(rule, AliveRule):
        return _status_where(col(CustomerStatus.p_alive).between(rule.min, rule.max))
    if isinstance(rule, AttendedRule):
        attended = _attended(rule.event_id)
        if rule.kind == "attended":
            return attended
        invited = col(Customer.id).in_(select(col(Invitation.customer_id)).where(
            col(Invitation.event_id) == rule.event_id,
            col(Invitation.status) == InvitationStatus.ACTIVE))
        return and_(invited, ~attended)
    if isinstance(rule, RegisteredRule):
        start, end = _period(rule.from_day, rule.to_day, context.zone)
        created = col(Customer.created_at)
        return and_(created >= start if start else true(), created < end if end else true())
    if isinstance(rule, SpentRule):
        return _spent(rule, context)
    if isinstance(rule, TagRule):
        return _has_any_tag(rule.tags, context.dialect)
    raise TypeError(f"no rule of kind {rule.kind!r}")


# Rules on a customer's own rows are correlated subqueries, looked up by the customer's id
# in an index: a batch of `draw` reads the rows of its few hundred customers, not the whole
# table (which an `IN (SELECT ... GROUP BY ...)` would aggregate again for every batch).
# Rules on one event's rows are `IN` lists: an event's guests are few, found by its id.


def _status_where(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(literal(1)).where(
        col(CustomerStatus.customer_id) == col(Customer.id), condition))


def _attended(event_id: int) -> ColumnElement[bool]:
    """Checked in at the event, or a visit of it in their history (the demo's, an import's)."""
    return or_(col(Customer.id).in_(select(col(Checkin.customer_id))
                                    .where(col(Checkin.event_id) == event_id)),
               exists(select(literal(1)).where(
                   col(Visit.customer_id) == col(Customer.id),
                   col(Visit.event_id) == event_id, col(Visit.kind) == VisitKind.EVENT)))


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _period(from_day: str | None, to_day: str | None, zone: ZoneInfo
            ) -> tuple[datetime | None, datetime | None]:
    """The UTC instants a period of the shop's local days starts and ends (end excluded)."""
    start = _local_midnight(date.fromisoformat(from_day), zone) if from_day else None
    end = (_local_midnight(date.fromisoformat(to_day) + timedelta(days=1), zone)
           if to_day else None)
    return start, end


def _spend(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
    """The customer's non-voided spend over the purchases that meet `conditions` (0 for
    none), summed from the covering index on (customer, time, amount, voided)."""
    return func.coalesce(select(func.sum(Purchase.amount_vnd)).where(
        col(Purchase.customer_id) == col(Customer.id), col(Purchase.voided_at).is_(None),
        *conditions).scalar_subquery(), 0)


def _spent(rule: SpentRule, context: _Context) -> ColumnElement[bool]:
    if rule.min_vnd == 0:
        return true()  # nothing spent is at least nothing
    start, end = _period(rule.from_day, rule.to_day, context.zone)
    when = col(Purchase.occurred_at)
    return _spend(when >= start if start else true(), when < end if end else true()
                  ) >= rule.min_vnd


def _tiers(rule: TierRule, context: _Context) -> ColumnElement[bool]:
    """The tier the customer's last 12 months' spend reaches, as at the till: the lowest
    tier is everyone below the second's threshold, purchases or not. Neighbouring tiers
    make one range, so the spend is summed once per range."""
    tiers = loyalty.tiers_of(context.settings)
    known = {tier.name for tier in tiers}
    for name in rule.tiers:
        if name not in known:
            raise _refused("segment_unknown_tier", f"Không có hạng {name}.",
                           f"There is no tier {name}.")
    ranges: list[list[int | None]] = []  # [from, below]; None: no upper end
    for index, tier in enumerate(tiers):
        if tier.name not in rule.tiers:
            continue
        below = tiers[index + 1].threshold_vnd if index + 1 < len(tiers) else None
        if ranges and ranges[-1][1] == tier.threshold_vnd:
            ranges[-1][1] = below
        else:
            ranges.append([tier.threshold_vnd, below])
    spend = _spend(col(Purchase.occurred_at) > context.now - loyalty.TIER_WINDOW)
    return or_(*[spend >= low if below is None else spend.between(low, below - 1)
                 for low, below in ranges if low is not None])


def _has_any_tag(tags: list[str], dialect: str) -> ColumnElement[bool]:
    """The customer's tags (a JSON list) hold one of `tags`."""
    if dialect == "postgresql":
        return cast(col(Customer.tags), JSONB).has_any(array(tags, type_=String))
    value = func.json_each(col(Customer.tags)).table_valued("value")
    return exists(select(literal(1)).select_from(value).where(value.c.value.in_(tags)))


# ------------------------------------------------------------------------ who is reached


@dataclass(frozen=True)
class Audience:
    """Whom the segment matches: how many would be sent the message, how many left out
    and why (every reason present, zeros included)."""

    matched: int
    reachable: int
    left_out: dict[LeftOut, int]


@dataclass(frozen=True)
class Drawn:
    """One matched customer as the start reads them: left out (why), or their address."""

    customer_id: int
    left_out: LeftOut | None
    address: str | None
    language: Language


def _address(channel: Channel) -> Any:
    return col(getattr(Customer, contact.ADDRESS_FIELDS[channel]))


def _left_out(channel: Channel) -> ColumnElement[str | None]:
    """Why the customer is left out on `channel` (null: they are reached), first reason
    that holds."""
    customer = col(Customer.id)
    consent = col(getattr(Customer, contact.CONSENT_FIELDS[channel]))
    held_out = exists(select(literal(1)).where(
        col(Case.customer_id) == customer, col(Case.state) == CaseState.OPEN,
        col(Case.group) == Group.HOLD_OUT))
    latest = (select(col(ConsentChange.granted))
              .where(col(ConsentChange.customer_id) == customer,
                     col(ConsentChange.channel) == channel)
              .order_by(col(ConsentChange.occurred_at).desc(), col(ConsentChange.id).desc())
              .limit(1).scalar_subquery())
    address = _address(channel)
    return case(
        (col(Customer.erased_at).is_not(None), LeftOut.ERASED.value),
        (held_out, LeftOut.CALL_HOLD_OUT.value),
        (and_(~consent, latest == false()), LeftOut.UNSUBSCRIBED.value),
        (~consent, LeftOut.NO_CONSENT.value),
        (or_(address.is_(None), address == ""), LeftOut.NO_ADDRESS.value),
        else_=None)


def audience(session: Session, group: RuleGroup, channel: Channel, *, settings: Settings,
             now: datetime | None = None) -> Audience:
    """How many customers the segment matches, would be sent to on `channel`, and are
    left out per reason: one aggregate statement."""
    reason = _left_out(channel).label("reason")
    inner = select(reason).where(matches(session, group, settings=settings, now=now)).subquery()
    counts: dict[str | None, int] = {
        found: int(number) for found, number in session.execute(
            select(inner.c.reason, func.count()).group_by(inner.c.reason))}
    left_out = {why: counts.get(why.value, 0) for why in LeftOut}
    reachable = counts.get(None, 0)
    return Audience(matched=reachable + sum(left_out.values()), reachable=reachable,
                    left_out=left_out)


def count(session: Session, raw: dict, channel: Channel, *, settings: Settings) -> Audience:
    """`audience` of a segment as a client sent it, checked first (`validated`)."""
    return audience(session, validated(session, raw, settings=settings), channel,
                    settings=settings)


def draw(session: Session, group: RuleGroup, channel: Channel, *, settings: Settings,
         after_customer_id: int, limit: int, now: datetime | None = None) -> list[Drawn]:
    """The next `limit` customers the segment matches, by id after `after_customer_id`:
    each left out (why) or with the address to send to, and the language of their
    messages."""
    reason = _left_out(channel)
    rows = session.execute(
        select(col(Customer.id), reason, _address(channel), col(Customer.language))
        .where(matches(session, group, settings=settings, now=now),
               col(Customer.id) > after_customer_id)
        .order_by(col(Customer.id)).limit(limit))
    return [Drawn(customer_id=customer_id, left_out=LeftOut(why) if why else None,
                  address=None if why else address, language=Language(language))
            for customer_id, why, address, language in rows]


def tier_list(settings: Settings) -> Sequence[loyalty.Tier]:
    """The tiers a rule may name, lowest first."""
    return loyalty.tiers_of(settings)
