"""`kiosk campaign send ID`: starts the campaign, sends it from the command line with a
progress bar and says how it went; run again, it sends nothing twice."""

import pytest
from sqlalchemy import select
from sqlmodel import col

from kiosk_server.audit.models import AuditEntry
from tests.campaigns import cli
from tests.campaigns.helpers import add_campaign, add_customer, add_customers, received
from tests.conftest import sqlite_copy


@pytest.fixture
def database_url(request, tmp_path):
    """A SQLite file the command opens too."""
    return sqlite_copy(request, tmp_path)


def test_the_command_sends_a_campaign_once_and_says_how_it_went(db, settings, mail_server):
    addresses = add_customers(db, 12)
    add_customer(db, "Không Đồng Ý", "khong@example.com", consent=False)
    campaign_id = add_campaign(db, coupon_benefit="Giảm 20.000 ₫")
    env = cli.environment(settings, mail_server.port)

    done = cli.send(env, campaign_id)
    assert done.stdout.strip().splitlines()[-1] == (
        f"campaign {campaign_id} done: 12 sent, 0 failed, 0 unknown, 0 cancelled, 0 remaining; "
        f"0 in the hold-out, 1 left out, 0 unsubscribed")
    assert f"campaign {campaign_id}" in done.stderr  # the progress bar
    assert received(mail_server.inbox.messages) == {address: 1 for address in addresses}
    with db.session() as session:
        [entry] = session.scalars(select(AuditEntry).where(
            col(AuditEntry.action) == "campaign.start"))
    assert (entry.staff_id, entry.staff_username) == (None, "kiosk-cli")

    again = cli.send(env, campaign_id)
    assert again.stdout.strip().splitlines()[-1].startswith(f"campaign {campaign_id} done: 12 sent")
    assert len(mail_server.inbox.messages) == 12


def test_the_command_refuses_what_it_cannot_do(db, settings, mail_server):
    campaign_id = add_campaign(db)
    missing = cli.send(cli.environment(settings, mail_server.port), 999, ok=False)
    assert "campaign_not_found" in missing.stderr
    unset = cli.send(cli.environment(settings, None), campaign_id, ok=False)
    assert "channel_not_set_up" in unset.stderr
    assert mail_server.inbox.messages == []
