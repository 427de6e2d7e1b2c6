#!/usr/bin/env python3
"""Check-in benchmark: the real server in its own process, wrk as the load generator.

    .venv/bin/python bench/checkin.py                  # SQLite file in a fresh temp dir
    .venv/bin/python bench/checkin.py --postgres       # database kiosk_bench on 127.0.0.1
    .venv/bin/python bench/checkin.py --postgres postgresql+psycopg://postgres@127.0.0.1/x

Steps: start `kiosk serve` on a free local port; seed one open event with N invited
customers in this process with the project's code (customers in bulk INSERTs built like
customers.service.create_customer does, invitations by events.service.invite, the device
by checkin.service.register_device; same data dir and settings, so the same secret key);
then POST /api/v1/checkins with wrk (bench/checkin.lua), every request a distinct,
never-used invitation code: a short warm-up, a phase at concurrency 1, a phase at
concurrency 32. Check-ins are counted by the server (GET /api/v1/events/{id}/stats)
before and after each phase. The last line of output is machine-readable:

    c1_p50_ms=.. c1_p99_ms=.. c32_p50_ms=.. c32_p99_ms=.. c32_checkins_per_s=..

PostgreSQL: the schema `public` of the target database is DROPPED and recreated.
Needs `wrk` (Debian: apt-get install -y wrk). Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LUA_SCRIPT = BENCH_DIR / "checkin.lua"
# Its own database: the bench empties it, and the test suite uses `test`.
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/kiosk_bench"
HOST = "127.0.0.1"

sys.path.insert(0, str(REPO))  # run from a checkout even if the package is not installed
sys.path.insert(1, str(BENCH_DIR))  # pyspy_summary


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgres", nargs="?", metavar="URL",
                   const=DEFAULT_PG,
                   help="benchmark on PostgreSQL (creates the database if missing, then drops "
                        "and recreates its schema public!); default URL: " + DEFAULT_PG)
    p.add_argument("--invitations", type=int, default=60_000,
                   help="invited guests = codes available to the whole run (default 60000)")
    p.add_argument("--duration", type=float, default=10.0,
                   help="seconds per measured phase (default 10)")
    p.add_argument("--warmup", type=float, default=2.0,
                   help="seconds of unmeasured warm-up at concurrency 4 (default 2; 0 = none)")
    p.add_argument("--connections", type=int, default=32, help="concurrency of phase 2 (32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads in phase 2 (2)")
    p.add_argument("--timeout", type=float, default=10.0, help="wrk request timeout, s (10)")
    p.add_argument("--kiosk", default=str(REPO / ".venv" / "bin" / "kiosk"),
                   help="the kiosk command (default: the repo's .venv)")
    p.add_argument("--seed-via-service", action="store_true",
                   help="create customers one by one with customers.service.create_customer "
                        "(slower) instead of one bulk INSERT per 5,000")
    p.add_argument("--py-spy", action="store_true",
                   help="also sample the server with py-spy (--gil) during each measured phase "
                        "and print where its Python time goes (costs some throughput)")
    p.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (db, codes, server log)")
    return p.parse_args()


# --------------------------------------------------------------------------- server

def fresh_install(prefix: str, database_url: str | None = None):
    """A new work directory and what a server started in it gets: (work dir, the
    environment with exactly these KIOSK_* settings and no others of ours, Settings)."""
    from kiosk_server.core.config import Settings

    work = Path(tempfile.mkdtemp(prefix=prefix))
    data_dir = work / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_DATA_DIR"] = str(data_dir)
    if database_url:
        env["KIOSK_DATABASE_URL"] = database_url
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key=None,
                        _env_file=None)
    return work, env, settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_json(url: str, token: str | None = None, timeout: float = 30) -> dict:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Server:
    """`kiosk serve` in its own process (and session), stopped by its pid."""

    def __init__(self, argv: list[str], port: int, env: dict[str, str], log_path: Path) -> None:
        self.base = f"http://{HOST}:{port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115  (open while the server runs)
        self.proc = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if http_json(self.base + "/healthz", timeout=2).get("status") == "ok":
                    return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the server and its worker processes."""
        total, pending = 0, [self.proc.pid]
        while pending:
            pid = pending.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
            pending.extend(int(child) for child in children)
        return total / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 40) -> str:
        if not self._log.closed:
            self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


