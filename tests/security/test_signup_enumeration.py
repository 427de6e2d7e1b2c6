"""A script probes the poster's sign-up form to learn who is a customer, and tries tokens
that are not a poster's: against a real server, on both databases."""

import itertools
import statistics
import time

import httpx
import pytest

from kiosk_server.core.signing import TokenKind, new_serial
from tests.conftest import Caller, open_event_body
from tests.signup.helpers import form, new_phone, poster_token

TRIALS = 4
_members = itertools.count(1)


def _customer(http: httpx.Client, admin: Caller) -> tuple[str, str]:
    n = next(_members)
    phone, email = new_phone(), f"member{n}@example.com"
    made = http.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": f"Phạm Thị Thu Hà {n}", "phone": phone, "email": email})
    assert made.status_code == 201, made.text
    return phone, email


def _timed(http: httpx.Client, body: dict) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer = http.post("/api/v1/signup", json=body)
    return answer, time.perf_counter() - started


def test_the_form_tells_nobody_which_phone_or_email_is_a_customers(http, app, admin):
    token = poster_token(app)
    http.post("/api/v1/signup", json=form(token))  # the first request warms the server up
    answers: dict[str, list[tuple[httpx.Response, float]]] = {"phone": [], "email": [],
                                                              "both": []}
    for _ in range(TRIALS):
        for kind in answers:
            phone, email = _customer(http, admin)
            values = {"phone": {"phone": phone},
                      "email": {"email": email.upper()},
                      "both": {"phone": phone, "email": email}}[kind]
            answers[kind].append(_timed(http, form(token, full_name="Ai đó", **values)))
    everything = [answer for timed in answers.values() for answer, _ in timed]
    assert {answer.status_code for answer in everything} == {202}
    assert len({answer.content for answer in everything}) == 1
    assert len({answer.headers.get("content-length") for answer in everything}) == 1
    # The same answer as the portal's sign-in, asked by the same phone.
    phone, _ = _customer(http, admin)
    portal = http.post("/api/v1/portal/sign-in", json={"phone": phone})
    assert (portal.status_code, portal.content) == (202, everything[0].content)
    medians = {kind: statistics.median(seconds for _, seconds in timed)
               for kind, timed in answers.items()}
    fastest, slowest = min(medians.values()), max(medians.values())
    # The same work whichever matched: no kind is told apart by its time.
    assert slowest - fastest < max(0.05, fastest), medians


def test_tokens_that_are_not_a_posters_open_no_form(http, app, admin):
    signer = app.state.signer
    shop = poster_token(app)
    event = http.post("/api/v1/events", json=open_event_body(), headers=admin.headers).json()
    tokens = [
        shop[:-2] + ("AA" if not shop.endswith("AA") else "BB"),  # its tag altered
        signer.sign(TokenKind.CARD, new_serial()),  # other kinds of signed tokens
        signer.sign(TokenKind.INVITATION, "SHOPAAAAAAAAAAAA"),
        signer.sign(TokenKind.SIGN_IN, "SHOPAAAAAAAAAAAA"),
        poster_token(app, event["id"]),  # a real event that admits no walk-ins
        poster_token(app, 999_999),  # an event that does not exist
        "1P.SHOPAAAAAAAAAAAA." + "A" * 24,  # a poster token made without the key
    ]
    for token in tokens:
        page = http.get(f"/j/{token}")
        assert page.status_code == 404, token
        answer = http.post("/api/v1/signup", json=form(token))
        assert answer.status_code == 404, token
        assert answer.json()["error"]["code"] == "poster_not_found"
    customers = http.get("/api/v1/customers", headers=admin.headers).json()
    assert customers["items"] == []


@pytest.mark.parametrize("size", [17_000])
def test_a_large_form_is_refused_before_it_is_read(http, app, size):
    answer = http.post("/api/v1/signup", content=b'{"full_name": "' + b"a" * size + b'"}',
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
