#!/usr/bin/env python3
"""Summarise a py-spy raw (collapsed stacks) profile of the Kiosk server by kind of cost.

    py-spy record -p <server pid> --gil -r 100 -f raw -o server.txt -d 10
    .venv/bin/python bench/pyspy_summary.py server.txt [--rate 100 --requests 1250]

bench/checkin.py --py-spy does both for each measured phase.

Record with --gil: a sample is then "the thread holding the GIL", so shares add up to
the server's Python time (native time without the GIL, e.g. inside SQLite, is not
sampled). Each stack is put in the first matching bucket, in the order below.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# (bucket, any of these frame-name fragments) -- first match wins, checked in this order
WHERE = [
    ("auth lookup: staff.authenticate", ["authenticate (kiosk_server/staff/service.py"]),
    ("check-in: scan() (all its SQL, ORM, JSON of the log row)",
     ["scan (kiosk_server/checkin/service.py"]),
    ("write queue: batch transaction, savepoints, COMMIT (core/writer.py)",
     ["(kiosk_server/core/writer.py"]),
    ("response: validate + serialize ScanResult",
     ["serialize_response (fastapi", "_prepare_response_content", "jsonable_encoder",
      "JSONResponse.render", "Response.render", "_serialize_response"]),
    ("request body: JSON parse + ScanRequest validation",
     ["request_body_to_args", "_get_body", "Request.json", "Request.body"]),
    ("FastAPI dependencies (+ thread-pool hops of sync ones)",
     ["solve_dependencies", "run_in_threadpool", "run_sync", "WorkerThread",
      "contextmanager_in_threadpool", "_principal (kiosk_server", "get_language",
      "get_settings", "get_signer", "get_database"]),
    ("FastAPI/Starlette routing + middleware",
     ["(fastapi/", "(starlette/"]),
    ("uvicorn HTTP protocol + asyncio event loop", [""]),
]

WHAT = [
    ("SQLAlchemy: building statements (values(), coercions, ORM DML kv pairs)",
     ["ValuesBase.values", "_get_crud_kv_pairs", "_get_orm_crud_kv_pairs", "coercions.py",
      "Select.where", "select (sqlalchemy", "_generative"]),
    ("SQLAlchemy: cache keys + compile", ["cache_key.py", "_compile_w_cache", "compiler.py"]),
    ("DBAPI: sqlite3/psycopg execute, fetch, commit",
     ["do_execute (", "do_commit (", "do_execute_no_params", "cursor.execute",
      "_exec_insertmany_context", "psycopg/"]),
    ("SQLAlchemy: ORM loading (objects, identity map)",
     ["orm/loading.py", "orm/identity.py", "orm/state.py", "_instance ("]),
    ("SQLAlchemy: execution context, result processing, session machinery",
     ["sqlalchemy/"]),
    ("pydantic / SQLModel model building and JSON", ["pydantic", "sqlmodel/"]),
]


def load(path: str) -> list[tuple[list[str], int]]:
    stacks: list[tuple[list[str], int]] = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
        stacks.append((frames, int(count)))
    return stacks


def _table(stacks, rules, *, only=None, ms_per_sample: float | None, total: int) -> list[str]:
    buckets: Counter[str] = Counter()
    for frames, n in stacks:
        joined = ";".join(frames)
        if only is not None and not any(needle in joined for needle in only):
            continue
        for bucket, needles in rules:
            if any(needle in joined for needle in needles):
                buckets[bucket] += n
                break
        else:
            buckets["other (the project's own code, stdlib)"] += n
    lines = []
    for bucket, n in buckets.most_common():
        scaled = f"  {ms_per_sample * n:5.2f} ms/req" if ms_per_sample else ""
        lines.append(f"  {100 * n / total:5.1f}%{scaled}  {bucket}")
    return lines


DB_WORK = ["scan (kiosk_server/checkin/service.py", "authenticate (kiosk_server/staff/service.py",
           "Database.session (kiosk_server/core/db.py"]


def summarize(path: str, *, rate: float | None = None, requests: int | None = None) -> str:
    """The two tables as text; with the sampling rate and the requests served while
    recording, shares are also given in ms of GIL-holding time per request."""
    stacks = load(path)
    total = sum(n for _, n in stacks)
    if not total:
        return "no samples"
    ms_per_sample = 1000 / rate / requests if rate and requests else None
    held = f", {ms_per_sample * total:.2f} ms/req in all" if ms_per_sample else ""
    lines = [f"Where the server's Python (GIL-holding) time goes: {total} samples{held}"]
    lines += _table(stacks, WHERE, ms_per_sample=ms_per_sample, total=total)
    lines.append("Of that, inside scan() + authenticate + session commit, by kind of work:")
    lines += _table(stacks, WHAT, only=DB_WORK, ms_per_sample=ms_per_sample, total=total)
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("raw", help="py-spy --format raw output")
    p.add_argument("--rate", type=float, help="py-spy's sampling rate (-r)")
    p.add_argument("--requests", type=int, help="requests served while recording")
    args = p.parse_args()
    print(summarize(args.raw, rate=args.rate, requests=args.requests))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
