"""The `kiosk` command: serve, migrate, demo, staff users, kiosk devices, campaigns."""

import asyncio
import ipaddress
import socket
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kiosk_server import demo as demo_data
from kiosk_server import history
from kiosk_server.campaigns import run as campaign_run
from kiosk_server.campaigns.progress import CampaignProgress
from kiosk_server.checkin import service as checkin
from kiosk_server.core.config import Settings
from kiosk_server.core.db import Database, id_of
from kiosk_server.core.errors import DomainError
from kiosk_server.core.migrations import upgrade
from kiosk_server.core.signing import TokenSigner
from kiosk_server.feedback.followup import run_pass
from kiosk_server.reports import charts
from kiosk_server.retention.worker import PassReport, full_pass
from kiosk_server.staff import service as staff
from kiosk_server.staff.models import Role, StaffCreate
from kiosk_server.wiring import retention_hooks

# The demo's statuses are also computed as of this many past Sundays: the owner's chart of
# statuses over time then has a line from the start (a few seconds for thousands of customers).
DEMO_STATUS_WEEKS = 26

app = typer.Typer(help="Kiosk: event check-in and loyalty server.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff users and their API tokens.", no_args_is_help=True)
device_app = typer.Typer(help="Kiosk devices.", no_args_is_help=True)
feedback_app = typer.Typer(help="Customers' feedback.", no_args_is_help=True)
retention_app = typer.Typer(help="Customers' statuses against their own rhythm.",
                            no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(device_app, name="device")
app.add_typer(feedback_app, name="feedback")
campaign_app = typer.Typer(help="Campaigns: one message to a segment of the customers.",
                           no_args_is_help=True)
app.add_typer(retention_app, name="retention")
app.add_typer(campaign_app, name="campaign")


def _prepare(settings: Settings) -> None:
    """Migrate the database and make sure the secret exists (created once, 0600)."""
    upgrade(settings.resolved_database_url)
    _ = settings.signing_key


def _database(settings: Settings) -> Database:
    _prepare(settings)
    return Database(settings.resolved_database_url)


def _fail(error: DomainError) -> None:
    typer.echo(f"error: {error.message_en} ({error.code})", err=True)
    raise typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    _prepare(Settings())
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="server processes")] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request")] = True,
    proxy_headers: Annotated[bool, typer.Option(
        help="trust X-Forwarded-* headers from a reverse proxy on this machine")] = False,
) -> None:
    """Migrate the database, then run the server."""
    _prepare(Settings())  # once, here, not in several workers at once
    uvicorn.run("kiosk_server.main:create_app_from_env", factory=True, host=host, port=port,
                workers=workers, access_log=access_log, proxy_headers=proxy_headers)


@app.command()
def demo(customers: Annotated[int, typer.Option(
        min=0, max=1_000_000, help="also add this many customers with a year of synthetic "
        "visits and sales (regulars with their own rhythms, drifters planted among them), "
        "and compute their statuses")] = 0) -> None:
    """Create or refresh the demo seminar (500 invited guests) and print how to use it."""
    settings = Settings()
    database = _database(settings)
    password = demo_data.new_admin_password()
    with database.session() as session:
        login = demo_data.create_or_refresh(session, signer=TokenSigner(settings.signing_key),
                                            settings=settings, password=password)
    if customers:
        _demo_history(database, settings, customers)
    url = settings.public_url.rstrip("/")
    typer.echo(f"""
Kiosk demo is ready: "{demo_data.DEMO_EVENT_NAME}" (event {login.event_id}), 500 guests invited.

  Sign in:        {url}/   user: {login.username}   password: {login.password}
  API docs:       {url}/docs
  Kiosk device:   Authorization: Bearer {login.device_token}
  An invitation:  {login.sample_invitation_code}
  A member card:  {login.sample_card_code}
  The till:       {url}/checkout   (scan or type the member card above)

Try a check-in:
  curl -s -X POST {url}/api/v1/checkins -H 'Authorization: Bearer {login.device_token}' \\
       -H 'Content-Type: application/json' \\
       -d '{{"code": "{login.sample_invitation_code}", "event_id": {login.event_id}}}'
{on_the_network(lan_address(), event_id=login.event_id)}""")


