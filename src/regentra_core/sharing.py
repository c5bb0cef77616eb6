"""Who may read a desk's files: a shared desk for one Unix group, or a private one.

On a shared support host several technicians and the service account write one
SQLite file, and SQLite, Whoosh and the log handler all create files beside it
(``-wal``, ``-shm``, journals, index segments, rotated logs) as whichever account
happens to touch them first. Their modes must not depend on that person's umask:
a 0644 ``-wal`` made by a reader locks every other writer out, and a 0644 index
leaks internal notes to every local account.

So the process sets its own umask from the desk it opens, before anything is
created: a **shared desk** is a directory owned by the desk's group, setgid (new
files inherit the group), mode 2770, and gets umask 007 (files 0660, folders 2770);
anything else is a **private desk** and gets umask 077 (0600 / 0700). SQLite copies
the database file's mode onto its ``-wal``/``-shm``/journal files, so those follow.

Outside the desk the umask is wrong in the other direction: the host config folder
(``/etc/regentra``) and ``config.toml`` name the desk for every account, so they are
0755 / 0644 whatever the umask (a 0770 folder made under the shared desk's umask 007
locked every technician out of the config); the service account's secrets folder
and its ``worker.toml`` are its own, 0700 / 0600.

Called by the interfaces' composition root (the CLI context) when a desk is opened
and by ``regentra init --shared``; ``regentra doctor`` checks the result.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationError

SHARED_DIR_MODE = 0o2770
SHARED_FILE_MODE = 0o660
SHARED_UMASK = 0o007
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077

HOST_DIR_MODE = 0o755
"""The host config folder: every account must reach ``config.toml`` in it."""
HOST_FILE_MODE = 0o644
"""``config.toml``: names only (never a secret), read by every account."""
SERVICE_DIR_MODE = 0o700
"""The service account's secrets folder: nobody else lists or reads it."""
SERVICE_FILE_MODE = 0o600
"""The service account's ``worker.toml``."""
DEFAULT_SERVICE_ACCOUNT = "regentra"
"""The account the daemon units run as; ``init --shared`` uses it when it exists."""

DEFAULT_SHARED_DIR = Path("/srv/regentra")
"""Where ``init --shared`` puts the desk when ``--dir`` is not given."""

DATABASE_NAME = "desk.db"
ATTACHMENTS = "attachments"


@dataclass(frozen=True, slots=True)
class DeskDir:
    """The folder that holds a desk's database and everything derived from it."""

    path: Path
    group: str | None
    """The Unix group of a shared desk; None for a private one."""

    @property
    def shared(self) -> bool:
        return self.group is not None

    @property
    def umask(self) -> int:
        return SHARED_UMASK if self.shared else PRIVATE_UMASK

    @property
    def file_mode(self) -> int:
        return SHARED_FILE_MODE if self.shared else PRIVATE_FILE_MODE

    @property
    def dir_mode(self) -> int:
        return SHARED_DIR_MODE if self.shared else PRIVATE_DIR_MODE


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def owner_text(st: os.stat_result) -> str:
    """``user:group`` of a file, for messages."""
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    return f"{user}:{group_name(st.st_gid)}"


def mode_text(st: os.stat_result) -> str:
    """A file's permission bits as ``ls`` users read them (``0660``, ``2770``)."""
    return oct(stat.S_IMODE(st.st_mode))[2:].rjust(4, "0")


def is_shared_dir(st: os.stat_result) -> bool:
    """A setgid folder whose group may read, write and enter it is a shared desk."""
    return bool(st.st_mode & stat.S_ISGID) and (st.st_mode & 0o070) == 0o070


def desk_dir(path: Path) -> DeskDir:
    """What kind of desk folder ``path`` is (a missing folder is a private desk to be)."""
    try:
        st = path.stat()
    except OSError:
        return DeskDir(path, None)
    return DeskDir(path, group_name(st.st_gid) if is_shared_dir(st) else None)


def adopt_umask(folder: Path) -> DeskDir:
    """Set this process's umask for the desk in ``folder``; return what it is.

    A process opens one desk, so the process-wide umask is the right tool: it also
    covers files created by libraries (SQLite, Whoosh, logging) we do not control.
    """
    desk = desk_dir(folder)
    os.umask(desk.umask)
    return desk


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) for a private desk: 0700, whatever the umask."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)


def make_shared_dir(path: Path, group: str) -> DeskDir:
    """Create or fix the shared desk folder: group-owned, setgid, 2770.

    Needs root or the folder's owner who is a member of ``group``; anything the
    folder already holds gets the group and loses every bit for other accounts.
    """
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise ValidationError(
            f"no Unix group named {group!r}; create it first: groupadd {group}"
        ) from None
    try:
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, -1, gid)
        path.chmod(SHARED_DIR_MODE)
        share_files(path, group)
    except PermissionError as exc:
        raise ValidationError(
            f"cannot give {exc.filename or path} to group {group}: permission denied "
            f"(run as root, or as the folder's owner and a member of {group})"
        ) from None
    os.umask(SHARED_UMASK)
    return DeskDir(path, group)


