"""The in-process hub: a subscriber that falls behind is told to replay, never left waiting."""

import asyncio

import pytest

from kiosk_server.live import hub as live


async def _drain(subscription) -> list[int]:
    seen = []
    with pytest.raises(live.Overflow):
        while True:
            seen.append((await asyncio.wait_for(anext(subscription), 1))["n"])
    return seen


def test_a_subscriber_that_falls_behind_gets_overflow_after_what_it_has(monkeypatch):
    monkeypatch.setattr(live, "QUEUE_LIMIT", 3)

    async def main():
        local = live.LocalHub()
        await local.start()
        async with local.subscribe("event:1") as subscription:
            for n in range(10):
                local.publish("event:1", {"n": n})
            return await _drain(subscription)

    # The oldest made room for the marker; the replay from the record covers it.
    assert asyncio.run(main()) == [1, 2]


def test_dropping_a_full_subscription_still_wakes_its_reader(monkeypatch):
    monkeypatch.setattr(live, "QUEUE_LIMIT", 2)

    async def main():
        local = live.LocalHub()
        await local.start()
        async with local.subscribe("event:1") as subscription:
            local.publish("event:1", {"n": 0})
            local.publish("event:1", {"n": 1})
            subscription.drop()  # e.g. the Redis link was lost
            return await _drain(subscription)

    assert asyncio.run(main()) == [1]
