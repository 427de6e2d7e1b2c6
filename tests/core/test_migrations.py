"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from kiosk_server.core.migrations import upgrade
from kiosk_server.models import metadata


def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def _old_rows_migrated(tmp_path, revision: str, writes: list, reads: list[str]
                       ) -> list[list[tuple]]:
    """A SQLite database migrated to `revision`, holding what `writes` insert (SQL, or (SQL,
    parameters) pairs), then migrated to the head: the rows each of `reads` finds."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, revision)
    engine = create_engine(url)
    with engine.begin() as connection:
        for write in writes:
            statement, parameters = write if isinstance(write, tuple) else (write, {})
            connection.execute(text(statement), parameters)
    upgrade(url)
    with engine.connect() as connection:
        found = [[tuple(row) for row in connection.execute(text(read))] for read in reads]
    engine.dispose()
    return found


_EVENT = ("INSERT INTO events (id, name, venue, allow_walk_in, allow_reentry, starts_at,"
          " ends_at, checkin_opens_at, checkin_closes_at, created_at) VALUES (:id, 'E', '',"
          " 0, 0, '2026-11-23', '2026-11-23', '2026-11-23', '2026-11-23', '2026-11-23')")


def test_scans_made_before_the_live_feed_get_numbers_per_event(tmp_path):
    scan = ("INSERT INTO scans (event_id, scanned_at, status, caller, gate, result)"
            " VALUES (:event_id, '2026-11-23', 'invalid', 'staff:1', '', '{}')")
    numbers, feeds = _old_rows_migrated(
        tmp_path, "0001",
        [(_EVENT, {"id": event_id}) for event_id in (1, 2)]
        + [(scan, {"event_id": event_id}) for event_id in (1, 2, 1, 1, 2)],
        ["SELECT event_id, seq FROM scans ORDER BY id",
         "SELECT event_id, last_seq FROM event_feeds ORDER BY event_id"])
    assert numbers == [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]
    assert feeds == [(1, 3), (2, 2)]


def test_redemptions_made_before_voids_existed_are_kept_unvoided(tmp_path):
    [kept] = _old_rows_migrated(tmp_path, "0010", [
        "INSERT INTO customers (id, full_name, notes, contact_consent, tags, name_folded,"
        " visit_count, created_at) VALUES (1, 'Lê Văn Tám', '', 0, '[]', 'le van tam', 0,"
        " '2026-11-30')",
        "INSERT INTO rewards (id, name, points_cost, active, created_at)"
        " VALUES (1, 'Cà phê', 30, 1, '2026-11-30')",
        "INSERT INTO redemptions (customer_id, reward_id, reward_name, points, request_id,"
        " occurred_at) VALUES (1, 1, 'Cà phê', 30, 'r-1', '2026-11-30')",
    ], ["SELECT reward_name, points, voided_at, voided_by, void_reason FROM redemptions"])
    assert kept == [("Cà phê", 30, None, None, "")]


def test_scans_made_before_undo_existed_stay_as_they_were(tmp_path):
    [kept] = _old_rows_migrated(tmp_path, "0011", [
        (_EVENT, {"id": 1}),
        "INSERT INTO scans (event_id, seq, scanned_at, status, caller, gate, manual, result)"
        " VALUES (1, 1, '2026-12-06', 'invalid', 'staff:1', 'A', 0, '{}')",
    ], ["SELECT seq, gate, undone_at, undone_by, undo_seq FROM scans"])
    assert kept == [(1, "A", None, None, None)]


def test_the_old_contact_consent_becomes_e_mail_consent_recorded_as_migrated(tmp_path):
    customer = ("INSERT INTO customers (id, full_name, notes, contact_consent, tags, name_folded,"
                " visit_count, created_at) VALUES (:id, 'Lê Văn Tám', '', :consent, '[]',"
                " 'le van tam', 0, '2026-11-30')")
    customers, history = _old_rows_migrated(
        tmp_path, "0014",
        [(customer, {"id": customer_id, "consent": consent})
         for customer_id, consent in ((1, 1), (2, 0))],
        ["SELECT id, consent_email, consent_sms, preferred_channel FROM customers ORDER BY id",
         "SELECT customer_id, channel, purpose, granted, source, staff_id FROM consent_changes"])
    assert customers == [(1, 1, 0, None), (2, 0, 0, None)]
    assert history == [(1, "email", "marketing", 1, "migration", None)]


def test_complaints_resolved_before_the_queue_existed_are_resolved_with_their_step(tmp_path):
    complaints, steps = _old_rows_migrated(tmp_path, "0015", [
        "INSERT INTO customers (id, full_name, notes, consent_email, consent_sms, tags,"
        " name_folded, visit_count, created_at) VALUES (1, 'Lê Văn Tám', '', 0, 0, '[]',"
        " 'le van tam', 0, '2026-11-30')",
        "INSERT INTO complaints (id, customer_id, text, opened_at, resolved_at, resolution)"
        " VALUES (1, 1, 'Chờ lâu', '2026-12-01', '2026-12-02', 'Đã xin lỗi'),"
        " (2, 1, 'Sai hóa đơn', '2026-12-03', NULL, '')",
    ], ["SELECT id, status, source FROM complaints ORDER BY id",
        "SELECT complaint_id, status, note FROM complaint_steps ORDER BY id"])
    assert complaints == [(1, "resolved", "staff"), (2, "open", "staff")]
    assert sorted(steps) == [(1, "open", ""), (1, "resolved", "Đã xin lỗi"), (2, "open", "")]


def test_statuses_computed_before_keep_the_day_of_the_last_visit(tmp_path):
    """A status saved with its days since the last visit keeps that visit's day: the UTC day
    of its computation less those days (2026-12-05 is day 20,792)."""
    status = ("INSERT INTO customer_status (customer_id, status, reason, visit_count,"
              " usual_interval_days, days_since, spend_recent_vnd, spend_before_vnd,"
              " usual_spend_vnd, changed_at, computed_at) VALUES (:id, 'watch', 'overdue', 5,"
              " 10.0, :since, 0, 0, 0, '2026-12-05 23:30:00.000000',"
              " '2026-12-05 23:30:00.000000')")
    [kept] = _old_rows_migrated(tmp_path, "0029", [
        "INSERT INTO customers (id, full_name, notes, consent_email, consent_sms, tags,"
        " name_folded, visit_count, created_at, language) VALUES (1, 'Lê Văn Tám', '', 0, 0,"
        " '[]', 'le van tam', 0, '2026-11-30', 'vi'), (2, 'Mai', '', 0, 0, '[]', 'mai', 0,"
        " '2026-11-30', 'vi')",
        (status, {"id": 1, "since": 16}), (status, {"id": 2, "since": None}),
    ], ["SELECT customer_id, last_visit_day FROM customer_status ORDER BY customer_id"])
    assert kept == [(1, 20_792 - 16), (2, None)]
