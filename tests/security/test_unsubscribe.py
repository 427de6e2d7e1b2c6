"""The unsubscribe link attacked: forged, altered, of another kind, too long, for an erased
customer; a forged one costs no database lookup; only the link is a credential."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlmodel import col

from kiosk_server.campaigns.models import CampaignRecipient
from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from tests.campaigns.helpers import add_campaign, add_customer
from tests.messaging.conftest import wait_for

ONE_CLICK = {"content": b"List-Unsubscribe=One-Click",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


@pytest.fixture
def link(app, db, client, admin):
    add_customer(db, "Hồ Xuân Hương", "xuan@example.com")
    campaign_id = add_campaign(db)
    client.post(f"/api/v1/campaigns/{campaign_id}/start", headers=admin.headers)
    wait_for(lambda: client.get(f"/api/v1/campaigns/{campaign_id}/progress",
                                headers=admin.headers).json()["state"] == "sending")
    with db.session() as session:
        serial = session.scalars(select(col(CampaignRecipient.serial))).one()
    return app.state.signer.sign(TokenKind.UNSUBSCRIBE, serial)


def _bad_tokens(app, good):
    head, tag = good.rsplit(".", 1)
    return {
        "altered": f"{head}.{'A' if tag[0] != 'A' else 'B'}{tag[1:]}",
        "another secret": TokenSigner(b"s" * 40).sign(TokenKind.UNSUBSCRIBE, new_serial()),
        "a coupon's": app.state.signer.sign(TokenKind.COUPON, good.split(".")[1]),
        "unknown serial": app.state.signer.sign(TokenKind.UNSUBSCRIBE, new_serial()),
        "garbage": "xyz", "long": "A" * 64,
    }


def test_a_link_that_is_not_one_is_refused_with_its_code(app, link):
    with TestClient(app) as anyone:
        for name, token in _bad_tokens(app, link).items():
            page = anyone.get(f"/u/{token}")
            assert page.status_code == 404 and 'data-state="invalid"' in page.text, name
            answer = anyone.post(f"/u/{token}", **ONE_CLICK)
            assert answer.status_code == 404, name
            assert answer.json()["error"]["code"] == "unsubscribe_not_found", name
        assert anyone.post(f"/u/{'A' * 65}", **ONE_CLICK).status_code == 422
        assert anyone.post(f"/u/{link}", content=b"x" * 40_000,
                           headers=ONE_CLICK["headers"]).status_code == 413


def test_a_forged_link_costs_no_lookup(app, link):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(app.state.db.engine, "before_cursor_execute", seen)
    try:
        with TestClient(app) as anyone:
            for name, token in _bad_tokens(app, link).items():
                if name != "unknown serial":  # signed by us: looked up, and not found
                    assert anyone.post(f"/u/{token}", **ONE_CLICK).status_code == 404
    finally:
        event.remove(app.state.db.engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "campaign_recipients" in s]


def test_an_erased_customers_link_opens_nothing(app, db, client, admin, link):
    with db.session() as session:
        customer_id = session.scalars(select(col(CampaignRecipient.customer_id))).one()
    erased = client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin.headers,
                         json={"confirm": True})
    assert erased.status_code == 200, erased.text
    with TestClient(app) as anyone:
        assert anyone.get(f"/u/{link}").status_code == 404
        assert anyone.post(f"/u/{link}", **ONE_CLICK).status_code == 404


def test_a_cross_site_form_with_a_staff_cookie_is_refused_and_the_link_alone_works(
        app, client, link):
    with TestClient(app) as browser:
        browser.cookies.set("kiosk_session", "whatever")
        refused = browser.post(f"/u/{link}", headers={
            "Origin": "https://evil.example", **ONE_CLICK["headers"]},
            content=ONE_CLICK["content"])
        assert refused.status_code == 403
    with TestClient(app) as mail_program:
        assert mail_program.post(f"/u/{link}", **ONE_CLICK).status_code == 200
