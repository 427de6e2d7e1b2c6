"""An erasure withdraws the batches of badges and invitations that name the customer: their
files leave the disk once it commits (never before), the list says why, a download is
refused; an export being made at that moment leaves no file either."""

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from kiosk_server.core.db import Access, id_of
from kiosk_server.prints import service as prints
from kiosk_server.prints.models import ExportKind, ExportStatus
from kiosk_server.prints.runner import ExportRunner
from kiosk_server.privacy import service as privacy
from tests.conftest import seed_seminar
from tests.portal.test_routes import sign_in
from tests.privacy.helpers import finished, made_export, start_export

NAME = "Nguyễn Thị Hương 0"  # the first guest seed_seminar invites


def _file(app, made: dict) -> Path:
    [path] = app.state.exports.directory.glob(f"*-event-{made['event_id']}-{made['id']}.*")
    return path


def _files(app, event_id: int) -> list[Path]:
    return sorted(app.state.exports.directory.glob(f"*-event-{event_id}-*"))


def _listed(client, headers, event_id: int) -> dict[int, dict]:
    return {made["id"]: made for made in client.get(f"/api/v1/events/{event_id}/exports",
                                                    headers=headers).json()}


def _assert_withdrawn(client, headers, made: dict) -> None:
    listed = _listed(client, headers, made["event_id"])[made["id"]]
    assert (listed["status"], listed["download"]) == ("withdrawn", None), listed
    assert "erased" in listed["error"]
    refused = client.get(f"/api/v1/exports/{made['id']}/file", headers=headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (410, "export_withdrawn")
    assert refused.json()["error"]["message"].startswith("Tệp này được tạo trước khi")
    english = client.get(f"/api/v1/exports/{made['id']}/file",
                         headers={**headers, "Accept-Language": "en"})
    assert english.json()["error"]["message"] == (
        "This file was made before a guest's data was erased, so it was deleted. "
        "Make it again.")


def test_an_admins_erasure_withdraws_the_batches_that_name_the_customer(
        client, app, admin, settings):
    h = admin.headers
    seminar = seed_seminar(client, h, guests=2)
    other = seed_seminar(client, h, guests=1)  # an event they were not invited to
    badges = made_export(client, h, seminar.event_id)
    invitations = made_export(client, h, seminar.event_id, "invitations_zip")
    kept = made_export(client, h, other.event_id)
    assert _file(app, badges).is_file() and _file(app, invitations).is_file()

    erased = client.post(f"/api/v1/customers/{seminar.customer_ids[0]}/erase", headers=h,
                         json={"confirm": True})
    assert erased.status_code == 200, erased.text

    assert _files(app, seminar.event_id) == []  # gone from disk when the answer comes
    for made in (badges, invitations):
        _assert_withdrawn(client, h, made)
    assert _listed(client, h, other.event_id)[kept["id"]]["status"] == "done"
    assert client.get(kept["download"], headers=h).content[:4] == b"%PDF"
    # Nothing the server keeps beside its database says who they were.
    stored = [path for path in Path(settings.data_dir).rglob("*") if path.is_file()]
    assert [path for path in stored if NAME.encode() in path.read_bytes()] == []
    # Made again, the batch is there to download (the erased guest without a name).
    again = made_export(client, h, seminar.event_id)
    assert client.get(again["download"], headers=h).status_code == 200


def test_a_customer_deleting_their_account_withdraws_them_too(client, app, db, admin):
    seminar = seed_seminar(client, admin.headers, guests=1)
    made = made_export(client, admin.headers, seminar.event_id)
    phone = client.get(f"/api/v1/customers/{seminar.customer_ids[0]}",
                       headers=admin.headers).json()["phone"]
    sign_in(client, db, phone=phone)
    assert client.request("DELETE", "/api/v1/me", json={"confirm": "XOÁ"}).status_code == 204
    assert _files(app, seminar.event_id) == []
    _assert_withdrawn(client, admin.headers, made)


def test_an_erasure_rolled_back_keeps_the_file(client, app, admin):
    seminar = seed_seminar(client, admin.headers, guests=1)
    made = made_export(client, admin.headers, seminar.event_id)
    with pytest.raises(RuntimeError), app.state.db.session() as session:
        privacy.erase(session, customer_id=seminar.customer_ids[0], by_customer=True,
                      hooks=app.state.erasure_hooks)
        raise RuntimeError("something later in the request failed")
    assert _file(app, made).is_file()
    assert _listed(client, admin.headers, seminar.event_id)[made["id"]]["status"] == "done"
    assert client.get(made["download"], headers=admin.headers).status_code == 200


def _runner_thread(export_id: int) -> threading.Thread:
    [thread] = [t for t in threading.enumerate() if t.name == f"kiosk-export-{export_id}"]
    return thread


def _erase(app, customer_id: int) -> None:
    with app.state.db.session() as session:
        privacy.erase(session, customer_id=customer_id, by_customer=True,
                      hooks=app.state.erasure_hooks)


def test_an_export_still_queued_when_a_guest_is_erased_is_nevermade_export(client, app, admin):
    seminar = seed_seminar(client, admin.headers, guests=1)
    runner: ExportRunner = app.state.exports
    with runner._one_at_a_time:  # another export is being made: this one waits its turn
        queued = start_export(client, admin.headers, seminar.event_id)
        thread = _runner_thread(queued["id"])
        _erase(app, seminar.customer_ids[0])
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert _files(app, seminar.event_id) == []
    _assert_withdrawn(client, admin.headers, queued)


class _HeldRunner(ExportRunner):
    """The real runner, held once an export is marked as being made (before its file is
    written) until the test lets it go on."""

    def __init__(self, runner: ExportRunner) -> None:
        super().__init__(runner._database, runner.directory)
        self.making = threading.Event()
        self.go_on = threading.Event()

    def _set(self, export_id: int, **values) -> bool:
        changed = super()._set(export_id, **values)
        if values.get("status") is ExportStatus.RUNNING:
            self.making.set()
            self.go_on.wait(timeout=30)
        return changed


def test_an_export_being_made_when_a_guest_is_erased_deletes_its_own_file(
        client, app, admin):
    seminar = seed_seminar(client, admin.headers, guests=1)
    app.state.exports = runner = _HeldRunner(app.state.exports)
    running = start_export(client, admin.headers, seminar.event_id)
    assert runner.making.wait(timeout=30)
    assert finished(client, admin.headers, running["id"], timeout=0)["status"] == "running"
    _erase(app, seminar.customer_ids[0])  # its file is not written yet: nothing to delete
    thread = _runner_thread(running["id"])
    runner.go_on.set()
    thread.join(timeout=90)
    assert not thread.is_alive()
    assert _files(app, seminar.event_id) == []  # written, then deleted by the runner itself
    _assert_withdrawn(client, admin.headers, running)


def _waiting_for_a_lock(db) -> bool:
    with db.session(Access.READ) as session:
        return bool(session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND wait_event = 'advisory'")))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_export_started_while_a_guest_is_erased_is_seen_by_the_erasure(
        client, app, admin):
    # PostgreSQL only: SQLite's writers take turns, so the two cannot overlap there.
    seminar = seed_seminar(client, admin.headers, guests=1)
    db, runner = app.state.db, app.state.exports
    started, go_on = threading.Event(), threading.Event()
    made: list[int] = []

    def start() -> None:  # a new export, its transaction still open when the erasure comes
        with db.session() as session:
            made.append(id_of(prints.start_export(
                session, event_id=seminar.event_id, kind=ExportKind.BADGES_PDF,
                created_by=admin.staff_id, runner=runner, signer=app.state.signer,
                settings=app.state.settings, language="vi")))
            started.set()
            go_on.wait(timeout=30)

    with runner._one_at_a_time:  # the batch is made only once the test has looked
        exporter = threading.Thread(target=start)
        exporter.start()
        assert started.wait(timeout=30)
        eraser = threading.Thread(target=_erase, args=(app, seminar.customer_ids[0]))
        eraser.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(db) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _waiting_for_a_lock(db)  # the erasure waits for the export's transaction
        go_on.set()
        exporter.join(timeout=30)
        eraser.join(timeout=30)
        thread = _runner_thread(made[0])
    thread.join(timeout=30)
    assert _files(app, seminar.event_id) == []
    _assert_withdrawn(client, admin.headers, {"id": made[0], "event_id": seminar.event_id})
