"""The `kiosk` command, run as a newcomer would: demo, serve, staff, devices."""

import ipaddress
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

KIOSK = str(Path(sys.executable).with_name("kiosk"))


@pytest.fixture
def env(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return clean | {"KIOSK_DATA_DIR": str(tmp_path / "data")}


def kiosk(env, *args, ok=True):
    done = subprocess.run([KIOSK, *args], env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def test_secret_is_generated_once_with_private_permissions(env, tmp_path):
    kiosk(env, "migrate")
    secret = tmp_path / "data" / "secret_key"
    first = secret.read_text()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(first) >= 32
    kiosk(env, "migrate")
    assert secret.read_text() == first


def test_staff_and_device_commands_work_without_a_server(env):
    created = kiosk(env, "staff", "create", "--username", "linh", "--password", "mật khẩu 123",
                    "--role", "admin")
    assert "created admin linh" in created.stdout
    duplicate = kiosk(env, "staff", "create", "--username", "linh", "--password", "12345678",
                      ok=False)
    assert duplicate.returncode == 1 and "username_taken" in duplicate.stderr
    token = kiosk(env, "staff", "token", "linh").stdout.strip()
    assert token.startswith("kst_")
    missing = kiosk(env, "device", "create", "--event", "42", "--gate", "A", ok=False)
    assert missing.returncode == 1 and "event_not_found" in missing.stderr
    passed = kiosk(env, "feedback", "follow-up")  # follow-ups are off until an admin says
    assert passed.stdout.strip() == "0 messages queued, 0 visits settled without one"


def test_demo_then_serve_checks_in_the_sample_guest(env):
    printed = kiosk(env, "demo").stdout
    device = re.search(r"Bearer (ksd_\S+)", printed).group(1)
    code = re.search(r"An invitation:\s+(\S+)", printed).group(1)
    event_id = int(re.search(r"\(event (\d+)\)", printed).group(1))
    assert re.search(r"user: admin\s+password: \S{8,}", printed)
    port = free_port()
    server = subprocess.Popen([KIOSK, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz").raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        answer = httpx.post(f"{base}/api/v1/checkins",
                            headers={"Authorization": f"Bearer {device}"},
                            json={"code": code, "event_id": event_id}).json()
        assert answer["status"] == "ok" and answer["customer"]["visit_count"] == 1
        assert answer["customer"]["vip"] is True  # the demo's sample guest is a VIP
        token = kiosk(env, "staff", "token", "admin").stdout.strip()
        stats = httpx.get(f"{base}/api/v1/events/{event_id}/stats",
                          headers={"Authorization": f"Bearer {token}"}).json()
        assert (stats["invited"], stats["checked_in"], stats["not_arrived"]) == (500, 1, 499)
        pairing = kiosk(env, "device", "pair", "--event", str(event_id), "--gate", "B").stdout
        pair_code = re.match(r"([A-Z0-9]{4}-[A-Z0-9]{4})\s", pairing).group(1)
        paired = httpx.post(f"{base}/api/v1/devices/pair", json={"code": pair_code}).json()
        again = httpx.post(f"{base}/api/v1/checkins",
                           headers={"Authorization": f"Bearer {paired['token']}"},
                           json={"code": code, "event_id": event_id}).json()
        assert paired["gate"] == "B" and again["status"] == "already_checked_in"
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/healthz").raise_for_status()
            return
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


def test_the_demo_says_how_to_open_it_from_a_tablet_and_that_works(env):
    printed = kiosk(env, "demo").stdout
    if "<this machine's address>" in printed:
        pytest.skip("this machine has no address on a local network")
    serve = re.search(r"KIOSK_PUBLIC_URL=http://(\S+):8000 kiosk serve --host 0\.0\.0\.0 "
                      r"--port 8000\n", printed)
    address = serve.group(1)
    assert not ipaddress.ip_address(address).is_loopback
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as own:
        own.bind((address, 0))  # one of this machine's own addresses
    assert f"KIOSK_PUBLIC_URL=http://{address}:8000 bash scripts/demo.sh --host 0.0.0.0" in printed
    assert f"then open http://{address}:8000/kiosk on the tablet" in printed
    assert "kiosk device pair --event 1)" in printed

    # Served as printed (on a free port), the kiosk opens at that address and cards link to it.
    port = free_port()
    public = f"http://{address}:{port}"
    server = subprocess.Popen([KIOSK, "serve", "--host", "0.0.0.0", "--port", str(port)],
                              env=env | {"KIOSK_PUBLIC_URL": public},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(public)
        assert httpx.get(f"{public}/kiosk").status_code == 200
        token = kiosk(env, "staff", "token", "admin").stdout.strip()
        signed_up = httpx.post(f"{public}/api/v1/checkout/customers",
                               headers={"Authorization": f"Bearer {token}"},
                               json={"full_name": "Lý Thị Mai", "phone": "0909 555 111"})
        assert signed_up.status_code == 201, signed_up.text
        assert signed_up.json()["card_url"].startswith(f"HTTP://{address}:{port}/C/")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_without_a_local_network_the_demo_still_says_what_to_set():
    from kiosk_server.cli import on_the_network

    text = on_the_network(None, event_id=3)
    assert ("KIOSK_PUBLIC_URL=http://<this machine's address>:8000 kiosk serve "
            "--host 0.0.0.0") in text
    assert "kiosk device pair --event 3" in text



def test_demo_with_a_customer_history_flags_the_planted_drifters(env):
    # In this process (typer's runner): a new interpreter each time would take most of it.
    from typer.testing import CliRunner

    from kiosk_server.cli import app

    runner = CliRunner()
    env = {name: None for name in os.environ if name.startswith("KIOSK_")} | env  # None: unset
    demo = runner.invoke(app, ["demo", "--customers", "40"], env=env)
    assert demo.exit_code == 0, demo.output
    assert "40 customers with a year of visits and sales added" in demo.output
    planted = re.findall(r"#(\d+)\s+(\w+)\s+(\w+)\s+(.+)", demo.output)
    assert len(planted) == 18
    assert ("at_risk", "overdue", "2.0x overdue, 20 days") in [p[1:] for p in planted]
    assert ("watch", "spend_down", "spend down 20 %") in [p[1:] for p in planted]
    again = runner.invoke(app, ["retention", "recompute"], env=env)
    assert re.match(r"540 customers, 0 status changes, [\d.]+ s", again.output), again.output