def share_files(path: Path, group: str) -> None:
    """Give everything under ``path`` to ``group``: folders 2770, files 0660."""
    gid = grp.getgrnam(group).gr_gid
    for root, dirs, files in os.walk(path):
        for name in dirs:
            _share(Path(root, name), gid, SHARED_DIR_MODE)
        for name in files:
            _share(Path(root, name), gid, SHARED_FILE_MODE)


def _share(path: Path, gid: int, mode: int) -> None:
    if path.is_symlink():
        return
    os.chown(path, -1, gid)
    path.chmod(mode)


def is_member(group: str, username: str) -> bool:
    """Whether ``username`` belongs to ``group`` (as a supplementary or primary group)."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return False
    if username in entry.gr_mem:
        return True
    try:
        return pwd.getpwnam(username).pw_gid == entry.gr_gid
    except KeyError:
        return False


def process_in_group(group: str) -> bool:
    """Whether this process carries ``group`` now (membership counts from the next login)."""
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return False
    return gid == os.getegid() or gid in os.getgroups()


def make_host_dir(path: Path) -> None:
    """Create the host config folder so every account can reach the config in it.

    Missing folders are made 0755 whatever the umask. An existing folder that holds
    only Regentra's host files and is closed to other accounts (as an older ``init
    --shared`` under umask 007 left ``/etc/regentra``) is opened to them; any other
    folder is not ours to open (``--config`` in someone's home, say).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    try:
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True)
            folder.chmod(HOST_DIR_MODE)
        mode = stat.S_IMODE(path.stat().st_mode)
        ours = {p.name for p in path.iterdir()} <= HOST_FILES
        if mode & HOST_DIR_MODE != HOST_DIR_MODE and ours:
            path.chmod(mode | HOST_DIR_MODE)
    except OSError as exc:
        raise ValidationError(
            f"cannot make the host config folder {exc.filename or path}: {exc.strerror} "
            "(run as root)"
        ) from None


HOST_FILES = frozenset({"config.toml", "config.toml.new", "worker.toml", "secrets"})
"""What the host config folder holds (a folder with anything else is not ours)."""


def service_account(name: str | None) -> pwd.struct_passwd | None:
    """The service account to give the secrets to: ``name``, else ``regentra`` if it
    exists, else None (a desk without a daemon account yet)."""
    try:
        return pwd.getpwnam(name or DEFAULT_SERVICE_ACCOUNT)
    except KeyError:
        if name is None:
            return None
        raise ValidationError(
            f"no account {name!r} for the service; create it first: useradd --system "
            f"--home-dir /var/lib/regentra --shell /usr/sbin/nologin {name}"
        ) from None


def make_service_dir(path: Path, owner: pwd.struct_passwd, group: str) -> None:
    """Create (or fix) the service account's secrets folder: its own, 0700.

    Its files are never touched: each secret is the admin's, made with ``install``.
    """
    gid = grp.getgrnam(group).gr_gid
    try:
        path.mkdir(exist_ok=True)
        os.chown(path, owner.pw_uid, gid)
        path.chmod(SERVICE_DIR_MODE)
    except OSError as exc:
        raise ValidationError(
            f"cannot give {path} to {owner.pw_name}: {exc.strerror} (run as root)"
        ) from None


WORKER_CONFIG_HEADER = """\
# The service account's own Regentra settings (0600: only it reads them). The
# daemon units read this file (REGENTRA_CONFIG) after the host's config.toml.
# Secrets go in files in the secrets folder beside it, named here, e.g.
#   imap_password_file = "{secrets}/imap_password"
"""


def make_service_file(path: Path, owner: pwd.struct_passwd, group: str) -> bool:
    """Create the service account's ``worker.toml`` (0600, its own) unless it exists.

    An existing one keeps its content (it holds the admin's settings) and is given
    back to the account, 0600. Returns whether it was created.
    """
    gid = grp.getgrnam(group).gr_gid
    created = False
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SERVICE_FILE_MODE)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(WORKER_CONFIG_HEADER.format(secrets=path.parent / "secrets"))
            created = True
        os.chown(path, owner.pw_uid, gid)
        path.chmod(SERVICE_FILE_MODE)
    except OSError as exc:
        raise ValidationError(
            f"cannot give {path} to {owner.pw_name}: {exc.strerror} (run as root)"
        ) from None
    return created
