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
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import select

from . import locations
from .clock import describe_offset
from .config import SECRETS, Settings
from .errors import RegentraError, ValidationError
from .identity import os_username
from .search.engine import SearchIndex, index_path_for
from .search.postgres import PostgresSearch
from .sharing import group_name as _group_name
from .sharing import is_member, is_shared_dir, process_in_group
from .sharing import mode_text as _mode
from .sharing import owner_text as _owner
from .store.engine import Database, normalise_url
from .store.models import Technician
from .worker.lease import current_lease, lease_is_skewed


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong, and the command that puts it right."""

    problem: str
    fix: str


@dataclass
class Examination:
    """The facts in effect and everything found wrong."""

    facts: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def fact(self, name: str, value: str) -> None:
        self.facts.append((name, value))

    def found(self, problem: str, fix: str) -> None:
        self.findings.append(Finding(problem, fix))


def examine(settings: Settings, database_target: str, now: datetime) -> Examination:
    """Check the desk named by ``database_target`` as this process's account."""
    exam = Examination()
    me = os_username()
    files = locations.config_files()
    exam.fact("config", ", then ".join(str(p) for p in files) if files else "none (defaults)")
    _check_secrets(exam, settings, files)
    url = normalise_url(database_target)
    group = settings.shared_group
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    exam.fact("database", str(path) if path else url)
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
        _check_worker(exam, settings, db, now)
    except RegentraError as exc:
        exam.found(str(exc), "fix the database first (see the problem above)")
    finally:
        db.close()
    return exam


# -- secrets ----------------------------------------------------------------------


def _check_secrets(exam: Examination, settings: Settings, files: list[Path]) -> None:
    sources = {name: settings.secret_source(name) for name in SECRETS}
    given = [f"{name} ({source})" for name, source in sources.items() if source]
    missing = [name for name, source in sources.items() if not source]
    exam.fact(
        "secrets",
        "; ".join(
            part
            for part in (
                f"set: {', '.join(given)}" if given else "",
                f"not set: {', '.join(missing)}" if missing else "",
            )
            if part
        ),
    )
    for name in SECRETS:
        path: Path | None = getattr(settings, f"{name}_file")
        if path is None:
            continue
        try:
            st = path.stat()
        except OSError as exc:
            exam.found(
                f"{name}_file {path}: {exc.strerror}",
                f"install -m 600 -o SERVICE_ACCOUNT /dev/stdin {path}  (paste the secret)",
            )
            continue
        if st.st_mode & 0o077:
            exam.found(
                f"the secret in {path} can be read by other accounts ({_mode(st)})",
                f"chmod 600 {path}",
            )
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


def _check_worker(exam: Examination, settings: Settings, db: Database, now: datetime) -> None:
    """The lease, judged by the database's clock (its times are the database's);
    ``now`` is this host's clock, compared with it: a worker here refuses to run
    jobs when the two disagree by more than the tolerance."""
    _check_clock(exam, settings, db, now)
    lease = current_lease(db)
    start = "systemctl enable --now regentra-worker   (or run: regentra worker)"
    if lease is None:
        exam.fact("worker", "none has ever run on this desk")
        exam.found("no worker has ever run on this desk: nothing auto-closes or indexes", start)
        return
    db_now = lease.read_at
    ago = _ago(lease.heartbeat_age)
    exam.fact("worker", f"{lease.holder}, last heartbeat {ago} ago: {lease.last_result}")
    if lease_is_skewed(lease.expires_at, db_now, settings.worker_lease_seconds):
        exam.found(
            f"the lease of {lease.holder} runs until {lease.expires_at:%Y-%m-%d %H:%M} UTC, "
            "further ahead than a lease lasts: that host's clock is ahead",
            "fix its clock (timedatectl; chrony); the next worker takes the lease over",
        )
    elif not lease.alive():
        exam.found(f"no worker holds the lease (the last was {lease.holder}, {ago} ago)", start)
    elif lease.by_app:
        exam.found(
            f"only a technician's app ({lease.holder}) runs the jobs; mail and SMS "
            "need the worker daemon",
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
