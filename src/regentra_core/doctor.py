"""``regentra doctor``: what is wrong with this desk, as the calling account sees it.

Every check reads; nothing here changes a file or a row (the fixes are commands
for a person to run, often as root). A finding says what is wrong in the words of
whoever runs it and the exact command that fixes it; a healthy desk has none.

Called by the CLI; the facts (config in effect, secrets set / not set, who holds
the worker lease) are returned alongside for the report's header.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select

from . import locations
from .clock import describe_offset
from .config import SECRETS, Settings
from .errors import RegentraError, ValidationError
from .events import EventKind
from .identity import os_username
from .search.catchup import BUILD_LIMIT
from .search.engine import SearchIndex, index_path_for
from .search.postgres import PostgresSearch
from .sharing import group_name as _group_name
from .sharing import is_member, is_shared_dir, process_in_group
from .sharing import mode_text as _mode
from .sharing import owner_text as _owner
from .store.engine import Database, normalise_url
from .store.models import Event, KBArticle, Technician, Ticket
from .worker.lease import current_lease, lease_is_skewed


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong, and the command that puts it right."""

    problem: str
    fix: str


@dataclass
class Examination:
    """The facts in effect, everything found wrong, and what only deserves a warning.

    A warning is true and worth acting on but breaks nothing now (no daemon while
    ``worker --once`` runs the jobs, a disk filling up): ``doctor`` prints it with its
    fix and still exits 0, so a clean desk is not reported broken for it.
    """

    facts: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def fact(self, name: str, value: str) -> None:
        self.facts.append((name, value))

    def found(self, problem: str, fix: str) -> None:
        self.findings.append(Finding(problem, fix))

    def warn(self, problem: str, fix: str) -> None:
        self.warnings.append(Finding(problem, fix))


SYSTEMD_RUNTIME = Path("/run/systemd/system")
"""Present when systemd is the init system (the test ``sd_booted()`` makes)."""


def examine(
    settings: Settings, database_target: str, now: datetime, *, systemd: bool | None = None
) -> Examination:
    """Check the desk named by ``database_target`` as this process's account.

    ``systemd``: whether the host runs systemd (default: look), which decides how a
    fix starts the worker daemon.
    """
    exam = Examination()
    me = os_username()
    files = locations.config_files()
    exam.fact("config", ", then ".join(str(p) for p in files) if files else "none (defaults)")
    service = _service_account(settings)
    _check_secrets(exam, settings, files, service)
    url = normalise_url(database_target)
    group = settings.shared_group
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    exam.fact("database", str(path) if path else url)
    index = settings.index_dir or index_path_for(url, settings.data_dir)
    _check_space(
        exam,
        path.parent if path else None,
        settings.data_dir,
        None if settings.search_engine == "postgresql" else index,
    )
    if systemd is None:
        systemd = SYSTEMD_RUNTIME.is_dir()
    if path is not None:
        folder = path.parent
        try:
            st = folder.stat()
        except OSError as exc:
            exam.found(f"cannot reach the desk folder {folder}: {exc.strerror}", _init_fix(path))
            return exam
        if group is None and is_shared_dir(st):
            group = _group_name(st.st_gid)
        exam.fact("desk", f"shared with group {group}" if group else "private to its owner")
        if group:
            _check_membership(exam, group, me)
        try:
            path.stat()
        except FileNotFoundError:
            exam.found(f"there is no desk at {path}", _init_fix(path, group))
            return exam
        except OSError as exc:
            exam.found(
                f"you ({me}) cannot reach {path}: {exc.strerror} ({_owner(st)} {_mode(st)})",
                f"usermod -aG {group} {me} (as root), then log in again"
                if group
                else f"run Regentra as the owner of {path}",
            )
            return exam
        if group:
            _check_shared_folder(exam, folder, group)
        else:
            _check_private_files(exam, path)
        if not (os.access(path, os.R_OK | os.W_OK) and os.access(folder, os.W_OK | os.X_OK)):
            exam.found(
                f"you ({me}) cannot write {path} or create files in {folder}",
                f"usermod -aG {group} {me} (as root), then log in again"
                if group
                else f"run Regentra as the owner of {path}",
            )
            return exam
    try:
        db = Database(database_target, create=False)
    except RegentraError as exc:
        exam.found(str(exc), "check database_url in the config above")
        return exam
    try:
        _check_identity(exam, db, me)
        _check_index(exam, settings, db, group)
        start = _start_daemon(service, systemd, shared=group is not None or path is None)
        _check_worker(exam, settings, db, now, start)
    except RegentraError as exc:
        exam.found(str(exc), "fix the database first (see the problem above)")
    finally:
        db.close()
    return exam


# -- secrets ----------------------------------------------------------------------


def _check_secrets(
    exam: Examination, settings: Settings, files: list[Path], service: str | None
) -> None:
    secrets = settings.secrets()
    sources = {secret.name: secret.source() for secret in secrets}
    given = [f"{name} ({source})" for name, source in sources.items() if source]
    missing = [name for name, source in sources.items() if not source]
    exam.fact(
        "secrets",
        "; ".join(
            part
            for part in (
                f"set: {', '.join(given)}" if given else "",
                f"not in the settings read here: {', '.join(missing)}" if missing else "",
                _worker_settings_note(files, service) if missing else "",
            )
            if part
        ),
    )
    for secret in secrets:
        if secret.file is not None:
            _check_secret_file(exam, f"{secret.name}_file", secret.file, service)
    for config in files:
        try:
            keys = set(tomllib.loads(config.read_text(encoding="utf-8")))
            st = config.stat()
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for name in sorted(keys & set(SECRETS)):
            if st.st_mode & 0o044:
                exam.found(
                    f"{config} holds the secret {name} and other accounts can read it",
                    f"move it to a file only the service account reads and set "
                    f'{name}_file = "/etc/regentra/secrets/{name}" instead',
                )


def _worker_settings_note(files: list[Path], service: str | None) -> str:
    """Where the daemon's own secrets are named, when this doctor does not read it.

    The README's layout names the secret files in the service account's
    ``worker.toml`` (0600): a technician's doctor, or root's without that config,
    sees none of them, and "not set" alone read as if mail and AI were not set up.
    """
    worker = locations.site_config_file().with_name("worker.toml")
    if worker in files or not worker.exists():
        return ""
    owner = service or "regentra"
    check = f"runuser -u {owner} -- env REGENTRA_CONFIG={worker} regentra doctor"
    if os.access(worker, os.R_OK):
        return f"the worker's own settings ({worker}) are not read here: check them with {check}"
    return f"the worker's ({worker}) are {owner}'s, not readable by you: correct ({check})"


def _check_secret_file(exam: Examination, setting: str, path: Path, service: str | None) -> None:
    """A secret file as this account should find it.

    The README's layout gives each secret to the service account alone (0600, in a
    0700 folder). A technician cannot read it, by design: that is correct and said
    so. The service account (or root) must find it readable and not empty. Whoever
    runs this, a secret the group or others may read is a problem.
    """
    me = os.getuid()
    owner = service or "regentra"
    install = f"install -m 600 -o {owner} /dev/stdin {path}   (as root; paste the secret, ctrl-d)"
    try:
        st = path.stat()
    except PermissionError:
        _held_elsewhere(exam, setting, path, _nearest_visible(path), service)
        return
    except FileNotFoundError:
        exam.found(f"{setting} {path} does not exist", install)
        return
    except OSError as exc:
        exam.found(f"{setting} {path}: {exc.strerror}", install)
        return
    if st.st_mode & 0o077:
        exam.found(
            f"the secret in {path} can be read by other accounts ({_owner(st)} {_mode(st)})",
            f"chmod 600 {path}",
        )
        return
    if me != 0 and st.st_uid != me:
        _held_elsewhere(exam, setting, path, (path, st), service)
        return
    try:
        empty = not path.read_bytes().strip()
    except OSError as exc:
        exam.found(
            f"{setting} {path}: {exc.strerror} ({_owner(st)} {_mode(st)})", f"chmod 600 {path}"
        )
        return
    if empty:
        exam.found(f"the secret file {path} ({setting}) is empty", install)
    elif me == 0 and st.st_uid == 0 and service not in (None, "root"):
        exam.found(
            f"{path} ({setting}) belongs to root: the worker, running as {service}, cannot read it",
            f"chown {service} {path}",
        )
    else:
        exam.fact(setting, f"{path}: readable, not empty ({_owner(st)} {_mode(st)})")


