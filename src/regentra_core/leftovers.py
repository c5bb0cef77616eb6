"""What a process killed mid-write leaves behind, removed at the next start.

A ``reindex`` killed with SIGKILL leaves its half-built ``<index>.new-<pid>``
folder (and, killed between its two renames, the previous index as
``<index>.old-<pid>``); a full disk or a kill while an attachment is written
leaves a ``.part`` file. Nothing removed them, so they piled up. Each name
carries the writer's process id: what belongs to a process that is still alive
is never touched, and a ``.part`` without one (older releases) only once it is
old enough that no writer can still be on it.

Called by the search index when it opens or rebuilds (under its build lock) and
by the worker's housekeeping job for the attachments folder.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
from pathlib import Path

PART_SUFFIX = ".part"
PART_MIN_AGE_SECONDS = 600.0
"""A ``.part`` file untouched this long has no writer (an attachment of the largest
allowed size is written in well under a second)."""

_PID_PART = re.compile(r"\.(\d{1,10})\.part$")


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (on this host)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM  # alive, only not ours to signal
    return True


def part_name(name: str) -> str:
    """The temporary name a file is written under before it is renamed into place."""
    return f".{name}.{os.getpid()}{PART_SUFFIX}"


def index_leftovers(index_path: Path) -> list[Path]:
    """``<index>.new-<pid>`` and ``<index>.old-<pid>`` folders of dead processes."""
    found: list[Path] = []
    pattern = re.compile(re.escape(index_path.name) + r"\.(new|old)-(\d{1,10})$")
    try:
        siblings = list(index_path.parent.iterdir())
    except OSError:
        return []
    for path in siblings:
        match = pattern.match(path.name)
        if match and not pid_alive(int(match.group(2))):
            found.append(path)
    return sorted(found)


def remove_index_leftovers(index_path: Path) -> list[Path]:
    """Remove what dead builds left beside the index; the removed paths.

    A previous index parked as ``.old-<pid>`` by a build killed between its two
    renames is put back when there is no index, not removed.
    """
    removed: list[Path] = []
    for path in index_leftovers(index_path):
        if path.name.startswith(f"{index_path.name}.old-") and not index_path.exists():
            try:
                path.rename(index_path)
                continue
            except OSError:
                pass
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def remove_partial_files(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove ``.part`` files under ``folder`` that no live writer holds.

    A name with a process id is the writer's: removed once that process is gone.
    Any is removed once it is older than ``PART_MIN_AGE_SECONDS`` (a process id
    that was reused, or a name from before ids were in it).
    """
    moment = time.time() if now is None else now
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if not name.endswith(PART_SUFFIX):
                continue
            path = Path(root) / name
            match = _PID_PART.search(name)
            try:
                fresh = moment - path.stat().st_mtime < PART_MIN_AGE_SECONDS
                writer_alive = match is None or pid_alive(int(match.group(1)))
                if fresh and writer_alive:
                    continue
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed
