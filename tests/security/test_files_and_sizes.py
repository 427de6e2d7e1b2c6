"""What other users of the machine can read, and how much a request may make us hold."""

import os
import select
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk_server.core.config import Settings
from kiosk_server.core.migrations import upgrade
from kiosk_server.main import create_app
from tests.conftest import TEST_SECRET, ThreadServer


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # files 0644 and folders 0755 unless the server says otherwise
    yield
    os.umask(previous)


def test_the_data_folder_and_database_files_are_the_servers_alone(tmp_path, usual_umask):
    data = tmp_path / "kiosk-data"
    settings = Settings(data_dir=data, _env_file=None)
    upgrade(settings.resolved_database_url)
    settings.signing_key  # noqa: B018 - creates the secret file
    app = create_app(settings)
    server = ThreadServer(app)
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        files = [data / name for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm",
                                           "secret_key")]
        assert all(file.exists() for file in files)
        assert _mode(data) == 0o700
        assert {file.name: _mode(file) for file in files} == {
            file.name: 0o600 for file in files}
    finally:
        server.stop()
        app.state.db.dispose()


def test_an_older_installation_is_tightened(tmp_path, usual_umask):
    data = tmp_path / "kiosk-data"
    data.mkdir(mode=0o755)
    (data / "kiosk.db").touch(mode=0o644)
    settings = Settings(data_dir=data, secret_key=TEST_SECRET, _env_file=None)
    upgrade(settings.resolved_database_url)
    create_app(settings).state.db.dispose()
    assert (_mode(data), _mode(data / "kiosk.db")) == (0o700, 0o600)


def _send_raw(live_server: str, path: str, headers: dict[str, str],
              chunks: int = 0) -> bytes:
    """Send a request's head, then up to `chunks` chunks of 64 KiB of a chunked body
    while the server has not answered; its answer."""
    host, port = live_server.removeprefix("http://").split(":")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        try:
            for _ in range(chunks):
                if select.select([connection], [], [], 0)[0]:
                    break  # answered already
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return connection.recv(65536)


def test_an_anonymous_body_is_refused_before_it_is_read(live_server):
    json_body = {"Content-Type": "application/json"}
    declared = _send_raw(live_server, "/api/v1/auth/login",
                         {**json_body, "Content-Length": str(100 * 1024 * 1024)})
    assert declared.startswith(b"HTTP/1.1 413") and b"body_too_large" in declared
    streamed = _send_raw(live_server, "/api/v1/auth/login",
                         {**json_body, "Transfer-Encoding": "chunked"}, chunks=1600)
    assert streamed.startswith(b"HTTP/1.1 413")


def test_each_kind_of_request_has_its_own_limit(http, live_server, admin):
    big_json = b'{"full_name": "' + b"a" * 300 * 1024 + b'"}'
    customer = http.post("/api/v1/customers", content=big_json,
                         headers={**admin.headers, "Content-Type": "application/json"})
    assert customer.status_code == 413
    rows = "".join(f"Nguyễn Văn {n},09{n:08d}\n" for n in range(20_000))
    csv = ("full_name,phone\n" + rows).encode()
    assert 256 * 1024 < len(csv) < 5 * 1024 * 1024
    imported = http.post("/api/v1/customers/import", content=csv, params={"dry_run": "true"},
                         headers={**admin.headers, "Content-Type": "text/csv"})
    assert imported.status_code != 413, imported.text
    upload = {**admin.headers, "Content-Type": "text/csv", "Transfer-Encoding": "chunked"}
    huge = _send_raw(live_server, "/api/v1/customers/import", upload, chunks=100)
    assert huge.startswith(b"HTTP/1.1 413")
    english = http.post("/api/v1/customers", content=big_json, headers={
        **admin.headers, "Content-Type": "application/json", "Accept-Language": "en"})
    assert english.json()["error"]["message"] == "The request is too large (256 KB at most)."