def _demo_history(database: Database, settings: Settings, count: int) -> None:
    """A year of synthetic visits and sales, the statuses now (a full pass, which also
    keeps today's customers per status), and the customers per status at the end of each
    of the last `DEMO_STATUS_WEEKS` Sundays, computed from the visits and sales before
    each (nothing else keeps past statuses): each batch's visit days are read once, its
    spend once per Sunday, about 8 s for 10,000 customers."""
    with database.session() as session:
        planted = history.write(session, history.people(count), zone=settings.zone)
    report = _full_pass(database, settings)
    weeks = charts.record_status_history(database, zone=settings.zone, weeks=DEMO_STATUS_WEEKS)
    flagged = [plant for plant in planted if plant.status.value in {"watch", "at_risk", "lapsed"}]
    typer.echo(f"{count} customers with a year of visits and sales added; statuses computed "
               f"in {report.seconds:.1f} s (and as of each of the last {weeks} Sundays, for "
               f"the chart of statuses). Drifters planted ({len(flagged)} flagged):")
    for plant in planted:
        typer.echo(f"  #{plant.customer_id:<7} {plant.status.value:8} {plant.reason.value:13} "
                   f"{plant.label}")


def lan_address() -> str | None:
    """This machine's address on its local network, or None. A UDP socket "connected" to a
    private address sends nothing: the system only picks the interface that would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    parsed = ipaddress.ip_address(address)
    return None if parsed.is_loopback or parsed.is_unspecified else address


def on_the_network(address: str | None, *, event_id: int, port: int = 8000) -> str:
    """How to open the demo from a phone or a tablet: the server listens on localhost
    only, and the links in cards and invitations name `KIOSK_PUBLIC_URL`."""
    host = address or "<this machine's address>"
    public = f"KIOSK_PUBLIC_URL=http://{host}:{port}"
    return f"""
From a phone or a tablet on the same network, serve on the network with links to this machine:
  {public} kiosk serve --host 0.0.0.0 --port {port}
  (from the source tree: {public} bash scripts/demo.sh --host 0.0.0.0 --port {port})
