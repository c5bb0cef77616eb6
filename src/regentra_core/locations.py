"""Where Regentra keeps its files, per platform conventions (via platformdirs).

A shared support host puts one config in ``/etc/regentra/config.toml`` naming the
shared database; a technician's own config file, if any, wins over it.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import site_config_dir, user_config_dir, user_data_dir

APP = "regentra"


def config_file() -> Path | None:
    """The TOML config to read: ``$REGENTRA_CONFIG``, the user's, or the host's."""
    explicit = os.environ.get("REGENTRA_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    for candidate in (
        Path(user_config_dir(APP)) / "config.toml",
        Path(site_config_dir(APP)) / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def data_dir() -> Path:
    """The per-user data folder (default database, demo database, logs)."""
    return Path(user_data_dir(APP))
