"""What `bash scripts/test.sh` finds to test on, and what it says it skipped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port, skipped_groups

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "local_services.py"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("KIOSK_TEST_DATABASE_URL", "KIOSK_TEST_REDIS_URL")}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env={**environment, **env},
                          capture_output=True, text=True, timeout=30, check=True)


def test_servers_that_do_not_answer_are_named_with_why():
    closed = free_port()
    found = _run("--postgres", f"postgresql+psycopg://postgres@127.0.0.1:{closed}/test",
                 "--redis", f"redis://127.0.0.1:{closed}/0")
    assert found.stdout == ""
    assert f"PostgreSQL: nothing usable at postgresql+psycopg://postgres@127.0.0.1:{closed}/test" \
        in found.stderr
    assert "set KIOSK_TEST_DATABASE_URL" in found.stderr
    assert f"Redis: nothing usable at redis://127.0.0.1:{closed}/0" in found.stderr


def test_servers_that_answer_are_used_unless_the_variable_is_set():
    postgres, redis = os.environ.get("KIOSK_TEST_DATABASE_URL"), os.environ.get(
        "KIOSK_TEST_REDIS_URL")
    if not (postgres and redis):
        pytest.skip("needs KIOSK_TEST_DATABASE_URL and KIOSK_TEST_REDIS_URL to point at "
                    "servers that answer")
    found = _run("--postgres", postgres, "--redis", redis)
    assert found.stdout.splitlines() == [f"KIOSK_TEST_DATABASE_URL={postgres}",
                                         f"KIOSK_TEST_REDIS_URL={redis}"]
    kept = _run("--postgres", postgres, "--redis", redis, KIOSK_TEST_REDIS_URL="redis://x/1")
    assert kept.stdout.splitlines() == [f"KIOSK_TEST_DATABASE_URL={postgres}"]


def _skipped(nodeid: str, reason: str) -> pytest.TestReport:
    return pytest.TestReport(nodeid=nodeid, location=(nodeid, 1, "t"), keywords={},
                             outcome="skipped", longrepr=("conftest.py", 51, f"Skipped: {reason}"),
                             when="setup")


def test_skipped_tests_are_told_in_groups_by_reason():
    reports = [_skipped("tests/core/test_db.py::a[postgresql]", "needs PostgreSQL"),
               _skipped("tests/loyalty/test_till.py::b[postgresql]", "needs PostgreSQL"),
               _skipped("tests/loyalty/test_till.py::c[postgresql]", "needs PostgreSQL"),
               _skipped("tests/ui/test_kiosk_page.py::d", "needs Chromium")]
    assert skipped_groups(reports) == [("needs PostgreSQL", 3, ["core", "loyalty"]),
                                       ("needs Chromium", 1, ["ui"])]
