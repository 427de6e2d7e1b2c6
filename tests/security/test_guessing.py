"""A script guesses passwords and pairing codes in parallel bursts."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher

from kiosk_server.staff import service as staff_service


@pytest.fixture
def real_password_hashing(monkeypatch):
    """The cost of a real hash, so that the burst's requests overlap as they do for real."""
    monkeypatch.setattr(staff_service, "_hasher", PasswordHasher())


def _burst(live_server: str, path: str, bodies: list[dict]) -> list[int]:
    def send(body: dict) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as client:
            return client.post(path, json=body).status_code
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_25_wrong_passwords_at_once_only_5_are_checked(live_server, admin,
                                                        real_password_hashing):
    codes = _burst(live_server, "/api/v1/auth/login",
                   [{"username": "admin", "password": f"guess {n}"} for n in range(25)])
    assert sorted(codes) == [401] * 5 + [429] * 20
    with httpx.Client(base_url=live_server) as client:  # the right one is held too, for now
        held = client.post("/api/v1/auth/login",
                           json={"username": "admin", "password": "correct horse battery"})
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0


def test_a_right_password_among_guesses_is_not_counted_against_the_user(live_server, admin):
    with httpx.Client(base_url=live_server) as client:
        for n in range(4):
            assert client.post("/api/v1/auth/login", json={
                "username": "admin", "password": f"guess {n}"}).status_code == 401
        right = {"username": "admin", "password": "correct horse battery"}
        assert client.post("/api/v1/auth/login", json=right).status_code == 200
        client.cookies.clear()
        for n in range(4):  # the count started again
            assert client.post("/api/v1/auth/login", json={
                "username": "admin", "password": f"again {n}"}).status_code == 401
        assert client.post("/api/v1/auth/login", json=right).status_code == 200


def test_25_wrong_pairing_codes_at_once_only_10_are_checked(live_server):
    codes = _burst(live_server, "/api/v1/devices/pair",
                   [{"code": f"WRONG{n:03d}", "name": "Kiosk"} for n in range(25)])
    assert sorted(codes) == [400] * 10 + [429] * 15
