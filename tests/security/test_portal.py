"""Attacks on the customer's portal, against a real server: a signed-in customer reaching for
anyone else, links that are not (or no longer) good, writes from another site, and what
the sign-in request tells about who is a customer."""

import re
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
from kiosk_server.core.types import utcnow
from kiosk_server.portal.deps import PORTAL_COOKIE
from kiosk_server.portal.models import SignInLink
from tests.conftest import TEST_SECRET, Caller
from tests.security.conftest import EVIL

SIGNER = TokenSigner(TEST_SECRET.encode())


def _customer(http: httpx.Client, admin: Caller, name: str, phone: str, **extra) -> int:
    made = http.post("/api/v1/customers", headers=admin.headers,
                     json={"full_name": name, "phone": phone, **extra})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _link(http: httpx.Client, admin: Caller, customer_id: int) -> str:
    """The path of a fresh sign-in link for the customer (/p/<token>)."""
    made = http.post(f"/api/v1/customers/{customer_id}/portal-link", headers=admin.headers)
    assert made.status_code == 201, made.text
    return "/" + made.json()["url"].split("/", 3)[3]


def _sign_in(phone: httpx.Client, path: str) -> httpx.Response:
    """What the customer's phone does with a link: open it, press its button."""
    opened = phone.get(path)
    assert opened.status_code == 200 and not phone.cookies, opened.text
    return phone.post("/api/v1/portal/session", json={"token": path.rsplit("/", 1)[1]})


@pytest.fixture
def people(http: httpx.Client, admin: Caller) -> dict[str, int]:
    me = _customer(http, admin, "Nguyễn Thị Hương", "0903 100 200", email="huong@example.com")
    other = _customer(http, admin, "Trần Văn Bình", "0903 300 400", email="binh@example.com")
    http.post(f"/api/v1/customers/{other}/card", headers=admin.headers)
    return {"me": me, "other": other}


@pytest.fixture
def customer(live_server: str, http: httpx.Client, admin: Caller,
             people: dict[str, int]) -> Iterator[httpx.Client]:
    """The customer's phone, signed in to their portal (the cookie only)."""
    with httpx.Client(base_url=live_server, timeout=30,
                      headers={"Origin": live_server}) as phone:
        pressed = _sign_in(phone, _link(http, admin, people["me"]))
        assert pressed.status_code == 200 and PORTAL_COOKIE in phone.cookies
        yield phone


def _filled(path: str, customer_id: int) -> str:
    return re.sub(r"\{[a-z_]+\}", str(customer_id), path)


def test_a_portal_session_opens_no_staff_endpoint_of_anyone(customer, people, live_server):
    schema = customer.get("/openapi.json").json()
    tried = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            caller = operation.get("description", "")
            if caller.startswith(("Public.", "Customer (portal session).")):
                continue
            answer = customer.request(method.upper(), _filled(path, people["other"]), json={})
            assert answer.status_code in (401, 403), (method, path, answer.status_code)
            assert "Bình" not in answer.text and "0903" not in answer.text
            tried += 1
    assert tried > 60


def test_me_never_takes_an_id_and_always_answers_for_its_own_customer(customer, people, http,
                                                                       admin):
    schema = customer.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        if path != "/api/v1/me" and not path.startswith("/api/v1/me/"):
            continue
        assert "{" not in path
        for operation in item.values():
            assert operation["description"].startswith("Customer (portal session).")
            assert all(not p["name"].endswith("id") for p in operation.get("parameters", []))
    other = people["other"]
    for path in ("/api/v1/me", "/api/v1/me/visits", "/api/v1/me/purchases",
                 "/api/v1/me/feedback", "/api/v1/me/consents", "/api/v1/me/export"):
        answer = customer.get(path, params={"customer_id": other, "id": other})
        assert answer.status_code == 200, (path, answer.text)
        assert "Bình" not in answer.text and "binh@" not in answer.text
    assert customer.get("/api/v1/me").json()["full_name"] == "Nguyễn Thị Hương"
    changed = customer.patch("/api/v1/me", params={"customer_id": other}, json={
        "id": other, "customer_id": other, "full_name": "Hương Nguyễn"})
    assert changed.status_code == 200 and changed.json()["full_name"] == "Hương Nguyễn"
    still = http.get(f"/api/v1/customers/{other}", headers=admin.headers).json()
    assert still["full_name"] == "Trần Văn Bình"
    gone = customer.request("DELETE", "/api/v1/me", params={"customer_id": other},
                            json={"confirm": "DELETE", "customer_id": other})
    assert gone.status_code == 204
    assert http.get(f"/api/v1/customers/{other}", headers=admin.headers).json()[
        "full_name"] == "Trần Văn Bình"
    assert customer.get("/api/v1/me").status_code == 401


