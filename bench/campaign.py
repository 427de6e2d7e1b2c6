#!/usr/bin/env python3
"""Campaign benchmark: a campaign with a personal coupon per recipient, sent into a local
SMTP server, against the floor of a bare SMTP loop.

    .venv/bin/python bench/campaign.py                      # 1,000 then 10,000 recipients
    .venv/bin/python bench/campaign.py --sizes 2000         # other sizes (the last is timed)

1. An aiosmtpd server in this process, on a free local port, counting what it accepts per
   recipient (nothing kept: its own memory stays flat).
2. For each size: a new SQLite file, migrated, with that many customers who agreed to
   e-mail (written in bulk, in a child process, not measured); then, in a fresh child
   process, the campaign (all customers, no hold-out, a coupon each) sent as
   `kiosk campaign send` sends it (kiosk_server/campaigns/run.py): its start (recipients
   drawn 500 at a time, a coupon, its QR and the message each, in short transactions)
   while this process delivers them over one SMTP connection, each claimed before and
   marked after; timed from the start to the last message marked. Each recipient must
   have got exactly one message. Peak memory: the child's maximum resident size.
3. The floor, in a fresh child process: the same number of plain messages sent by a bare
   aiosmtplib loop over one connection to the same server (short texts written as bytes
   beforehand: the transport alone, no MIME building, no database).

The last line is machine-readable:

    recipients=10000 send_s=.. floor_s=.. send_vs_floor=.. peak_mb_1k=.. peak_mb_10k=..
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout even if the package is not installed

SECRET = "bench-secret-" + "b" * 40


def _settings(database: Path, port: int):
    from kiosk_server.core.config import Settings
    return Settings(data_dir=database.parent, database_url=f"sqlite:///{database}",
                    secret_key=SECRET, smtp_host="127.0.0.1", smtp_port=port,
                    smtp_starttls=False, _env_file=None)


def seed(database: Path, count: int) -> None:
    """The migrated database with `count` customers who agreed to e-mail, and the draft."""
    from sqlalchemy import insert

    from kiosk_server.campaigns.models import Campaign
    from kiosk_server.core.db import Database
    from kiosk_server.core.migrations import upgrade
    from kiosk_server.customers.models import Customer

    upgrade(f"sqlite:///{database}")
    db = Database(f"sqlite:///{database}")
    with db.session() as session:
        for start in range(0, count, 5000):
            session.execute(insert(Customer), [
                {"full_name": f"Nguyễn Thị Ánh Hồng {n}", "name_folded": f"nguyen thi anh hong {n}",
                 "email": f"khach{n}@example.com", "consent_email": True, "language": "vi",
                 "notes": "", "tags": [], "visit_count": 0}
                for n in range(start, min(count, start + 5000))])
        session.add(Campaign(
            name="Tri ân", hold_out_pct=0, coupon_benefit="Giảm 10% hóa đơn",
            subject_vi="Ưu đãi tháng Chạp cho {{name}}",
            text_vi="Chào {{name}},\n\nHạng {{tier}}, {{points}} điểm. Phiếu của anh/chị: "
                    "{{coupon}}, dùng đến {{coupon_expires}}.\n\nHủy đăng ký: "
                    "{{unsubscribe_link}}\n"))
    db.dispose()


def run_campaign(database: Path, port: int) -> dict:
    """The campaign sent, timed; and this process's peak resident size."""
    from kiosk_server.campaigns import run
    from kiosk_server.core.db import Database
    settings = _settings(database, port)
    db = Database(settings.resolved_database_url)
    began = time.perf_counter()
    run.begin(db, 1, settings=settings)
    final = asyncio.run(run.send(db, 1, settings=settings, report=lambda _: None,
                                 poll_s=0.05))
    seconds = time.perf_counter() - began
    db.dispose()
    return {"seconds": seconds, "sent": final.sent, "state": final.state.value,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_floor(count: int, port: int) -> dict:
    """`count` plain messages by a bare aiosmtplib loop over one connection: each a short
    text already written as bytes (no MIME building timed), handed to `sendmail`; what
    talking to the mail server costs at the least."""
    import aiosmtplib

    def plain(n: int) -> bytes:
        return (f"From: no-reply@localhost\r\nTo: floor{n}@example.com\r\n"
                f"Subject: =?utf-8?b?VMawIMSRw6NpIHRow6FuZyBDaOG6oXA=?=\r\n"
                f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                f"Chao khach {n}, phieu uu dai cua anh/chi.\r\n").encode()

    messages = [(f"floor{n}@example.com", plain(n)) for n in range(count)]

    async def loop() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        for to, data in messages:
            await smtp.sendmail("no-reply@localhost", [to], data)
        await smtp.quit()

    began = time.perf_counter()
    asyncio.run(loop())
    return {"seconds": time.perf_counter() - began}


class Counting:
    """An SMTP handler that counts each recipient's messages and keeps nothing else."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.received.update(envelope.rcpt_tos)
        return "250 Message accepted"


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, *rest = options.child
        if kind == "seed":
            seed(Path(rest[0]), int(rest[1]))
            print("{}")
        elif kind == "campaign":
            print(json.dumps(run_campaign(Path(rest[0]), int(rest[1]))))
        else:
            print(json.dumps(run_floor(int(rest[0]), int(rest[1]))))
        return

    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    handler = Counting()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    peaks: dict[int, float] = {}
    try:
        for size in options.sizes:
            with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as directory:
                database = Path(directory) / "kiosk.db"
                _child("seed", str(database), str(size))
                handler.received.clear()
                sent = _child("campaign", str(database), str(port))
                counts = Counter(handler.received.values())
                assert counts == {1: size} and sent["sent"] == size, (counts, sent)
                peaks[size] = sent["peak_mb"]
                print(f"{size:>6} recipients with coupons: {sent['seconds']:.2f} s "
                      f"({size / sent['seconds']:.0f} messages/s), peak {sent['peak_mb']:.0f} MB,"
                      f" each received once", flush=True)
        size = options.sizes[-1]
        handler.received.clear()
        floor = _child("floor", str(size), str(port))
        assert len(handler.received) == size
        print(f"{size:>6} plain messages, bare aiosmtplib loop: {floor['seconds']:.2f} s "
              f"({size / floor['seconds']:.0f} messages/s)", flush=True)
    finally:
        server.stop()
    ratio = sent["seconds"] / floor["seconds"]
    small, large = min(peaks), max(peaks)
    print(f"recipients={size} send_s={sent['seconds']:.2f} floor_s={floor['seconds']:.2f} "
          f"send_vs_floor={ratio:.2f} peak_mb_1k={peaks[small]:.1f} "
          f"peak_mb_10k={peaks[large]:.1f}")


if __name__ == "__main__":
    main()
