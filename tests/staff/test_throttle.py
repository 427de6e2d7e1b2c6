"""Guessing is slowed down: a few wrong passwords or pairing codes from one address, and
that address waits a quarter of an hour; everyone else signs in as before."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from kiosk_server.staff.models import FailedAttempt, Role
from kiosk_server.staff.throttle import WINDOW
from tests.conftest import make_staff

PASSWORD = "correct horse battery"


def _login(client, username, password, language="vi"):
    return client.post("/api/v1/auth/login", headers={"Accept-Language": language},
                       json={"username": username, "password": password})


def _from(app, address) -> TestClient:
    return TestClient(app, client=(address, 40000), headers={"Origin": "http://testserver"})


def _age_failures(db, by: timedelta) -> None:
    """As if the failures so far had happened `by` earlier."""
    with db.session() as session:
        for attempt in session.scalars(select(FailedAttempt)):
            session.execute(update(FailedAttempt).where(FailedAttempt.id == attempt.id)
                            .values(at=attempt.at - by))


def _throttled(answer, language="vi") -> int:
    assert answer.status_code == 429, answer.text
    error = answer.json()["error"]
    assert error["code"] == "too_many_attempts"
    seconds = int(answer.headers["Retry-After"])
    assert error["retry_after_s"] == seconds and 0 < seconds <= WINDOW.total_seconds()
    assert ("quá nhiều lần" if language == "vi" else "Too many") in error["message"]
    return seconds


def test_five_wrong_passwords_hold_that_username_at_that_address(app, db, admin, clerk):
    with _from(app, "10.0.0.7") as desk, _from(app, "10.0.0.8") as elsewhere:
        for _ in range(5):
            assert _login(desk, "clerk", "wrong password").status_code == 401
        # Now even the right password waits: it is not checked at all.
        _throttled(_login(desk, "clerk", PASSWORD))
        _throttled(_login(desk, "CLERK ", PASSWORD, "en"), "en")  # the same username
        # Another username at the same desk, and the same one elsewhere, sign in.
        assert _login(desk, "admin", PASSWORD).status_code == 200
        assert _login(elsewhere, "clerk", PASSWORD).status_code == 200
        # Refused attempts did not count: when the first failures leave the window, the
        # right password works again.
        _age_failures(db, WINDOW)
        assert _login(desk, "clerk", PASSWORD).status_code == 200


def test_a_successful_sign_in_clears_its_failures_and_old_ones_are_dropped(app, db, clerk):
    with _from(app, "10.0.0.9") as desk:
        for _ in range(4):
            assert _login(desk, "clerk", "typo").status_code == 401
        assert _login(desk, "clerk", PASSWORD).status_code == 200
        for _ in range(4):
            assert _login(desk, "clerk", "typo again").status_code == 401
        assert _login(desk, "clerk", PASSWORD).status_code == 200  # 4 since, not 8
        _age_failures(db, WINDOW + timedelta(seconds=1))
        assert _login(desk, "clerk", "one more typo").status_code == 401
    with db.session() as session:
        # Each failure counts under the username at the address and the address alone; the
        # ones out of the window are gone.
        assert session.scalar(select(func.count()).select_from(FailedAttempt)) == 2


def test_one_address_trying_many_usernames_is_held_whoever_it_tries(app, db):
    make_staff(db, "lan", Role.STAFF)
    with _from(app, "10.0.0.10") as guesser, _from(app, "10.0.0.11") as colleague:
        for n in range(30):
            assert _login(guesser, f"user{n}", "password1").status_code == 401
        _throttled(_login(guesser, "lan", PASSWORD))
        assert _login(colleague, "lan", PASSWORD).status_code == 200


def test_ten_wrong_pairing_codes_hold_the_address_and_the_code_stays_good(app, db, clerk,
                                                                         seminar):
    with _from(app, "10.0.0.12") as kiosk, _from(app, "10.0.0.13") as other_kiosk:
        code = kiosk.post(f"/api/v1/events/{seminar.event_id}/pairings", headers=clerk.headers,
                          json={"gate": "A"}).json()["code"]
        for n in range(10):
            wrong = kiosk.post("/api/v1/devices/pair", json={"code": f"AAAA-AAA{n % 8 + 2}"})
            assert wrong.status_code == 400
            assert wrong.json()["error"]["code"] == "pairing_code_invalid"
        _throttled(kiosk.post("/api/v1/devices/pair", json={"code": code}))
        # The code was not looked at: it still pairs a kiosk, here or after the wait.
        assert other_kiosk.post("/api/v1/devices/pair", json={"code": code}).status_code == 201