class BenchRun:
    """One bench run's servers and work directory. Used as `with BenchRun(...) as run:`
    around the run, then `return run.status`: on an error the servers' log tails are
    shown (status 1; Ctrl-C or SIGTERM: 130); whatever happens the servers are stopped
    and the work directory removed, unless it is to be kept (`keep`, or interrupted)."""

    def __init__(self, work: Path, *, keep: bool = False) -> None:
        self.work = work
        self.keep = keep
        self.servers: list[Server] = []
        self.status = 0

    def start(self, argv: list[str], port: int, env: dict[str, str], log_path: Path) -> Server:
        """A `kiosk serve` process, once it answers."""
        server = Server(argv, port, env, log_path)
        self.servers.append(server)
        server.wait_healthy()
        return server

    def serve(self, kiosk: str, env: dict[str, str], *extra: str) -> Server:
        """`kiosk serve` on a free local port without an access log, its log in the work
        directory; says where it runs once it answers."""
        port = free_port()
        started = time.monotonic()
        server = self.start([kiosk, "serve", "--host", HOST, "--port", str(port),
                             "--no-access-log", *extra], port, env, self.work / "server.log")
        print(f"server pid {server.proc.pid} on {server.base}, "
              f"healthy after {time.monotonic() - started:.1f} s")
        return server

    def __enter__(self) -> BenchRun:
        def on_term(signum, _frame):
            raise KeyboardInterrupt(f"signal {signum}")

        signal.signal(signal.SIGTERM, on_term)
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
        if interrupted:
            print(f"interrupted ({error})", file=sys.stderr)
            self.status = 130
        elif kind is not None:
            print(f"error: {error}", file=sys.stderr)
            for server in self.servers:
                print("server log tail:\n" + server.log_tail(), file=sys.stderr)
            self.status = 1
        for server in self.servers:
            server.stop()
        if self.keep or interrupted:
            print(f"kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return kind is None or issubclass(kind, Exception | KeyboardInterrupt)


def check_background_load() -> None:
    busy0, total0 = machine_busy()
    time.sleep(1)
    busy1, total1 = machine_busy()
    background = 100 * (busy1 - busy0) / max(1, total1 - total0)
    print(f"background CPU load before start: {background:.0f}% of {os.cpu_count()} cores")
    if background > 15:
        print("WARNING: other processes are busy; the figures below will be pessimistic")


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


# --------------------------------------------------------------------------- seeding

@dataclass
class Seed:
    event_id: int
    device_token: str
    staff_token: str
    codes: int


def reset_postgres(url: str) -> None:
    """Create the bench database if needed (via the server's `postgres` database), empty it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": target.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _guest(n: int):
    from kiosk_server.customers.models import CustomerCreate

    return CustomerCreate(full_name=f"Nguyễn Thị Khách {n}", phone=f"09{n:08d}",
                          consent_email=True)


def _insert_customers(session, guests) -> list[int]:
    """Customers as customers.service.create_customer makes them (E.164 phone, folded name),
    in one multi-row INSERT instead of one flush and savepoint per row (~10x faster)."""
    from sqlalchemy import insert

    from kiosk_server.core.text import fold, normalize_phone
    from kiosk_server.core.types import utcnow
    from kiosk_server.customers.models import Customer

    now = utcnow()
    rows = [dict(guest.model_dump(exclude={"phone"}), phone=normalize_phone(guest.phone),
                 name_folded=fold(guest.full_name), visit_count=0, created_at=now)
            for guest in guests]
    statement = insert(Customer).returning(Customer.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def seed(settings, count: int, codes_path: Path, via_service: bool = False) -> Seed:
    """One open event, `count` invited customers, a staff API token and a kiosk device.

    Customers are inserted in bulk unless `via_service` (customers.service.create_customer,
    one at a time); invitations go through events.service.invite, 5,000 at a time."""
    from kiosk_server.checkin import service as checkin
    from kiosk_server.core.db import Database
    from kiosk_server.core.migrations import upgrade
    from kiosk_server.core.signing import TokenKind, TokenSigner
    from kiosk_server.core.types import utcnow
    from kiosk_server.customers import service as customers
    from kiosk_server.customers.contact import ConsentBy
    from kiosk_server.customers.models import ConsentSource
    from kiosk_server.events import service as events
    from kiosk_server.events.models import EventCreate
    from kiosk_server.staff import service as staff
    from kiosk_server.staff.models import Role, StaffCreate

    url = settings.resolved_database_url
    upgrade(url)  # already done by `kiosk serve`; a no-op, kept so seeding stands alone
    signer = TokenSigner(settings.signing_key)
    database = Database(url)
    try:
        now = utcnow()
        with database.session() as session:
            admin = staff.create_staff(session, data=StaffCreate(
                username="bench", password="bench-password-1", role=Role.ADMIN),
                password_hash=staff.hash_password("bench-password-1"))
            _, staff_token = staff.create_api_token(session, staff_id=admin.id, label="bench")
            event = events.create_event(session, data=EventCreate(
                name="Benchmark seminar", venue="127.0.0.1",
                starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=6),
                checkin_opens_at=now - timedelta(minutes=10),
                checkin_closes_at=now + timedelta(hours=6),
            ))
            event_id = event.id
            _, device_token = checkin.register_device(
                session, event_id=event_id, name="Bench kiosk", gate="A", created_by=admin.id)
        chunk = 5_000
        with open(codes_path, "w") as out:
            for start in range(0, count, chunk):
                numbers = range(start, min(start + chunk, count))
                with database.session() as session:
                    if via_service:
                        ids = [customers.create_customer(
                            session, data=_guest(n),
                            by=ConsentBy(ConsentSource.IMPORT)).id
                               for n in numbers]
                    else:
                        ids = _insert_customers(session, [_guest(n) for n in numbers])
                    invitations = events.invite(session, event_id=event_id, customer_ids=ids)
                    out.writelines(signer.sign(TokenKind.INVITATION, i.serial) + "\n"
                                   for i in invitations)
    finally:
        database.dispose()
    return Seed(event_id=event_id, device_token=device_token, staff_token=staff_token,
                codes=count)


# --------------------------------------------------------------------------- load

@dataclass
class Phase:
    name: str
    threads: int
    connections: int
    duration: float
    wrk: dict
    wrk_text: str
    checked_in_delta: int
    server_cpu_s: float
    machine_busy_pct: float
    wrk_cpu_s: float

    @property
    def verified_checkins(self) -> int:
        """Check-ins answered `ok` within the phase and found in the database (the server
        may also have saved up to `connections` requests still in flight at the end)."""
        return min(self.wrk["ok"], self.checked_in_delta)

    @property
    def seconds(self) -> float:
        return self.wrk["duration_us"] / 1e6

    def ms(self, key: str) -> float:
        return self.wrk[key] / 1000


def checked_in(server: Server, s: Seed) -> int:
    return http_json(f"{server.base}/api/v1/events/{s.event_id}/stats", s.staff_token)["checked_in"]


def settled_checked_in(server: Server, s: Seed, timeout: float = 60) -> int:
    """The event's check-in count once it stops moving: when wrk stops, requests it had in
    flight are still being served, and they must not be counted in the next phase."""
    deadline = time.monotonic() + timeout
    last = checked_in(server, s)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = checked_in(server, s)
        if now == last:
            return now
        last = now
    raise RuntimeError("the server kept checking guests in after wrk stopped")


PY_SPY_RATE = 100


def py_spy_command() -> str | None:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def run_phase(name: str, *, server: Server, s: Seed, codes_path: Path, work: Path, first: int,
              count: int, threads: int, connections: int, duration: float, timeout: float,
              py_spy: str | None = None) -> Phase:
    result_path = work / f"wrk-{name}.json"
    env = dict(os.environ, KIOSK_BENCH_CODES=str(codes_path), KIOSK_BENCH_FIRST=str(first),
               KIOSK_BENCH_COUNT=str(count), KIOSK_BENCH_THREADS=str(threads),
               KIOSK_BENCH_EVENT=str(s.event_id), KIOSK_BENCH_TOKEN=s.device_token,
               KIOSK_BENCH_RESULT=str(result_path))
    before = settled_checked_in(server, s)
    cpu0, (busy0, total0) = server.cpu_seconds(), machine_busy()
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               f"--timeout={max(1, round(timeout))}s", "--latency", "-s", str(LUA_SCRIPT),
               f"{server.base}/api/v1/checkins"]
    spy = None
    if py_spy:
        spy = subprocess.Popen(
            [py_spy, "record", "-p", str(server.proc.pid), "--gil", "--nonblocking",
             "-r", str(PY_SPY_RATE), "-f", "raw", "-o", str(work / f"py-spy-{name}.txt"),
             "-d", str(max(1, round(duration)))],
            stdout=subprocess.DEVNULL, stderr=open(work / f"py-spy-{name}.log", "wb"))  # noqa: SIM115
    children_before = children_cpu()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = proc.communicate(timeout=duration + timeout + 60)
    except BaseException as exc:  # timeout, Ctrl-C, SIGTERM: do not leave wrk (or py-spy) behind
        for child in (proc, spy):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()
        if isinstance(exc, subprocess.TimeoutExpired):
            raise RuntimeError(f"wrk ({name}) did not finish") from None
        raise
    wrk_cpu = children_cpu() - children_before  # wrk is reaped; py-spy not yet
    cpu1, (busy1, total1) = server.cpu_seconds(), machine_busy()
    if spy is not None:
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()
    text = output.decode(errors="replace")
    (work / f"wrk-{name}.txt").write_text(text)
    if proc.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"wrk ({name}) failed with {proc.returncode}:\n{text}")
    after = settled_checked_in(server, s)
    return Phase(name=name, threads=threads, connections=connections, duration=duration,
                 wrk=json.loads(result_path.read_text()), wrk_text=text,
                 checked_in_delta=after - before, server_cpu_s=cpu1 - cpu0,
                 machine_busy_pct=100 * (busy1 - busy0) / max(1, total1 - total0),
                 wrk_cpu_s=wrk_cpu)


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(phase: Phase, work: Path | None = None) -> None:
    w = phase.wrk
    rps = w["requests"] / phase.seconds
    errors = w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]
    print(f"--- {phase.name}: wrk -t{phase.threads} -c{phase.connections}, "
          f"{phase.seconds:.2f} s")
    print(f"  requests {w['requests']}  ({rps:.0f}/s)   non-200 {w['non_200']}   "
          f"socket errors {errors} (timeouts {w['err_timeout']})")
    print(f"  answers: ok {w['ok']}   other 200 (already_checked_in/invalid/...) "
          f"{w['other_200']}")
    print(f"  latency ms: p50 {phase.ms('p50_us'):.2f}  p90 {phase.ms('p90_us'):.2f}  "
          f"p99 {phase.ms('p99_us'):.2f}  p99.9 {phase.ms('p999_us'):.2f}  "
          f"max {phase.ms('lat_max_us'):.2f}  mean {w['lat_mean_us'] / 1000:.2f}")
    print(f"  distinct check-ins recorded by the server: {phase.checked_in_delta} "
          f"(incl. requests in flight at the end); answered ok in time and recorded: "
          f"{phase.verified_checkins} = {phase.verified_checkins / phase.seconds:.0f}/s")
    spy = work / f"py-spy-{phase.name}.txt" if work else None
    if spy is not None and spy.exists():
        from pyspy_summary import summarize

        print("  " + summarize(str(spy), rate=PY_SPY_RATE, requests=w["requests"])
              .replace("\n", "\n  "))
    if w["requests"]:
        print(f"  server CPU {phase.server_cpu_s:.2f} s = "
              f"{1000 * phase.server_cpu_s / w['requests']:.2f} ms/request "
              f"({100 * phase.server_cpu_s / phase.seconds:.0f}% of one core); "
              f"wrk CPU {phase.wrk_cpu_s:.2f} s "
              f"({100 * phase.wrk_cpu_s / phase.seconds:.1f}% of one core); "
              f"machine busy {phase.machine_busy_pct:.0f}% of 2 cores")


def run_phases(server: Server, s: Seed, codes_path: Path, work: Path, args: argparse.Namespace,
               spy_command: str | None = None) -> list[Phase]:
    """Warm-up (unmeasured), concurrency 1, concurrency --connections; each on unused codes."""
    phases: list[Phase] = []
    next_code = 0  # codes before this line of the file are used (or skipped): never reused
    scanned = 0

    def phase(name: str, threads: int, connections: int, duration: float) -> Phase:
        nonlocal next_code, scanned
        available = s.codes - next_code
        if available < threads:
            raise RuntimeError("no invitation codes left; raise --invitations")
        result = run_phase(name, server=server, s=s, codes_path=codes_path, work=work,
                           first=next_code, count=available, threads=threads,
                           connections=connections, duration=duration,
                           timeout=args.timeout,
                           py_spy=spy_command if name != "warm-up" else None)
        if result.wrk["exhausted"]:
            raise RuntimeError(
                f"phase {name} ran out of invitation codes ({available} for {threads} "
                f"threads); raise --invitations so that no code is ever scanned twice")
        # Thread i used codes [first + i*per, first + i*per + sent_i); skip past the last.
        per = available // threads
        used_end = max(i * per + n for i, n in enumerate(result.wrk["sent_per_thread"]))
        next_code += used_end
        scanned += result.wrk["sent"]
        return result

    if args.warmup > 0:
        warm = phase("warm-up", 1, 4, args.warmup)
        print(f"warm-up: {warm.wrk['requests']} requests, {warm.checked_in_delta} check-ins "
              f"(not measured)")
    phases.append(phase("c1", 1, 1, args.duration))
    report(phases[-1], work)
    phases.append(phase(f"c{args.connections}", min(args.threads, args.connections),
                        args.connections, args.duration))
    report(phases[-1], work)
    print(f"codes sent: {scanned} of {s.codes} (each at most once)")
    return phases


def summarize_phases(phases: list[Phase], backend: str) -> None:
    """Warnings, the targets, and the machine-readable last line."""
    c1, cn = phases
    problems = []
    for p in phases:
        if p.wrk["non_200"]:
            problems.append(f"{p.name}: {p.wrk['non_200']} non-200 answers")
        if p.wrk["other_200"]:
            problems.append(f"{p.name}: {p.wrk['other_200']} answers other than ok")
        if not p.wrk["ok"] <= p.checked_in_delta <= p.wrk["ok"] + p.connections:
            problems.append(f"{p.name}: server counted {p.checked_in_delta} check-ins, "
                            f"wrk saw {p.wrk['ok']} ok answers")
    for problem in problems:
        print("WARNING:", problem)
    rate = cn.verified_checkins / cn.seconds
    print(f"\nTargets (defined for SQLite, 2 cores; this run: {backend}):\n"
          f"  c1 p99 < 15 ms: {c1.ms('p99_us'):.2f} ms "
          f"{'MET' if c1.ms('p99_us') < 15 else 'NOT MET'}\n"
          f"  c32 >= 2000 check-ins/s: {rate:.0f} {'MET' if rate >= 2000 else 'NOT MET'}\n"
          f"  c32 p99 < 50 ms: {cn.ms('p99_us'):.2f} ms "
          f"{'MET' if cn.ms('p99_us') < 50 else 'NOT MET'}")
    print(f"c1_p50_ms={c1.ms('p50_us'):.2f} c1_p99_ms={c1.ms('p99_us'):.2f} "
          f"c32_p50_ms={cn.ms('p50_us'):.2f} c32_p99_ms={cn.ms('p99_us'):.2f} "
          f"c32_checkins_per_s={rate:.0f}")


# --------------------------------------------------------------------------- main

def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("error: `wrk` is not installed; it is the load generator of this benchmark.\n"
              "       Install it (Debian/Ubuntu: sudo apt-get install -y wrk) and run again.",
              file=sys.stderr)
        return 2
    if not Path(args.kiosk).exists():
        print(f"error: kiosk command not found at {args.kiosk} (see --kiosk)", file=sys.stderr)
        return 2

    spy_command = None
    if args.py_spy:
        spy_command = py_spy_command()
        if spy_command is None:
            print("error: --py-spy needs py-spy (.venv/bin/pip install py-spy)", file=sys.stderr)
            return 2

    database_url = args.postgres
    backend = "PostgreSQL" if database_url else "SQLite"
    work, env, settings = fresh_install("kiosk-bench-", database_url)
    codes_path = work / "codes.txt"
    print(f"Kiosk check-in benchmark on {backend} "
          f"({database_url or settings.resolved_database_url}); work dir {work}")

    check_background_load()

    with BenchRun(work, keep=args.keep) as run:
        if database_url:
            reset_postgres(database_url)
        server = run.serve(args.kiosk, env, "--workers", str(args.workers))

        started = time.monotonic()
        s = seed(settings, args.invitations, codes_path, via_service=args.seed_via_service)
        print(f"seeded event {s.event_id}: {s.codes} invited guests, codes in {codes_path} "
              f"({time.monotonic() - started:.1f} s)")

        phases = run_phases(server, s, codes_path, work, args, spy_command)
        summarize_phases(phases, backend)
        return 0
    return run.status


if __name__ == "__main__":
    sys.exit(main())
