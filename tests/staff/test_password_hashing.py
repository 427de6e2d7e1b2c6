"""A password hash (argon2: tens of milliseconds of CPU) never runs while the database's write
lock is held: on SQLite every gate's check-in needs that lock."""

import fcntl
import os

import pytest
from typer.testing import CliRunner

from kiosk_server import cli
from kiosk_server.core.db import Database
from kiosk_server.staff import service as staff_service
from tests.conftest import TEST_SECRET
from tests.staff.test_admin_api import PASSWORD


class LockWatchingHasher:
    """The tests' argon2 hasher, unchanged, that also notes at each hash or check whether
    the SQLite write lock (the file lock every process's writers take turns on) was free."""

    def __init__(self, real, lock_path: str) -> None:
        self._real = real
        self._lock_path = lock_path
        self.seen: list[tuple[str, bool]] = []

    def _lock_is_free(self) -> bool:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # closing drops the lock if it was taken
        return True

    def hash(self, password: str) -> str:
        self.seen.append(("hash", self._lock_is_free()))
        return self._real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.seen.append(("verify", self._lock_is_free()))
        return self._real.verify(stored, password)

    def __getattr__(self, name: str):
        return getattr(self._real, name)


@pytest.fixture
def watched(db: Database, monkeypatch) -> LockWatchingHasher:
    if not db.engine.url.drivername.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    hasher = LockWatchingHasher(staff_service._hasher, f"{db.engine.url.database}.writelock")
    # The watcher itself: the lock is held while a write transaction runs.
    with db.session():
        assert not hasher._lock_is_free()
    assert hasher._lock_is_free()
    monkeypatch.setattr(staff_service, "_hasher", hasher)
    return hasher


def test_creating_staff_and_setting_passwords_hash_outside_the_write_lock(
        client, admin, clerk, watched):
    created = client.post("/api/v1/staff", headers=admin.headers, json={
        "username": "thu.trang", "full_name": "Phạm Thu Trang", "password": "mật khẩu 123",
        "role": "staff"})
    assert created.status_code == 201, created.text
    reset = client.post(f"/api/v1/staff/{created.json()['id']}/password", headers=admin.headers,
                        json={"password": "đặt lại 456"})
    assert reset.status_code == 204, reset.text
    changed = client.post("/api/v1/auth/password", headers=clerk.headers, json={
        "current_password": PASSWORD, "new_password": "a new password"})
    assert changed.status_code == 204, changed.text
    assert watched.seen == [("hash", True), ("hash", True), ("verify", True), ("hash", True)]


def test_a_password_changed_meanwhile_is_not_overwritten(client, clerk, db):
    stored = None
    with db.session() as session:
        stored = staff_service.stored_password_hash(session, staff_id=clerk.staff_id)
    with db.session() as session:  # another request changes it first
        staff_service.reset_password(session, staff_id=clerk.staff_id,
                                     password_hash=staff_service.hash_password("the admin's"))
    with pytest.raises(Exception) as refused, db.session() as session:
        staff_service.change_password(
            session, staff_id=clerk.staff_id, checked_against=stored,
            password_hash=staff_service.hash_password("mine now"))
    assert refused.value.code == "wrong_password"
    with db.session() as session:
        user = staff_service.get_staff(session, staff_id=clerk.staff_id)
        assert staff_service.password_matches(user.password_hash, "the admin's")


def test_refused_callers_cost_no_hash(client, clerk, watched):
    for headers in ({"Authorization": "Bearer kst_nobody"}, clerk.headers):
        refused = client.post("/api/v1/staff", headers=headers, json={
            "username": "x.y", "full_name": "X", "password": "mật khẩu 123", "role": "staff"})
        assert refused.status_code in (401, 403)
    assert watched.seen == []


def test_the_cli_hashes_before_its_transaction(settings, watched, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KIOSK_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("KIOSK_SECRET_KEY", TEST_SECRET)
    done = CliRunner().invoke(cli.app, ["staff", "create", "--username", "linh",
                                        "--password", "mật khẩu 123"])
    assert done.exit_code == 0, done.output
    assert watched.seen == [("hash", True)]
