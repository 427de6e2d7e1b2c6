#!/usr/bin/env python3
"""Import benchmark: check-ins at the gates while staff import a 20,000-row customer CSV.

    .venv/bin/python bench/import.py                 # SQLite file in a fresh temp dir
    .venv/bin/python bench/import.py --rows 5000     # a smaller file

Steps: start `kiosk serve` on a free local port and seed one open event with invited guests
(bench/checkin.py's seeding: the project's own code, the same data dir and secret); then,
with 8 connections each sending one check-in after another (every code new), measure the
check-ins alone for a few seconds (the floor), then the same load while one staff request
imports a CSV of `--rows` new customers (`POST /api/v1/customers/import?skip_bad_rows=true`,
after its preview). Every answer is checked (`ok`), and the customers the server holds
afterwards are counted. The last line of output is machine-readable:

    import_s=.. checkin_during_import_p99_ms=.. checkin_alone_p99_ms=.. ratio=.. preview_s=..

`import_s` is the import request that follows the preview, as the admin page sends it (the
server keeps the file it has just read: see `customers.imports.plan_of`); `preview_s` is
the preview's own time.

The load generator is this process (asyncio, one keep-alive connection per concurrent
client, no HTTP library in the way); the server runs in its own process. Only ever talks
to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH_DIR))

import checkin as bench  # noqa: E402  (bench/checkin.py: server, seeding, machine load)

TARGET_P99_MS = 100
TARGET_IMPORT_S = 10


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=20_000, help="rows of the CSV (20000)")
    p.add_argument("--concurrency", type=int, default=8, help="check-in clients (8)")
    p.add_argument("--alone", type=float, default=8.0,
                   help="seconds of check-ins without an import (8)")
    p.add_argument("--invitations", type=int, default=60_000,
                   help="invited guests: codes for the whole run (60000)")
    p.add_argument("--kiosk", default=str(REPO / ".venv" / "bin" / "kiosk"),
                   help="the kiosk command (default: the repo's .venv)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    return p.parse_args()


def customers_csv(rows: int) -> bytes:
    """`rows` new customers (phones unlike the seeded guests'), one in ten with an e-mail
    and no phone, and Vietnamese names."""
    lines = ["Họ tên,Số điện thoại,Email,Ghi chú,Đồng ý liên hệ"]
    for n in range(rows):
        if n % 10 == 9:
            lines.append(f"Trần Thị Nhập {n},,khach{n}@example.com,,có")
        else:
            lines.append(f"Lê Văn Nhập {n},07{n:08d},,khách từ hội chợ,không")
    return ("\n".join(lines) + "\n").encode()


class Gate:
    """`concurrency` clients, each checking guests in one after another on its own
    keep-alive connection; each answer's time and when it came."""

    def __init__(self, host: str, port: int, event_id: int, token: str, codes: list[str]):
        self.host, self.port, self.event_id, self.token = host, port, event_id, token
        self.codes = iter(codes)
        self.samples: list[tuple[float, float]] = []  # (finished at, latency s)
        self.not_ok = 0
        self.ran_out = False
        self.stop = False

    def request(self, code: str) -> bytes:
        body = json.dumps({"code": code, "event_id": self.event_id, "gate": "A",
                           "scan_id": uuid.uuid4().hex}).encode()
        return (f"POST /api/v1/checkins HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    async def client(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while not self.stop:
                code = next(self.codes, None)
                if code is None:
                    self.ran_out = True
                    return
                started = time.perf_counter()
                writer.write(self.request(code))
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                answer = await reader.readexactly(length)
                finished = time.perf_counter()
                self.samples.append((finished, finished - started))
                if b" 200 " not in status or b'"status":"ok"' not in answer:
                    self.not_ok += 1
        finally:
            writer.close()

    async def run(self, concurrency: int, until: threading.Event | float) -> None:
        async def stopper() -> None:
            while not (until.is_set() if isinstance(until, threading.Event)
                       else time.perf_counter() >= until):
                await asyncio.sleep(0.01)
            self.stop = True

        await asyncio.gather(stopper(), *(self.client() for _ in range(concurrency)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def post_csv(base: str, token: str, data: bytes, query: str) -> dict:
    request = urllib.request.Request(f"{base}/api/v1/customers/import?{query}", data=data,
                                     method="POST", headers={
                                         "Authorization": f"Bearer {token}",
                                         "Content-Type": "text/csv"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def phase_line(name: str, samples: list[float], seconds: float) -> str:
    return (f"{name}: {len(samples)} check-ins in {seconds:.1f} s ({len(samples) / seconds:.0f}/s),"
            f" p50 {percentile(samples, 0.5):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms,"
            f" max {max(samples) * 1000:.1f} ms")


def measure(server: bench.Server, seeded: bench.Seed, codes: list[str], args) -> dict:
    host, port = server.base.removeprefix("http://").split(":")
    gate = Gate(host, int(port), seeded.event_id, seeded.device_token, codes)
    data = customers_csv(args.rows)
    began = time.perf_counter()
    preview = post_csv(server.base, seeded.staff_token, data, "dry_run=true")
    preview_s = time.perf_counter() - began
    assert preview["good"] == args.rows and preview["bad"] == 0, preview["errors"][:3]
    print(f"preview: {preview['rows']} rows, {preview['good']} good, {preview_s:.2f} s "
          f"(the first large file also starts the process that reads files)")

    start = time.perf_counter()
    asyncio.run(gate.run(args.concurrency, start + args.alone))
    alone = [latency for _, latency in gate.samples]
    alone_s = time.perf_counter() - start
    print(phase_line("alone", alone, alone_s))

    gate.samples.clear()
    gate.stop = False
    done = threading.Event()
    result: dict = {}

    def importer() -> None:
        began = time.perf_counter()
        try:
            result["report"] = post_csv(server.base, seeded.staff_token, data,
                                        f"skip_bad_rows=true&preview={preview['digest']}")
        finally:
            result["span"] = (began, time.perf_counter())
            done.set()

    thread = threading.Thread(target=importer)
    time.sleep(0.2)
    thread.start()
    asyncio.run(gate.run(args.concurrency, done))
    thread.join()
    began, ended = result["span"]
    during = [latency for finished, latency in gate.samples
              if began <= finished - latency and finished <= ended]
    print(phase_line("during the import", during, ended - began))
    report = result["report"]
    assert report["saved"] and report["created"] == args.rows, report
    if gate.not_ok or gate.ran_out:
        print(f"WARNING: {gate.not_ok} answers other than ok; codes ran out: {gate.ran_out}")
    return {"import_s": ended - began, "during": during, "alone": alone,
            "preview_s": preview_s}


def main() -> int:
    args = parse_args()
    work, env, settings = bench.fresh_install("kiosk-bench-import-")
    codes_path = work / "codes.txt"
    print(f"Kiosk import benchmark on SQLite ({settings.resolved_database_url}); work dir {work}")
    bench.check_background_load()
    with bench.BenchRun(work, keep=args.keep) as run:
        server = run.serve(args.kiosk, env)
        started = time.monotonic()
        seeded = bench.seed(settings, args.invitations, codes_path)
        print(f"seeded event {seeded.event_id}: {seeded.codes} invited guests "
              f"({time.monotonic() - started:.1f} s)")
        codes = codes_path.read_text().split()
        figures = measure(server, seeded, codes, args)
        customers = bench.http_json(f"{server.base}/api/v1/customers?q=nhap&limit=1",
                                    seeded.staff_token)
        assert customers["items"], "the imported customers are not found"
        during_p99 = percentile(figures["during"], 0.99)
        alone_p99 = percentile(figures["alone"], 0.99)
        print(f"\nTargets (SQLite, 2 cores):\n"
              f"  import of {args.rows} rows < {TARGET_IMPORT_S} s: {figures['import_s']:.2f} s "
              f"{'MET' if figures['import_s'] < TARGET_IMPORT_S else 'NOT MET'}\n"
              f"  check-in p99 during the import < {TARGET_P99_MS} ms: {during_p99:.1f} ms "
              f"{'MET' if during_p99 < TARGET_P99_MS else 'NOT MET'}")
        print(f"import_s={figures['import_s']:.2f} checkin_during_import_p99_ms={during_p99:.1f} "
              f"checkin_alone_p99_ms={alone_p99:.1f} ratio={during_p99 / alone_p99:.1f} "
              f"preview_s={figures['preview_s']:.2f}")
        return 0
    return run.status


if __name__ == "__main__":
    sys.exit(main())
