"""Live updates across real server processes (Redis) and across a server restart."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import free_port, open_event_body

KIOSK = str(Path(sys.executable).parent / "kiosk")


def _redis_url_or_skip() -> str:
    url = os.environ.get("KIOSK_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests need KIOSK_TEST_REDIS_URL (scripts/test.sh sets it when "
                    "redis://127.0.0.1:6379/0 answers)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {url} does not answer: {exc}")
    return url


class Server:
    """`kiosk serve` in its own process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [KIOSK, "serve", "--port", str(self.port), "--no-access-log"],
            env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("server did not start:\n" + log.read_text()[-2000:])
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture
def installation(tmp_path):
    """A data directory with an admin token, and the environment to serve it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([KIOSK, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([KIOSK, "staff", "create", "--username", "lan", "--password",
                    "mật khẩu dài", "--role", "admin"], env=env, check=True, capture_output=True)
    token = subprocess.run([KIOSK, "staff", "token", "lan"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().split()[-1]
    servers: list[Server] = []

    def serve(**extra_env: str) -> Server:
        server = Server({**env, **extra_env}, tmp_path / "servers.log")
        servers.append(server)
        return server

    yield serve, {"Authorization": f"Bearer {token}"}
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def _seminar(base: str, headers: dict, guests: int) -> tuple[int, list[str]]:
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        event = http.post("/api/v1/events", json=open_event_body()).json()
        ids = [http.post("/api/v1/customers",
                         json={"full_name": f"Trần Đức Thắng {n}"}).json()["id"]
               for n in range(guests)]
        invited = http.post(f"/api/v1/events/{event['id']}/invitations",
                            json={"customer_ids": ids}).json()
    return event["id"], [i["code"] for i in invited]


def _scan(base: str, headers: dict, event_id: int, code: str) -> dict:
    answer = httpx.post(base + "/api/v1/checkins", headers=headers, timeout=30,
                        json={"code": code, "event_id": event_id})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _live(base: str, event_id: int, after: int = 0) -> str:
    return base.replace("http://", "ws://") + f"/api/v1/events/{event_id}/live?after={after}"


def test_a_scan_on_one_process_reaches_a_monitor_on_another(installation):
    redis_url = _redis_url_or_skip()
    serve, headers = installation
    first, second = serve(KIOSK_REDIS_URL=redis_url), serve(KIOSK_REDIS_URL=redis_url)
    event_id, codes = _seminar(first.url, headers, guests=3)
    with connect(_live(second.url, event_id), additional_headers=headers) as monitor:
        time.sleep(0.2)  # subscribed before the scans (replay would cover it anyway)
        answers = [_scan(first.url, headers, event_id, code) for code in codes]
        updates = [json.loads(monitor.recv(timeout=10)) for _ in codes]
    assert [u["seq"] for u in updates] == [1, 2, 3]
    assert [u["result"]["customer"]["name"] for u in updates] == [
        a["customer"]["name"] for a in answers]


def test_a_monitor_misses_nothing_across_a_server_restart(installation):
    serve, headers = installation
    server = serve()
    event_id, codes = _seminar(server.url, headers, guests=4)
    with connect(_live(server.url, event_id), additional_headers=headers) as monitor:
        _scan(server.url, headers, event_id, codes[0])
        last = json.loads(monitor.recv(timeout=10))["seq"]
        server.stop()
    server = serve()  # the same data, a new process
    _scan(server.url, headers, event_id, codes[1])
    _scan(server.url, headers, event_id, codes[1])
    with connect(_live(server.url, event_id, after=last), additional_headers=headers) as monitor:
        missed = [json.loads(monitor.recv(timeout=10)) for _ in range(2)]
        _scan(server.url, headers, event_id, codes[2])
        new = json.loads(monitor.recv(timeout=10))
        with pytest.raises(TimeoutError):
            monitor.recv(timeout=0.5)
    assert [u["seq"] for u in [*missed, new]] == [2, 3, 4]
    assert [u["status"] for u in [*missed, new]] == ["ok", "already_checked_in", "ok"]