def test_bad_links_sign_nobody_in(live_server, http, admin, people, db):
    good = _link(http, admin, people["me"])
    token = good.rsplit("/", 1)[1]
    head, _, tag = token.rpartition(".")
    serial = token.split(".")[1]
    card_code = http.get(f"/api/v1/customers/{people['other']}/card",
                         headers=admin.headers).json()["code"]
    expired = _link(http, admin, people["me"])
    with db.session() as session:
        session.execute(update(SignInLink).where(
            col(SignInLink.serial) == expired.rsplit("/", 1)[1].split(".")[1])
            .values(expires_at=utcnow() - timedelta(seconds=1)))
    refused = {
        "tampered": (f"/p/{head}.{'A' if tag[0] != 'A' else 'B'}{tag[1:]}", 404),
        "another kind": (f"/p/{SIGNER.sign(TokenKind.CARD, serial)}", 404),
        "a card": (f"/p/{card_code}", 404),
        "never issued": (f"/p/{SIGNER.sign(TokenKind.SIGN_IN, new_serial())}", 404),
        "garbage": ("/p/%00%ff..", 404),
        "expired": (expired, 410),
    }
    with httpx.Client(base_url=live_server, timeout=30) as browser:
        for what, (path, status) in refused.items():
            answer = browser.get(path)
            assert answer.status_code == status, what
            assert "set-cookie" not in answer.headers and not browser.cookies, what
            pressed = browser.post("/api/v1/portal/session",
                                   json={"token": path.rsplit("/", 1)[1]})
            assert pressed.status_code == status, what
            assert "set-cookie" not in pressed.headers and not browser.cookies, what
        assert _sign_in(browser, good).status_code == 200
    with httpx.Client(base_url=live_server, timeout=30) as thief:
        reused = thief.get(good)
        assert reused.status_code == 410 and not thief.cookies
        pressed = thief.post("/api/v1/portal/session", json={"token": good.rsplit("/", 1)[1]})
        assert pressed.status_code == 410 and not thief.cookies
        assert thief.get("/api/v1/me").status_code == 401
        thief.cookies.set(PORTAL_COOKIE, "kp_" + "A" * 43)
        assert thief.get("/api/v1/me").status_code == 401


def test_another_site_cannot_write_with_the_portal_cookie(customer, live_server):
    evil = {"Origin": EVIL}
    assert customer.patch("/api/v1/me", headers=evil,
                          json={"full_name": "Kẻ gian"}).status_code == 403
    assert customer.request("DELETE", "/api/v1/me", headers=evil,
                            json={"confirm": "DELETE"}).status_code == 403
    assert customer.post("/api/v1/me/sign-out", headers=evil).status_code == 403
    as_form = customer.request("DELETE", "/api/v1/me", content='{"confirm": "DELETE"}',
                               headers={"Content-Type": "text/plain"})
    assert as_form.status_code in (403, 415)
    assert customer.get("/api/v1/me").json()["full_name"] == "Nguyễn Thị Hương"


def test_a_link_survives_previews_and_another_site_cannot_spend_it(customer, live_server, http,
                                                                  admin, people):
    """Mail scanners and chat apps fetch a link to preview it; another site's page may try
    to make a browser spend one (to sign it in as someone else)."""
    path = _link(http, admin, people["me"])
    token = path.rsplit("/", 1)[1]
    with httpx.Client(base_url=live_server, timeout=30,
                      headers={"User-Agent": "LinkPreview/1.0"}) as previewer:
        for _ in range(2):
            assert previewer.get(path).status_code == 200
        assert previewer.head(path).status_code in (200, 405)
    # A signed-in browser asked by another site: refused before the link is looked at.
    evil = customer.post("/api/v1/portal/session", headers={"Origin": EVIL},
                         json={"token": token})
    assert (evil.status_code, evil.json()["error"]["code"]) == (403, "cross_site_request")
    # A form another site could send without asking (no cookie): not JSON, not read.
    with httpx.Client(base_url=live_server, timeout=30) as browser:
        form = browser.post("/api/v1/portal/session",
                            content=f'{{"token": "{token}"}}',
                            headers={"Content-Type": "text/plain", "Origin": EVIL})
        assert form.status_code == 422 and not browser.cookies  # the body is not read as JSON
        # The customer's own press, after all that, still signs them in.
        assert _sign_in(browser, path).status_code == 200
        assert browser.get("/api/v1/me").json()["full_name"] == "Nguyễn Thị Hương"


def _ask(http: httpx.Client, **asked) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer = http.post("/api/v1/portal/sign-in", json=asked)
    return answer, time.perf_counter() - started


def test_the_sign_in_answer_tells_nobody_who_is_a_customer(http, admin):
    known = [_customer(http, admin, f"Khách {n}", f"0904 000 00{n}",
                       email=f"khach{n}@example.com") for n in range(4)]
    assert len(known) == 4
    answers: dict[str, list[tuple[httpx.Response, float]]] = {"known": [], "unknown": []}
    for n in range(4):
        answers["known"].append(_ask(http, phone=f"0904 000 00{n}"))
        answers["unknown"].append(_ask(http, phone=f"0905 000 00{n}"))
        answers["known"].append(_ask(http, email=f"khach{n}@example.com"))
        answers["unknown"].append(_ask(http, email=f"ai{n}@example.com"))
    everything = answers["known"] + answers["unknown"]
    assert {(a.status_code, a.content) for a, _ in everything} == {
        (202, everything[0][0].content)}
    assert {a.headers["content-length"] for a, _ in everything} == {
        everything[0][0].headers["content-length"]}
    known_time = statistics.median(t for _, t in answers["known"])
    unknown_time = statistics.median(t for _, t in answers["unknown"])
    assert known_time < unknown_time * 3 + 0.05 and unknown_time < known_time * 3 + 0.05


def test_link_requests_are_limited_per_phone_and_per_address(http, admin):
    _customer(http, admin, "Khách quen", "0906 111 222")
    for phone in ("0906 111 222", "0906 999 888"):  # a customer's phone, and nobody's
        assert [_ask(http, phone=phone)[0].status_code for _ in range(3)] == [202] * 3
    refused = [_ask(http, phone=phone)[0] for phone in ("+84906111222", "0906999888")]
    assert [r.status_code for r in refused] == [429, 429]
    assert refused[0].content == refused[1].content
    assert int(refused[0].headers["retry-after"]) > 0
    others = [_ask(http, email=f"k{n}@example.com")[0].status_code for n in range(14)]
    assert others == [202] * 14  # 20 counted from this address (a refusal is not)
    last = _ask(http, email="k99@example.com")[0]
    assert last.status_code == 429 and last.json()["error"]["code"] == "too_many_requests"