def _held_elsewhere(
    exam: Examination,
    setting: str,
    path: Path,
    seen: tuple[Path, os.stat_result] | None,
    service: str | None,
) -> None:
    """A secret this account cannot read: correct for a technician, not for the worker."""
    holder = _user_name(seen[1].st_uid) if seen else "another account"
    where = f"{path}" if seen is None or seen[0] == path else f"{path} (in {seen[0]})"
    if service is not None and os_username() == service:
        exam.found(
            f"you ({service}) run the worker and cannot read the secret {where}, held by {holder}",
            f"chown {service} {path} && chmod 600 {path}   (as root)",
        )
    elif holder == "root" and service not in (None, "root"):
        exam.found(
            f"the secret {where} is held by root: the worker, running as {service}, "
            "cannot read it either",
            " ".join(
                ["chown", service, *dict.fromkeys([str(path), str(seen[0] if seen else path)])]
            )
            + "   (as root)",
        )
    else:
        exam.fact(setting, f"{where}: held by {holder} (not readable by you: correct)")


def _nearest_visible(path: Path) -> tuple[Path, os.stat_result] | None:
    """The closest folder above ``path`` this account can see (the one that keeps it out)."""
    for folder in path.parents:
        try:
            return folder, folder.stat()
        except OSError:
            continue
    return None


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _service_account(settings: Settings) -> str | None:
    """The account the worker daemon runs as, as far as the host says.

    The README's layout gives it ``worker.toml`` beside the host config and the
    secrets folder; the first of those that another account than root owns names it.
    None where nothing says (a private desk, a host set up some other way).
    """
    candidates = [locations.site_config_file().with_name("worker.toml")]
    for secret in settings.secrets():
        if secret.file is not None:
            candidates += [secret.file, secret.file.parent]
    for candidate in candidates:
        try:
            uid = candidate.stat().st_uid
        except OSError:
            continue
        if uid != 0:
            return _user_name(uid)
    return None


# -- the daemon, the disk -----------------------------------------------------------


def _start_daemon(service: str | None, systemd: bool, *, shared: bool) -> str:
    """How to start the worker daemon for this desk on this host.

    A shared desk's daemon runs as the service account: the unit where systemd runs,
    else ``runuser`` (``systemctl`` on a host without systemd only fails). A private
    desk's runs as its owner.
    """
    if not shared:
        return "keep `regentra worker` running as you (e.g. in tmux, or: nohup regentra worker &)"
    account = service or "regentra"
    if systemd:
        unit = Path("/etc/systemd/system/regentra-worker.service")
        if _stat(unit) or _stat(Path("/lib/systemd/system/regentra-worker.service")):
            return "systemctl enable --now regentra-worker   (as root)"
        return (
            "cp docs/regentra-worker.service /etc/systemd/system/ && "
            "systemctl enable --now regentra-worker   (as root)"
        )
    worker_toml = locations.site_config_file().with_name("worker.toml")
    config = f"env REGENTRA_CONFIG={worker_toml} " if _stat(worker_toml) else ""
    return (
        f"this host has no systemd: as root, setsid runuser -u {account} -- {config}"
        "regentra worker >/dev/null 2>&1 &   (and the same at boot, e.g. an @reboot "
        "line in root's crontab)"
    )


LOW_SPACE_BYTES = 100 * 1024 * 1024
"""Free space below which a disk is low, whatever its size."""
LOW_SPACE_SHARE = 0.02
"""A share of the disk below which it is low too (at most ``LOW_SPACE_CAP``)."""
LOW_SPACE_CAP = 1024 * 1024 * 1024


