"""Segments on SQLite and PostgreSQL: each rule kind names exactly the planted customers it
should, and/or nest, each reason to leave someone out holds in its order, and the count
the editor shows is the split the start draws."""

from collections import Counter

import pytest

from kiosk_server.campaigns import segments
from kiosk_server.campaigns.models import LeftOut
from kiosk_server.core.db import Access
from kiosk_server.core.errors import DomainError
from kiosk_server.core.types import Language
from kiosk_server.messaging.models import Channel
from tests.campaigns.audience_helpers import Shop, local_day, plant


@pytest.fixture
def shop(db) -> Shop:
    return plant(db)


def group(*rules: dict, join: str = "and") -> dict:
    return {"kind": "group", "join": join, "rules": list(rules)}


def chosen(db, settings, raw: dict) -> list[int]:
    """The ids of the customers the segment matches (by `draw`, everyone, in order)."""
    with db.session(Access.READ) as session:
        parsed = segments.validated(session, raw, settings=settings)
        drawn = segments.draw(session, parsed, Channel.EMAIL, settings=settings,
                              after_customer_id=0, limit=1000)
    return [one.customer_id for one in drawn]


def test_all_matches_everyone_the_erased_included(db, settings, shop):
    assert chosen(db, settings, group({"kind": "all"})) == sorted(shop.ids.values())


def test_tiers_follow_the_last_12_months_non_voided_spend(db, settings, shop):
    def tier(*names):
        return chosen(db, settings, group({"kind": "tier", "tiers": list(names)}))
    assert tier("Thành viên") == shop.named("Chi", "Dũng", "Em")
    assert tier("Bạc") == shop.named("Bình", "Giang")  # 5,000,000 exactly is silver
    assert tier("Vàng") == shop.named("An")
    assert tier("Thành viên", "Vàng") == shop.named("An", "Chi", "Dũng", "Em")


def test_status_and_chance_still_a_customer(db, settings, shop):
    assert chosen(db, settings, group({"kind": "status", "statuses": ["at_risk", "lapsed"]})
                  ) == shop.named("Bình", "Chi")
    assert chosen(db, settings, group({"kind": "p_alive", "min": 0.2, "max": 0.9})
                  ) == shop.named("An", "Bình", "Giang")
    assert chosen(db, settings, group({"kind": "p_alive", "max": 0.1})) == shop.named("Chi")


def test_attended_by_check_in_or_visit_and_invited_but_absent(db, settings, shop):
    first, second = shop.event_ids
    assert chosen(db, settings, group({"kind": "attended", "event_id": first})
                  ) == shop.named("An", "Chi")
    # Dũng's invitation was cancelled: not invited any more.
    assert chosen(db, settings, group({"kind": "invited_not_attended", "event_id": first})
                  ) == shop.named("Bình")
    assert chosen(db, settings, group({"kind": "attended", "event_id": second})) == []
    assert chosen(db, settings, group({"kind": "invited_not_attended", "event_id": second})
                  ) == shop.named("Giang")


def test_registered_on_the_shops_local_days(db, settings, shop):
    def registered(**period):
        return chosen(db, settings, group({"kind": "registered", **period}))
    assert registered(from_day="2026-03-01", to_day="2026-03-31") == shop.named("Chi", "Em")
    assert registered(from_day="2026-03-01") == shop.named("Chi", "Em", "Giang")
    assert registered(to_day="2026-02-28") == shop.named("An", "Bình", "Dũng")


def test_spent_at_least_in_a_period_counts_sales_not_voided(db, settings, shop):
    month = {"from_day": local_day(shop.now, -30), "to_day": local_day(shop.now)}
    def spent(at_least, **period):
        return chosen(db, settings, group({"kind": "spent", "min_vnd": at_least, **period}))
    assert spent(1_000_000, **month) == shop.named("An", "Em", "Giang")  # Chi's was voided
    assert spent(5_000_000, **month) == shop.named("An", "Giang")
    assert spent(5_000_000) == shop.named("An", "Bình", "Chi", "Giang")  # ever
    assert spent(0, **month) == sorted(shop.ids.values())


def test_tags_any_of_them_as_stored(db, settings, shop):
    assert chosen(db, settings, group({"kind": "tags", "tags": [" VIP "]})
                  ) == shop.named("An", "Giang")
    assert chosen(db, settings, group({"kind": "tags", "tags": ["cafe", "trà"]})
                  ) == shop.named("Bình", "Giang")
    assert chosen(db, settings, group({"kind": "tags", "tags": ["nobody"]})) == []


def test_and_or_nest(db, settings, shop):
    first, second = shop.event_ids
    assert chosen(db, settings, group({"kind": "tier", "tiers": ["Bạc"]},
                                      {"kind": "tags", "tags": ["cafe"]})
                  ) == shop.named("Bình", "Giang")
    assert chosen(db, settings, group(
        {"kind": "status", "statuses": ["lapsed"]},
        group({"kind": "tags", "tags": ["vip"]}, {"kind": "tier", "tiers": ["Vàng"]}),
        join="or")) == shop.named("An", "Chi")
    assert chosen(db, settings, group(
        {"kind": "all"},
        group({"kind": "attended", "event_id": first},
              {"kind": "invited_not_attended", "event_id": second}, join="or"),
        group(group({"kind": "tags", "tags": ["vip"]}, {"kind": "p_alive", "max": 0.1},
                    join="or")))) == shop.named("An", "Chi", "Giang")


