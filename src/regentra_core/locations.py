"""Where Regentra keeps its files, per platform conventions (via platformdirs).

A shared support host puts one config in ``/etc/regentra/config.toml`` naming the
shared desk (``regentra init --shared`` writes it); a technician's own config file,
if any, is read after it and wins on every key it sets.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP = "regentra"

SITE_CONFIG = Path("/etc/regentra/config.toml")
"""The host's config; ``$REGENTRA_SITE_CONFIG`` moves it (tests, unusual hosts)."""


def site_config_file() -> Path:
    """Where the host-wide config is (whether or not it exists)."""
    explicit = os.environ.get("REGENTRA_SITE_CONFIG")
    return Path(explicit).expanduser() if explicit else SITE_CONFIG


def user_config_file() -> Path:
    """Where this account's config is: ``$REGENTRA_CONFIG`` or the platform's."""
    explicit = os.environ.get("REGENTRA_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return Path(user_config_dir(APP)) / "config.toml"


def config_files() -> list[Path]:
    """The config files in effect, lowest precedence first: the host's, then yours."""
    return [p for p in (site_config_file(), user_config_file()) if _present(p)]


def _present(path: Path) -> bool:
    """Whether a config file is there: one we may not even look at counts (reading it
    then says why), so a locked-out account is told instead of silently skipping it."""
    try:
        return path.exists()
    except PermissionError:
        return True


def config_file() -> Path | None:
    """The config file that wins (for messages): yours if present, else the host's."""
    files = config_files()
    return files[-1] if files else None


def data_dir() -> Path:
    """The per-user data folder (default database, demo database, logs)."""
    return Path(user_data_dir(APP))
