"""`kiosk campaign send` as a process of its own, on the test's SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

from kiosk_server.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-c", "from kiosk_server.cli import app; app()"]


def environment(settings: Settings, smtp_port: int | None, per_second: float = 0) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env |= {"PYTHONPATH": str(ROOT), "KIOSK_DATABASE_URL": settings.resolved_database_url,
            "KIOSK_DATA_DIR": str(settings.data_dir), "KIOSK_SECRET_KEY": settings.secret_key
            or "", "KIOSK_EMAIL_PER_SECOND": str(per_second), "COLUMNS": "100"}
    if smtp_port is not None:
        env |= {"KIOSK_SMTP_HOST": "127.0.0.1", "KIOSK_SMTP_PORT": str(smtp_port),
                "KIOSK_SMTP_STARTTLS": "false", "KIOSK_SMTP_TIMEOUT_S": "5"}
    return env


def send(env: dict, campaign_id: int, *, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*COMMAND, "campaign", "send", str(campaign_id)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def start(env: dict, campaign_id: int) -> subprocess.Popen:
    return subprocess.Popen([*COMMAND, "campaign", "send", str(campaign_id)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