def test_each_reason_to_leave_out_in_its_order(db, settings, shop):
    with db.session(Access.READ) as session:
        everyone = segments.parse(group({"kind": "all"}))
        by_mail = segments.draw(session, everyone, Channel.EMAIL, settings=settings,
                                after_customer_id=0, limit=100)
        by_phone = segments.draw(session, everyone, Channel.SMS, settings=settings,
                                 after_customer_id=0, limit=100)
    mail = {shop.names([one.customer_id]).pop(): one for one in by_mail}
    assert {name: one.left_out for name, one in mail.items()} == {
        "An": None, "Bình": LeftOut.UNSUBSCRIBED, "Chi": LeftOut.NO_ADDRESS,
        "Dũng": LeftOut.ERASED,  # before the hold-out they are also in
        "Em": LeftOut.CALL_HOLD_OUT,  # before their missing address
        "Giang": LeftOut.NO_CONSENT}
    assert (mail["An"].address, mail["An"].language) == ("an@example.com", Language.EN)
    assert all(one.address is None for name, one in mail.items() if name != "An")
    assert mail["Bình"].language is Language.VI
    phone = {shop.names([one.customer_id]).pop(): one.left_out for one in by_phone}
    assert phone == {"An": None, "Bình": LeftOut.NO_CONSENT,  # withdrew e-mail only
                     "Chi": LeftOut.NO_CONSENT, "Dũng": LeftOut.ERASED,
                     "Em": LeftOut.CALL_HOLD_OUT, "Giang": LeftOut.NO_ADDRESS}


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_the_count_is_what_the_draw_gives_batch_by_batch(db, settings, shop, channel):
    raw = group({"kind": "tags", "tags": ["vip", "cafe"]},
                {"kind": "status", "statuses": ["lapsed", "watch"]},
                {"kind": "registered", "to_day": "2025-12-31"}, join="or")
    with db.session(Access.READ) as session:
        parsed = segments.validated(session, raw, settings=settings)
        counted = segments.audience(session, parsed, channel, settings=settings)
        drawn, after = [], 0
        while batch := segments.draw(session, parsed, channel, settings=settings,
                                     after_customer_id=after, limit=2):
            assert len(batch) <= 2 and batch[0].customer_id > after
            drawn += batch
            after = batch[-1].customer_id
    tally = Counter(one.left_out for one in drawn)
    assert counted.matched == len(drawn) == 6
    assert counted.reachable == tally[None] == 1  # An
    assert counted.left_out == {reason: tally[reason] for reason in LeftOut}
    assert [one.customer_id for one in drawn] == sorted(shop.ids.values())


def refusal(db, settings, raw: dict) -> tuple[str, str | None]:
    with db.session(Access.READ) as session, pytest.raises(DomainError) as refused:
        segments.validated(session, raw, settings=settings)
    assert refused.value.status == 422
    return refused.value.code, refused.value.field


def test_bad_rules_are_refused_each_with_its_code(db, settings, shop):
    nested = group({"kind": "all"})
    for _ in range(3):
        nested = group(nested)
    assert refusal(db, settings, nested) == ("segment_too_deep", None)
    assert refusal(db, settings, group(*[group({"kind": "all"})] * 16)) == (
        "segment_too_many_rules", None)
    assert refusal(db, settings, group({"kind": "tier", "tiers": ["Kim cương"]})) == (
        "segment_unknown_tier", "rules.0.tiers")
    assert refusal(db, settings, group({"kind": "all"}, group(
        {"kind": "attended", "event_id": 999}))) == ("segment_unknown_event",
                                                      "rules.1.rules.0.event_id")
    assert refusal(db, settings, group({"kind": "registered", "from_day": "2026-03-02",
                                        "to_day": "2026-03-01"})) == (
        "segment_period_reversed", "rules.0.from_day")
    assert refusal(db, settings, group({"kind": "spent", "min_vnd": 1,
                                        "to_day": "2026-02-30"})) == (
        "segment_day_invalid", "rules.0.to_day")
    assert refusal(db, settings, group({"kind": "p_alive", "min": 0.8, "max": 0.2})) == (
        "segment_range_reversed", "rules.0.min")
    assert refusal(db, settings, group({"kind": "tags", "tags": ["  "]})) == (
        "segment_tag_invalid", "rules.0.tags")
    assert refusal(db, settings, group({"kind": "weather"}))[0] == "segment_invalid"
    assert refusal(db, settings, {"kind": "group", "rules": []}) == ("segment_invalid",
                                                                      "rules")
    for _ in range(500):
        nested = group(nested)
    assert refusal(db, settings, nested) == ("segment_too_deep", None)


def test_a_tier_gone_from_the_settings_is_refused_when_counting(db, settings, shop):
    parsed = segments.parse(group({"kind": "tier", "tiers": ["Kim cương"]}))
    with db.session(Access.READ) as session, pytest.raises(DomainError) as refused:
        segments.audience(session, parsed, Channel.EMAIL, settings=settings)
    assert refused.value.code == "segment_unknown_tier"
