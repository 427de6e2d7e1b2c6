#!/usr/bin/env python3
"""Live-update benchmark: from a check-in sent to every connected monitor having it.

    .venv/bin/python bench/live.py                       # needs Redis for the second part
    .venv/bin/python bench/live.py --monitors 100 --scans 400

Starts `kiosk serve` (SQLite, a fresh temp dir), seeds an open event, connects
`--monitors` websockets to the event's live feed (/api/v1/events/{id}/live) as a
staff member, then sends check-ins one at a time over HTTP. For each check-in the
latency is the time from just before the request is sent to the moment the last
monitor has received that update (its `seq`). Two setups:

  1. one server process, every monitor on it;
  2. two server processes sharing the SQLite file and Redis (KIOSK_REDIS_URL,
     default redis://127.0.0.1:6379/0): check-ins go to process A, half of the
     monitors listen on A and half on B, so half of them are reached through Redis.

The monitors run in this process on one event loop; each only timestamps what it
receives (the JSON is read after the run), so the client adds little. Last line:

    p50_ms=.. p99_ms=.. redis_p50_ms=.. redis_p99_ms=..
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH_DIR))

import checkin as checkin_bench  # noqa: E402  (bench/checkin.py: Server, seed, free_port)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--monitors", type=int, default=100, help="websockets listening (100)")
    p.add_argument("--scans", type=int, default=400, help="check-ins per setup (400)")
    p.add_argument("--redis", default=os.environ.get("KIOSK_TEST_REDIS_URL")
                   or "redis://127.0.0.1:6379/0", help="Redis for the two-process setup")
    p.add_argument("--kiosk", default=str(REPO / ".venv" / "bin" / "kiosk"))
    return p.parse_args()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(scan_base: str, monitor_bases: list[str], seed, codes: list[str],
                  monitors: int, *, seq_before: int) -> list[float]:
    """Latency (ms) to the last monitor, per check-in. `seq_before`: the event's last update
    number before these check-ins (each check-in is the next one: they go one at a time)."""
    import httpx
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {seed.staff_token}"}
    arrivals: list[dict[int, float]] = [{} for _ in range(monitors)]
    raw: list[list[tuple[float, str]]] = [[] for _ in range(monitors)]
    sockets = []
    for n in range(monitors):
        base = monitor_bases[n % len(monitor_bases)].replace("http://", "ws://")
        sockets.append(await connect(f"{base}/api/v1/events/{seed.event_id}/live",
                                     additional_headers=headers, max_queue=None))

    async def listen(n: int) -> None:
        async for message in sockets[n]:
            raw[n].append((time.perf_counter(), message))

    listeners = [asyncio.create_task(listen(n)) for n in range(monitors)]
    await asyncio.sleep(0.5)  # every subscription in place
    sent: list[float] = []
    async with httpx.AsyncClient(base_url=scan_base, headers=headers, timeout=30) as http:
        for code in codes[:20]:  # warm-up
            await http.post("/api/v1/checkins", json={"code": code, "event_id": seed.event_id})
        await asyncio.sleep(0.5)
        for code in codes[20:]:
            started = time.perf_counter()
            answer = await http.post("/api/v1/checkins",
                                     json={"code": code, "event_id": seed.event_id})
            if answer.status_code != 200 or answer.json()["status"] != "ok":
                raise RuntimeError(f"check-in failed: {answer.status_code} {answer.text}")
            sent.append(started)
            await asyncio.sleep(0.005)
    await asyncio.sleep(1.0)
    for task in listeners:
        task.cancel()
    for socket in sockets:
        await socket.close()
    for n in range(monitors):
        for at, message in raw[n]:
            arrivals[n][json.loads(message)["seq"]] = at
    latencies = []
    for k, started in enumerate(sent):
        seq = seq_before + 20 + k + 1
        last = max(arrivals[n].get(seq, float("inf")) for n in range(monitors))
        if last == float("inf"):
            raise RuntimeError(f"update {seq} never reached every monitor")
        latencies.append((last - started) * 1000)
    return latencies


def report(name: str, latencies: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"  {name}: {len(latencies)} check-ins, to the last monitor: p50 {p50:.2f} ms  "
          f"p99 {p99:.2f} ms  max {max(latencies):.2f} ms  mean {statistics.mean(latencies):.2f}")
    return p50, p99


def main() -> int:
    args = parse_args()
    work, env, settings = checkin_bench.fresh_install("kiosk-bench-live-")
    print(f"Kiosk live-update benchmark: {args.monitors} monitors, work dir {work}")
    checkin_bench.check_background_load()
    needed = 2 * (args.scans + 20)
    with checkin_bench.BenchRun(work) as run:
        first = run.start([args.kiosk, "serve", "--port", str(port := checkin_bench.free_port()),
                           "--no-access-log"], port, env, work / "server-1.log")
        seed = checkin_bench.seed(settings, needed, work / "codes.txt")
        codes = (work / "codes.txt").read_text().split()
        print("1. one server process")
        single = asyncio.run(measure(first.base, [first.base], seed,
                                     codes[:args.scans + 20], args.monitors, seq_before=0))
        p50, p99 = report("one process", single)
        first.stop()

        import redis

        redis.Redis.from_url(args.redis, socket_connect_timeout=2).ping()
        print(f"2. two server processes over Redis ({args.redis})")
        redis_env = {**env, "KIOSK_REDIS_URL": args.redis}
        a, b = (run.start([args.kiosk, "serve", "--port", str(port := checkin_bench.free_port()),
                           "--no-access-log"], port, redis_env, work / f"server-redis-{n}.log")
                for n in (1, 2))
        # The event's update numbers go on after setup 1's check-ins.
        latencies = asyncio.run(measure(a.base, [a.base, b.base], seed,
                                        codes[args.scans + 20:], args.monitors,
                                        seq_before=args.scans + 20))
        redis_p50, redis_p99 = report("two processes, Redis", latencies)
    if run.status:
        return run.status
    print(f"p50_ms={p50:.2f} p99_ms={p99:.2f} redis_p50_ms={redis_p50:.2f} "
          f"redis_p99_ms={redis_p99:.2f}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
