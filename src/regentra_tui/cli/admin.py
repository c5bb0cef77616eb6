"""Set-up and operations commands: init, demo, technician, worker."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.table import Table

from regentra_core import (
    DEFAULT_SERVICE_ACCOUNT,
    DEFAULT_SHARED_DIR,
    SHARED_ATTACHMENTS,
    SHARED_DATABASE_NAME,
    Actor,
    Desk,
    Role,
    ValidationError,
    configure_worker_logging,
    describe_offset,
    has_sla_policies,
    list_technicians,
    load_demo,
    make_service_dir,
    make_service_file,
    make_shared_dir,
    os_username,
    parse_when,
    record_once,
    run_due_jobs,
    seed_sla,
    service_account,
    share_files,
    site_config_file,
    status_counts,
    utcnow,
    write_site_config,
)

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, jsonable


@click.command("init")
@click.option("--demo", "with_demo", is_flag=True, help="Also load the demo desk.")
@click.option(
    "--shared",
    "group",
    metavar="GROUP",
    help="Set up a desk that every member of GROUP can use and nobody else can read.",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"With --shared: the desk folder (default {DEFAULT_SHARED_DIR}).",
)
@click.option(
    "--lead",
    metavar="USER",
    help="The first lead technician (default: you; root must name one with --shared: a "
    "shared desk's lead is a technician's own account, never root).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --shared: the host-wide config to write (default /etc/regentra/config.toml).",
)
@click.option(
    "--service-account",
    "service_name",
    metavar="USER",
    help="With --shared: the account the daemon runs as, given the secrets folder and "
    f"worker.toml beside the config (default: {DEFAULT_SERVICE_ACCOUNT}, if it exists).",
)
@json_option
@pass_cli
def init(
    state: CliContext,
    with_demo: bool,
    group: str | None,
    folder: Path | None,
    lead: str | None,
    config_path: Path | None,
    service_name: str | None,
    as_json: bool,
) -> None:
    """Create or upgrade the database; the first account to run it becomes a lead.

    With --shared GROUP (run by root or a member of GROUP) the desk lives in a
    group-owned setgid folder, mode 2770, and everything in it is created
    group-readable and writable and never world-readable, whatever anyone's umask.
    The host-wide config is written to name the desk, so technicians just type
    'regentra'; its folder is 0755 and the file 0644 (names only). The service
    account gets, beside it, a secrets folder (0700) and worker.toml (0600).
    """
    state.identity_required = False
    state.may_create = True
    if (folder or config_path or service_name) and not group:
        raise click.UsageError("--dir, --config and --service-account go with --shared GROUP")
    me = os_username()
    if lead is None and group and os.getuid() == 0:
        raise click.UsageError("name the first lead technician: --lead USER")
    shared_config: Path | None = None
    service = None
    if group:
        if state.db_option:
            raise click.UsageError("--shared puts the desk in --dir; leave out --db")
        desk_folder = make_shared_dir(folder or DEFAULT_SHARED_DIR, group)
        make_shared_dir(desk_folder.path / SHARED_ATTACHMENTS, group)
        database = desk_folder.path / SHARED_DATABASE_NAME
        state.db_option = str(database)
        shared_config = config_path or site_config_file()
        service = service_account(service_name)
        if service is not None and service_name is None and os.geteuid() != 0:
            service = None  # only root can give files to the default account
    db = state.db  # opening migrates to head
    if group:
        assert db.path is not None
        share_files(db.path.parent, group)
        state.search_index().ensure()
        assert shared_config is not None
        write_site_config(
            shared_config,
            {
                "database_url": str(db.path),
                "data_dir": str(db.path.parent),
                "shared_group": group,
            },
        )
        if service is not None:
            make_service_dir(shared_config.parent / "secrets", service, group)
            make_service_file(shared_config.parent / "worker.toml", service, group)
    first_lead = lead or me
    registered = None
    if not list_technicians(db, active_only=False):
        Desk(db, Actor.system("init"), source="cli").add_technician(first_lead, role=Role.LEAD)
        registered = first_lead
    seeded = 0
    if not with_demo and not has_sla_policies(Desk(db, Actor.system("init"), source="cli")):
        seeded = seed_sla(Desk(db, Actor.system("init"), source="cli"))
    config = state.settings.desk_config()
    loaded = load_demo(db, operator=first_lead, config=config) if with_demo else None
    summary = {
        "database": db.display_url,
        "registered_lead": registered,
        "demo": loaded,
        "sla_policies_seeded": seeded,
        "tickets": sum(status_counts(db).values()),
        "shared_group": group,
        "config": str(shared_config) if shared_config else None,
        "service_account": service.pw_name if group and service else None,
    }
    if as_json:
        emit_json(summary)
        return
    click.echo(f"Database ready: {db.display_url}")
    if registered:
        click.echo(f"Registered {registered} as the first lead technician.")
    if seeded:
        click.echo(f"Seeded {seeded} SLA policies (see: regentra sla show).")
    if loaded:
        click.echo(f"Loaded the demo desk: {summary['tickets']} tickets.")
    if group:
        click.echo(f"Shared with group {group} (folder mode 2770); wrote {shared_config}.")
        assert shared_config is not None
        if service is not None:
            click.echo(
                f"The service account {service.pw_name} owns {shared_config.parent}/secrets "
                f"(0700) and {shared_config.parent}/worker.toml (0600)."
            )
        else:
            click.echo(
                f"No service account yet: create it ({DEFAULT_SERVICE_ACCOUNT}) and run this "
                "again, or name one with --service-account USER."
            )
        click.echo(
            f"Next: add each technician and the service account to {group} "
            f"(usermod -aG {group} USER), register technicians (regentra technician add "
            "USER), start the worker (systemctl enable --now regentra-worker), and check "
            "with 'regentra doctor'."
        )


def demo_database_path(state: CliContext) -> Path:
    return state.settings.data_dir / "demo.db"


@click.command("demo")
@click.option("--no-tui", is_flag=True, help="Only build the demo database and print a summary.")
@json_option
@pass_cli
def demo(state: CliContext, no_tui: bool, as_json: bool) -> None:
    """Open the app on a fresh demo database (rebuilt every time, no set-up)."""
    state.identity_required = False
    state.may_create = True
    if state.db_option is None:
        path = demo_database_path(state)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        # The old demo's search index belongs to the old database: start afresh.
        shutil.rmtree(f"{path}.index", ignore_errors=True)
        state.db_option = str(path)
    db = state.db
    if sum(status_counts(db).values()):
        raise click.ClickException(f"{db.display_url} already has tickets; demo wants a fresh one")
    load_demo(db, operator=os_username(), config=state.settings.desk_config())
    counts = status_counts(db)
    if as_json:
        emit_json({"database": db.display_url, "statuses": counts})
        return
    if no_tui or not os.isatty(1):
        out = console()
        out.print(f"Demo desk ready in {db.display_url}")
        table = Table(box=None, pad_edge=False)
        table.add_column("Status")
        table.add_column("Tickets", justify="right")
        for status, n in counts.items():
            table.add_row(status.label, str(n))
        out.print(table)
        exe = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else "regentra"
        out.print(f"Try: {exe} --db {db.display_url.removeprefix('sqlite:///')} ticket list")
        return
    from .launch import launch_app

    launch_app(state)


@click.group("technician")
def technician() -> None:
    """Register and list technicians (the Unix accounts that may work tickets)."""


@technician.command("add")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (default: from the account).")
@click.option("--lead", is_flag=True, help="Make a lead (may register technicians).")
@json_option
@pass_cli
def technician_add(
    state: CliContext, username: str, display_name: str | None, lead: bool, as_json: bool
) -> None:
    """Register USERNAME (a login account on this host) as a technician (leads only)."""
    try:
        pwd.getpwnam(username)
    except KeyError:
        raise ValidationError(
            f"no account {username!r} on this host: technicians are the host's login "
            "accounts (create it first, e.g. useradd)"
        ) from None
    tech = state.desk().add_technician(
        username, display_name, Role.LEAD if lead else Role.TECHNICIAN
    )
    if as_json:
        emit_json({"username": tech.username, "display_name": tech.display_name, "role": tech.role})
        return
    click.echo(f"{tech.username} is a {tech.role.value}")


@technician.command("list")
@json_option
@pass_cli
def technician_list(state: CliContext, as_json: bool) -> None:
    """List active technicians."""
    techs = list_technicians(state.db)
    rows = [
        {"username": t.username, "display_name": t.display_name, "role": t.role.value}
        for t in techs
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['username']:<16} {row['role']:<11} {row['display_name']}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every due job once and exit.")
@click.option(
    "--at",
    "at_text",
    metavar="WHEN",
    help="With --once: run as of this time (an ISO time, or a day: 2026-11-25, yesterday).",
)
@click.option(
    "--force", is_flag=True, help="With --at: allow a time ahead of now (future-dated changes)."
)
@json_option
@pass_cli
def worker(state: CliContext, once: bool, at_text: str | None, force: bool, as_json: bool) -> None:
    """Run the background jobs: auto-close, SLA sweep, search indexing, mail and SMS.

    Without --once it runs until SIGTERM/SIGINT, as the single lease holder or as a
    hot standby that takes over when the holder stops renewing its lease (a daemon
    takes it at once from a technician's app). SIGHUP, or a change to a config
    file, reloads the channel settings. A host whose clock is off the database's by
    more than worker_clock_tolerance_seconds runs no jobs.
    """
    state.identity_required = False  # the worker runs as a service account
    if at_text and not once:
        raise click.UsageError("--at goes with --once")
    if not once:
        _run_daemon(state)
        return
    if not at_text:
        _refuse_a_wrong_clock(state)
    at: datetime = parse_when(at_text, utcnow()) if at_text else utcnow()
    if at > utcnow() + timedelta(minutes=1) and not force:
        raise ValidationError(
            f"--at {at:%Y-%m-%d %H:%M} UTC is in the future: the jobs would write changes "
            "dated then into this desk (auto-close, SLA breaches). Add --force if you mean it."
        )
    wiring = state.wiring()
    # Mail first, so what it fetched is swept and indexed in this same run.
    channels = {job.name: job.run() for job in (*wiring.channel_jobs(), *wiring.ai_jobs(True))}
    report = run_due_jobs(state.db, at, state.settings.desk_config())
    indexed = wiring.index_backlog()
    record_once(state.db, report, indexed, channels)
    if as_json:
        emit_json({**jsonable(report), "indexed": indexed, "channels": channels})
        return
    closed = report.auto_closed
    click.echo(f"Auto-closed {len(closed)} ticket(s)" + (f": {_numbers(closed)}" if closed else ""))
    sweep = report.sla
    click.echo(
        f"SLA sweep: checked {sweep.checked}, {len(sweep.changed)} badge change(s), "
        f"{len(sweep.flagged)} flagged, {len(sweep.escalated)} moved to Escalated"
    )
    rules = report.automations
    if rules.rules:
        acted = sum(len(n) for n in rules.matched.values())
        click.echo(f"Periodic rules: {rules.rules} on {rules.checked} ticket(s), {acted} acted")
    click.echo(f"Search index: {indexed} change(s) indexed")
    for name, result in channels.items():
        click.echo(f"{name}: {result}")


def _refuse_a_wrong_clock(state: CliContext) -> None:
    """``--once`` dates its changes by this host's clock: not if the database's
    disagrees (the daemon's rule, :mod:`regentra_core.worker.runner`)."""
    offset = utcnow() - state.db.server_now()
    tolerance = state.settings.worker_clock_tolerance_seconds
    if abs(offset.total_seconds()) > tolerance:
        raise ValidationError(
            f"this host's clock is {describe_offset(offset)} the database's (more than "
            f"worker_clock_tolerance_seconds = {tolerance:g}): the jobs would be dated by "
            "it. Fix the clock (timedatectl; chrony), or name the time with --at."
        )


def _run_daemon(state: CliContext) -> None:
    """Run until SIGTERM/SIGINT; reload the channel settings on SIGHUP or when a file
    they come from changes (looked at every heartbeat), keeping the lease."""
    from regentra_core import Settings, SettingsWatch, Wiring, reload_settings

    settings = state.settings
    wiring = state.wiring()  # first: opening the desk sets the modes of what we create
    log_file = configure_worker_logging(settings.data_dir)
    runner = wiring.runner(label="worker", with_secrets=True)
    stop, hangup = threading.Event(), threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        (hangup if signum == signal.SIGHUP else stop).set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)

    def rebuild(new: Settings) -> list[str]:
        fresh = Wiring(new, wiring.db, wiring.index, wiring.clock)
        jobs = fresh.channel_jobs() + fresh.ai_jobs(True)
        runner.replace_extra_jobs(jobs, new.desk_config())
        return [job.name for job in runner.jobs]

    jobs = ", ".join(job.name for job in runner.jobs)
    click.echo(
        f"Worker {runner.holder} on {wiring.db.display_url} ({jobs}); log: {log_file}", err=True
    )
    watch = SettingsWatch(settings)
    runner.start()
    looked = time.monotonic()
    try:
        while not stop.wait(0.5):
            due = time.monotonic() - looked >= settings.worker_heartbeat_seconds
            if not (due or hangup.is_set()):
                continue
            looked = time.monotonic()
            if watch.changed(settings) or hangup.is_set():
                hangup.clear()
                settings = reload_settings(settings, rebuild)
                watch.changed(settings)  # the new settings may name other secret files
    finally:
        runner.stop()
    click.echo("Worker stopped.", err=True)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(f"#{n}" for n in numbers)


COMMANDS: list[click.Command] = [init, demo, technician, worker]
