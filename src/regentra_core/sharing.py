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
