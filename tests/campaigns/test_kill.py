"""A campaign whose process is killed (SIGKILL) half-way, then run again to the end: every
recipient gets their message exactly once, except at most the one in flight at the kill,
which is `unknown` (received once or not at all, never twice) and is not sent again."""

import signal
from collections import Counter

import pytest
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.campaigns.models import CampaignRecipient, RecipientGroup
from kiosk_server.messaging.models import MessageStatus, OutboxMessage
from tests.campaigns import cli
from tests.campaigns.helpers import add_campaign, add_customers
from tests.conftest import sqlite_copy
from tests.messaging.conftest import wait_for


@pytest.fixture
def database_url(request, tmp_path):
    """A SQLite file the command opens too."""
    return sqlite_copy(request, tmp_path)


def test_a_killed_send_resumes_and_nobody_gets_a_second_copy(db, settings, mail_server):
    add_customers(db, 300)
    campaign_id = add_campaign(db, hold_out_pct=10, coupon_benefit="Tặng một phần bánh")
    env = cli.environment(settings, mail_server.port, per_second=60)

    process = cli.start(env, campaign_id)
    try:
        wait_for(lambda: len(mail_server.inbox.messages) > 50, timeout_s=60)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    cut = len(mail_server.inbox.messages)
    assert cut < 270  # killed half-way
    final = cli.send(env, campaign_id).stdout.strip().splitlines()[-1]

    got = Counter(address for recipients in mail_server.inbox.recipients
                  for address in recipients)
    with db.session() as session:
        rows = session.execute(
            select(col(CampaignRecipient.group), col(OutboxMessage.to_address),
                   col(OutboxMessage.status))
            .join(OutboxMessage, col(OutboxMessage.id) == col(CampaignRecipient.outbox_id),
                  isouter=True)
            .where(col(CampaignRecipient.campaign_id) == campaign_id)).all()
        stuck = session.scalars(select(col(OutboxMessage.to_address)).where(
            col(OutboxMessage.status) == MessageStatus.SENDING)).all()
    sent_to = {address: status for group, address, status in rows
               if group is RecipientGroup.SEND}
    assert len(rows) == 300 and 0 < len(sent_to) < 300  # the hold-out drawn once
    assert max(got.values()) == 1  # nobody got two
    assert set(got) <= set(sent_to)  # the hold-out got nothing
    assert len(stuck) <= 1  # at most the message in flight at the kill
    for address, status in sent_to.items():
        if address in stuck:
            assert status is MessageStatus.SENDING and got[address] in (0, 1)
        else:
            assert (status, got[address]) == (MessageStatus.SENT, 1), address
    assert final.startswith(f"campaign {campaign_id} done: {len(sent_to) - len(stuck)} sent, "
                            f"0 failed, {len(stuck)} unknown")