def space_is_low(free: int, total: int) -> bool:
    """Whether ``free`` bytes of ``total`` is too little for a desk to keep working.

    SQLite needs room for its write-ahead log and a checkpoint, and a rebuild of
    the search index writes a whole new index beside the old one; a full disk
    refuses every write. 100 MB, or 2 % of a larger disk (capped at 1 GB, so a 4 TB
    disk with 70 GB free is not called low).
    """
    return free < max(LOW_SPACE_BYTES, min(int(total * LOW_SPACE_SHARE), LOW_SPACE_CAP))


def _check_space(exam: Examination, *places: Path | None) -> None:
    """Free space on each disk that holds the desk, the data folder or the index."""
    disks: dict[int, tuple[list[Path], os.statvfs_result]] = {}
    for place in places:
        if place is None:
            continue
        try:  # the nearest folder this account can see: the same disk, or its parent's
            existing, st = next((p, st) for p in (place, *place.parents) if (st := _stat(p)))
            usage = os.statvfs(existing)
        except (StopIteration, OSError):
            continue
        device = st.st_dev
        named = disks.setdefault(device, ([], usage))[0]
        if place not in named:  # the desk folder is often data_dir too
            named.append(place)
    lines = []
    for where, usage in disks.values():
        free = usage.f_bavail * usage.f_frsize
        total = usage.f_blocks * usage.f_frsize
        names = ", ".join(str(p) for p in where)
        share = f"{100 * free / total:.1f} %" if total else "0 %"
        lines.append(f"{_size(free)} free of {_size(total)} ({share}) for {names}")
        if space_is_low(free, total):
            exam.warn(
                f"the disk holding {names} is nearly full: {_size(free)} free of "
                f"{_size(total)} ({share}); writes will soon fail",
                f"free some space there (du -xh {where[0]} | sort -h | tail shows what is large)",
            )
    if lines:
        exam.fact("disk", "; ".join(lines))


def _stat(path: Path) -> os.stat_result | None:
    """``path``'s status, or None where it is missing or out of this account's reach."""
    try:
        return path.stat()
    except OSError:
        return None


def _size(count: int) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


# -- files ------------------------------------------------------------------------


def _init_fix(path: Path, group: str | None = None) -> str:
    if group:
        return f"regentra init --shared {group} --dir {path.parent}"
    return f"regentra --db {path} init"


def _check_membership(exam: Examination, group: str, me: str) -> None:
    if os.getuid() == 0:
        pass  # root reads and writes everything; membership is for people
    elif not is_member(group, me):
        exam.found(
            f"you ({me}) are not a member of the desk's group {group}",
            f"usermod -aG {group} {me} (as root), then log in again",
        )
    elif not process_in_group(group):
        exam.found(
            f"you ({me}) were added to {group}, but this login session does not have it yet",
            f"log out and in again (or: newgrp {group})",
        )


def _check_shared_folder(exam: Examination, folder: Path, group: str) -> None:
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        exam.found(f"the desk's group {group} does not exist", f"groupadd {group}")
        return
    st = folder.stat()
    if st.st_gid != gid or (st.st_mode & 0o7777) != 0o2770:
        exam.found(
            f"the desk folder {folder} is {_owner(st)} {_mode(st)}, not {group} 2770 (setgid)",
            f"chgrp {group} {folder} && chmod 2770 {folder}",
        )
    for root, dirs, names in os.walk(folder):
        for name in sorted(dirs) + sorted(names):
            _check_shared_file(exam, Path(root, name), group, gid)


def _check_shared_file(exam: Examination, path: Path, group: str, gid: int) -> None:
    try:
        st = path.lstat()
    except OSError:
        return  # a -wal or -shm removed while we walked
    if stat.S_ISLNK(st.st_mode):
        return
    is_dir = stat.S_ISDIR(st.st_mode)
    wanted = "2770" if is_dir else "660"
    fix = f"chgrp {group} {path} && chmod {wanted} {path}"
    what = _describe(path)
    if st.st_mode & 0o007:
        exam.found(f"{what} can be read by every account ({_owner(st)} {_mode(st)})", fix)
    elif st.st_gid != gid:
        exam.found(f"{what} belongs to group {_group_name(st.st_gid)}, not {group}", fix)
    elif (st.st_mode & 0o060) != 0o060 or (is_dir and (st.st_mode & 0o010) == 0):
        exam.found(f"{what} is not writable by the group {group} ({_owner(st)} {_mode(st)})", fix)


