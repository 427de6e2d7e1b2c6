"""The coupon page (/v/<code>) needs no sign-in: its signed code is the key. A forged or
altered code, or a signed code of another kind, is refused with the same "not valid" page
before the database is asked anything about coupons; an unknown coupon gets that page too;
what the page shows of a coupon is escaped, and it names no customer."""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from sqlalchemy import event

from kiosk_server.core.signing import TokenKind, new_serial
from tests.campaigns.test_report import campaign, campaign_coupon

INVALID = "Phiếu ưu đãi này không hợp lệ"


@contextmanager
def coupon_reads(db) -> Iterator[list[str]]:
    """The statements that read the coupons table while the block runs (other work of the
    server, its workers', is left out of the count)."""
    seen: list[str] = []

    def listen(connection, cursor, statement, *rest):
        if "coupons" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _altered(code: str, position: int) -> str:
    swapped = "B" if code[position] != "B" else "C"
    return code[:position] + swapped + code[position + 1:]


def test_a_forged_or_altered_code_is_refused_before_any_lookup(client, admin, db, app):
    plant = campaign(db, started_days_ago=1)
    _, code = campaign_coupon(db, plant, app.state.signer, benefit="Một ly trà sữa")
    signer = app.state.signer
    forged = [
        _altered(code, len(code) - 1),  # the tag
        _altered(code, 5),  # the serial, the tag left as it was
        code.replace("1V.", "1C.", 1),  # the kind
        signer.sign(TokenKind.CARD, code.split(".")[1]),  # signed, but a card's
        signer.sign(TokenKind.FEEDBACK, new_serial()),
        "1V." + "A" * 16 + "." + "A" * 24,
        "2V" + code[2:],  # a version nobody knows
        "x" * 600, '"><img src=x onerror=alert(1)>', "1V.ÅÅÅÅ", "%00", "1V. ",
    ]
    with coupon_reads(db) as reads:
        for text in forged:
            for letter in ("v", "V"):
                answer = client.get(f"/{letter}/{quote(text, safe='')}")
                assert answer.status_code == 404, (text, answer.status_code)
                assert INVALID in answer.text and "Một ly trà sữa" not in answer.text
                assert answer.headers["cache-control"] == "no-store"
                assert "<img src=x" not in answer.text
    assert reads == []
    with coupon_reads(db) as reads:  # the same listener sees a real lookup
        assert client.get(f"/v/{code}").status_code == 200
    assert reads


def test_an_unknown_coupon_gets_the_same_page(client, app, db):
    unknown = app.state.signer.sign(TokenKind.COUPON, new_serial())
    with coupon_reads(db) as reads:
        answer = client.get(f"/v/{unknown}")
    assert answer.status_code == 404 and INVALID in answer.text
    assert reads  # looked up, since its signature holds


@pytest.mark.parametrize("benefit", ['<img src=x onerror="alert(1)">', '"><script>x()</script>'])
def test_what_the_page_shows_is_escaped_and_names_no_one(client, app, db, benefit):
    plant = campaign(db, started_days_ago=1)
    customer, code = campaign_coupon(db, plant, app.state.signer, benefit=benefit)
    answer = client.get(f"/v/{code}", headers={"Cookie": ""})
    assert answer.status_code == 200
    assert benefit not in answer.text
    assert "&lt;" in answer.text and "<script>x()" not in answer.text
    assert answer.headers["referrer-policy"] == "no-referrer"
    for personal in (f"mai{plant.count}@example.vn", f"Trần Thị Mai {plant.count}"):
        assert personal not in answer.text
