"""The daemon's reload of channel settings, without a restart and without the lease.

``regentra worker`` reloads on SIGHUP and when a file its settings come from
changes: the host's config (``/etc/regentra/config.toml``), the service account's
own, and the secret files they name (a new IMAP password is a change too). The
files are looked at by modification time and size at the daemon's heartbeat, so an
edit is picked up within a few seconds and nothing is read when nothing changed.

Only the jobs built from settings (mail, SMS, the AI model) are rebuilt; the
database, the index and the lease stay. A config that no longer reads is logged
and the jobs in place keep running: a typo must not stop mail.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from .. import locations
from ..config import SECRETS, Settings, load_settings
from ..errors import RegentraError

log = logging.getLogger("regentra.worker")

Stamp = tuple[int, int, int] | None
"""A file's (mtime, ctime in ns, size), or None while it is absent: the ctime moves
with a ``chmod`` or ``chown`` too, which can make a config unreadable to the daemon
without touching its contents (and must then be logged, not noticed at the next
start)."""


def watched_files(settings: Settings) -> list[Path]:
    """The files the daemon's settings come from: both configs and the secret files."""
    files = [locations.site_config_file(), locations.user_config_file()]
    for name in SECRETS:
        path: Path | None = getattr(settings, f"{name}_file")
        if path is not None:
            files.append(path)
    return files


def _stamp(path: Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size)


class SettingsWatch:
    """Notices that a settings file changed since it last looked (or was asked to)."""

    def __init__(self, settings: Settings) -> None:
        self._stamps = self._look(settings)

    @staticmethod
    def _look(settings: Settings) -> dict[Path, Stamp]:
        return {path: _stamp(path) for path in watched_files(settings)}

    def changed(self, settings: Settings) -> bool:
        """Whether any file differs from the last look; the look is then the new one."""
        stamps = self._look(settings)
        changed = stamps != self._stamps
        self._stamps = stamps
        return changed


def reload_settings(
    current: Settings,
    rebuild: Callable[[Settings], list[str]],
    read: Callable[[], Settings] = load_settings,
) -> Settings:
    """Read the settings again and hand them to ``rebuild`` (which swaps the jobs and
    answers their names); the settings now in force, the old ones if unreadable."""
    try:
        settings = read()
    except RegentraError as exc:
        log.error("settings not reloaded (the jobs in place keep running): %s", exc)
        return current
    if settings.database_target() != current.database_target():
        log.warning("database_url changed: restart the worker to move to the new desk")
    try:
        names = rebuild(settings)
    except RegentraError as exc:
        log.error("settings not reloaded (the jobs in place keep running): %s", exc)
        return current
    log.info("settings reloaded; jobs: %s", ", ".join(names) or "none")
    return settings