def _check_private_files(exam: Examination, database: Path) -> None:
    candidates = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    for path in candidates:
        try:
            st = path.stat()
        except OSError:
            continue
        if st.st_mode & 0o077:
            exam.found(
                f"{_describe(path)} of a private desk can be read by other accounts "
                f"({_owner(st)} {_mode(st)})",
                f"chmod 600 {path}   (or share it: regentra init --shared GROUP)",
            )


def _describe(path: Path) -> str:
    for suffix, what in (("-wal", "the SQLite -wal file"), ("-shm", "the SQLite -shm file")):
        if path.name.endswith(suffix):
            return f"{what} {path}"
    return str(path)


# -- the database's view ----------------------------------------------------------


def _check_identity(exam: Examination, db: Database, me: str) -> None:
    with db.read() as s:
        tech = s.exec(select(Technician).where(Technician.username == me)).first()
    if tech is not None and tech.active:
        exam.fact("you", f"{me}, {tech.role.value}")
    else:
        exam.fact("you", f"{me}, not a registered technician (may run the worker only)")


def _check_index(exam: Examination, settings: Settings, db: Database, group: str | None) -> None:
    if settings.search_engine == "postgresql":
        _check_postgres_search(exam, db)
        return
    path = settings.index_dir or index_path_for(db.url, settings.data_dir)
    exam.fact("search index", str(path))
    if not path.exists():
        if _documents(db) <= BUILD_LIMIT:  # `regentra search` builds it in a second
            exam.warn(
                f"the search index {path} is not built yet (the next search or the worker "
                "builds it)",
                "regentra reindex",
            )
        else:
            exam.found(
                f"the search index {path} is missing (searches fall back to subjects only)",
                "the worker rebuilds it; or now: regentra reindex",
            )
        return
    blocked = [
        p
        for p in [path, *path.iterdir()]
        if not os.access(p, os.W_OK) and not (p.is_dir() and not os.access(p, os.X_OK))
    ]
    if blocked:
        first = blocked[0]
        st = first.stat()
        fix = (
            f"chgrp -R {group} {path} && chmod -R g+rwX,o-rwx {path}"
            if group
            else f"chown -R {os_username()} {path}"
        )
        exam.found(
            f"you cannot write the search index: {first} is {_owner(st)} {_mode(st)}"
            + (f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""),
            fix,
        )
    elif not SearchIndex(path, db).is_healthy():
        exam.found(f"the search index {path} is damaged or outdated", "regentra reindex")


def _documents(db: Database) -> int:
    """Tickets and articles: what an index build has to write."""
    with db.read() as s:
        tickets = s.exec(select(func.count()).select_from(Ticket)).one()
        articles = s.exec(select(func.count()).select_from(KBArticle)).one()
    return int(tickets) + int(articles)


def _check_postgres_search(exam: Examination, db: Database) -> None:
    try:
        engine = PostgresSearch(db)
    except ValidationError as exc:
        exam.found(str(exc), "set search_engine = 'whoosh' (or move: regentra migrate-db)")
        return
    exam.fact("search", engine.location)
    if not engine.is_healthy():
        exam.found(
            "PostgreSQL's search documents are not built yet (searches match subjects only)",
            "the worker builds them; or now: regentra reindex",
        )


def _check_worker(
    exam: Examination, settings: Settings, db: Database, now: datetime, start: str
) -> None:
    """The lease, judged by the database's clock (its times are the database's);
    ``now`` is this host's clock, compared with it: a worker here refuses to run
    jobs when the two disagree by more than the tolerance."""
    _check_clock(exam, settings, db, now)
    lease = current_lease(db)
    if lease is None:
        _check_without_daemon(exam, db, start)
        return
    db_now = lease.read_at
    ago = _ago(lease.heartbeat_age)
    exam.fact("worker", f"{lease.holder}, last heartbeat {ago} ago: {lease.last_result}")
    for job, said in lease.failing().items():
        # A job failing run after run (a mail server out of reach, a wrong password)
        # loses nothing (it retries), but nothing comes in meanwhile: worth saying.
        exam.warn(
            f"the worker's {job} job failed on its last run: {said}",
            "it tries again on its timer; its log (worker.log in the desk folder) has "
            "each run, and the job's command (e.g. `regentra mail poll` as the service "
            "account) shows the error at once",
        )
    if lease_is_skewed(lease.expires_at, db_now, settings.worker_lease_seconds):
        exam.found(
            f"the lease of {lease.holder} runs until {lease.expires_at:%Y-%m-%d %H:%M} UTC, "
            "further ahead than a lease lasts: that host's clock is ahead",
            "fix its clock (timedatectl; chrony); the next worker takes the lease over",
        )
    elif not lease.alive():
        exam.found(f"no worker holds the lease (the last was {lease.holder}, {ago} ago)", start)
    elif lease.by_app:
        needs = _needs_daemon(settings)
        if needs:
            exam.found(
                f"only a technician's app ({lease.holder}) runs the jobs; {needs} "
                "need the worker daemon",
                start,
            )
        else:
            # No channel and no model: an app's worker runs every job there is, and
            # they stop only while no app is open. Worth knowing, not a fault.
            exam.warn(
                f"only a technician's app ({lease.holder}) runs the jobs: they stop "
                "while no app is open",
                start,
            )


def _needs_daemon(settings: Settings) -> str:
    """What on this desk only the daemon can do (it holds the secrets), in words."""
    wanted = (
        ("mail", settings.imap.configured or settings.smtp.configured),
        ("SMS", settings.twilio.configured),
        ("model drafts", settings.ai.configured),
    )
    return " and ".join(name for name, on in wanted if on)


def _check_without_daemon(exam: Examination, db: Database, start: str) -> None:
    """No worker has ever held the lease: has ``worker --once`` run the jobs?

    ``--once`` takes no lease; it leaves an Event. A desk whose jobs a person (or
    cron) runs that way works, only late: a warning with the way to a daemon, not
    "never".
    """
    with db.read() as s:
        last = s.exec(
            select(Event.at)
            .where(Event.kind == EventKind.WORKER_RAN_ONCE)
            .order_by(col(Event.id).desc())
            .limit(1)
        ).first()
    if last is None:
        exam.fact("worker", "none has ever run on this desk")
        exam.found("no worker has ever run on this desk: nothing auto-closes or indexes", start)
        return
    at = last if last.tzinfo else last.replace(tzinfo=UTC)
    ago = _ago(db.server_now() - at)
    exam.fact("worker", f"no daemon; last `regentra worker --once` at {at:%Y-%m-%d %H:%M} UTC")
    exam.warn(
        f"no daemon holds the jobs; the last `regentra worker --once` was at {at:%H:%M} UTC "
        f"({ago} ago): mail, SMS, auto-close and the SLA sweep wait for the next one",
        start,
    )


def _check_clock(exam: Examination, settings: Settings, db: Database, now: datetime) -> None:
    offset = now - db.server_now()
    tolerance = settings.worker_clock_tolerance_seconds
    if abs(offset.total_seconds()) <= tolerance:
        exam.fact("clock", f"agrees with the database's (within {tolerance:g} s)")
    else:
        exam.fact("clock", f"{describe_offset(offset)} the database's")
        exam.found(
            f"this host's clock is {describe_offset(offset)} the database's (more than "
            f"worker_clock_tolerance_seconds = {tolerance:g}): a worker here runs no jobs",
            "fix the clock: timedatectl set-ntp true (or chrony); check with: timedatectl",
        )


# -- wording ----------------------------------------------------------------------


def _ago(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