then open http://{host}:{port}/kiosk on the tablet (pair it: kiosk device pair --event {event_id}).
A camera needs HTTPS on another device (browsers allow it on plain HTTP for localhost only):
on plain HTTP, scan with a handheld scanner.
"""


@staff_app.command("create")
def staff_create(
    username: Annotated[str, typer.Option(help="login name")],
    password: Annotated[str, typer.Option(help="at least 8 characters")],
    role: Annotated[Role, typer.Option(help="admin or staff")] = Role.STAFF,
    full_name: Annotated[str, typer.Option(help="shown on screens")] = "",
) -> None:
    """Add a staff user (works without the server running)."""
    try:
        data = StaffCreate(username=username, password=password, role=role, full_name=full_name)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    password_hash = staff.hash_password(data.password)  # before the write transaction
    try:
        with _database(Settings()).session() as session:
            user = staff.create_staff(session, data=data, password_hash=password_hash)
    except DomainError as error:
        _fail(error)
    typer.echo(f"created {user.role.value} {user.username} (id {user.id})")


@staff_app.command("token")
def staff_token(
    username: Annotated[str, typer.Argument(help="the staff user")],
    label: Annotated[str, typer.Option(help="what the token is for")] = "cli",
) -> None:
    """Print a new API token for a staff user."""
    with _database(Settings()).session() as session:
        user = staff.get_staff_by_username(session, username=username)
        if user is None:
            typer.echo(f"error: no staff user {username!r}", err=True)
            raise typer.Exit(code=1)
        _, secret = staff.create_api_token(session, staff_id=id_of(user), label=label)
    typer.echo(secret)


@device_app.command("pair")
def device_pair(
    event: Annotated[int, typer.Option(help="the event id the kiosk will check in for")],
    gate: Annotated[str, typer.Option(help="gate name shown on the monitor")] = "",
) -> None:
    """Print a pairing code to type into a kiosk page (valid a few minutes, once)."""
    try:
        with _database(Settings()).session() as session:
            pairing, code = checkin.create_pairing(session, event_id=event, gate=gate,
                                                   created_by=None)
            expires = pairing.expires_at
    except DomainError as error:
        _fail(error)
    typer.echo(f"{code}  (event {event}, gate {gate or '-'}; valid until "
               f"{expires.astimezone(Settings().zone):%H:%M})")


@device_app.command("create")
def device_create(
    event: Annotated[int, typer.Option(help="the event id the device may check in for")],
    gate: Annotated[str, typer.Option(help="gate name shown on the monitor")] = "",
    name: Annotated[str, typer.Option(help="device name")] = "",
) -> None:
    """Print a device token that may check guests in for one event."""
    try:
        with _database(Settings()).session() as session:
            _, secret = checkin.register_device(
                session, event_id=event, name=name or f"Kiosk {gate}".strip(), gate=gate,
                created_by=None,
            )
    except DomainError as error:
        _fail(error)
    typer.echo(secret)


@feedback_app.command("follow-up")
def feedback_follow_up() -> None:
    """Run one follow-up pass now: queue the feedback requests by message that are due (the
    server runs one every 45 seconds by itself; two at once still send once per visit)."""
    settings = Settings()
    database = _database(settings)
    try:
        report = run_pass(database, settings=settings,
                          signer=TokenSigner(settings.signing_key))
    finally:
        database.dispose()
    typer.echo(f"{report.sent} messages queued, {report.skipped} visits settled without one")


def _full_pass(database: Database, settings: Settings, *, refit: bool = False) -> PassReport:
    wired = retention_hooks(settings)
    return full_pass(database, zone=settings.zone, hooks=wired.statuses,
                     after=wired.after_pass, refit=refit)


@retention_app.command("recompute")
def retention_recompute(refit: Annotated[bool, typer.Option(
        "--fit", help="fit the return-visit model on the whole history first, and score "
                      "with it (as the server does each night)")] = False) -> None:
    """Recompute every customer's status now (the server does it each night by itself, and
    for a customer as soon as a visit or sale of theirs is recorded)."""
    settings = Settings()
    database = _database(settings)
    try:
        report = _full_pass(database, settings, refit=refit)
    finally:
        database.dispose()
    typer.echo(f"{report.customers} customers, {report.changes} status changes, "
               f"{report.seconds:.1f} s")


def _campaign_line(found: CampaignProgress) -> str:
    return (f"{found.sent} sent, {found.failed} failed, {found.unknown} unknown, "
            f"{found.cancelled} cancelled, {found.remaining} remaining; {found.hold_out} in "
            f"the hold-out, {found.left_out} left out, {found.unsubscribed} unsubscribed")


@campaign_app.command("send")
def campaign_send(campaign_id: Annotated[int, typer.Argument(help="the campaign's id")]) -> None:
    """Start the campaign (or carry on its start) and send its messages from this process,
    with a progress bar, until none is left; safe to run again after a stop: nobody gets a
    message twice (one cut off mid-send is counted unknown, and not sent again)."""
    settings = Settings()
    database = _database(settings)
    try:
        campaign_run.begin(database, campaign_id, settings=settings)
        with Progress(TextColumn("[bold]campaign {task.fields[campaign]}"), BarColumn(),
                      MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                      console=Console(stderr=True)) as bar:
            task = bar.add_task("send", total=None, campaign=campaign_id, info="starting")

            def report(found: CampaignProgress) -> None:
                eta = f", {found.eta_s} s left" if found.eta_s is not None else ""
                bar.update(task, total=found.recipients or None,
                           completed=found.recipients - found.remaining,
                           info=f"{found.state.value}, {found.rate_per_min:.0f}/min{eta}")

            final = asyncio.run(campaign_run.send(database, campaign_id, settings=settings,
                                                  report=report))
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()
    typer.echo(f"campaign {campaign_id} {final.state.value}: {_campaign_line(final)}")
