"""Use: ``from tests.helpers.host import host_etc`` in a test module, then take ``host_etc``
(the real ``/etc/regentra``, empty for the test, put back after) as a fixture argument.

Tests of the host layout the README prescribes must run it for real: the default
``/etc/regentra``, no ``REGENTRA_SITE_CONFIG`` moving it into a temporary folder
(that is how the layout went untested). The machine is shared with other tests and
perhaps an admin's real set-up, so each test holds an exclusive lock on the host
paths while it runs, and whatever was there before is moved aside and put back
afterwards, also when the test fails; what did not exist is removed.

``set_aside(path, ...)`` does the same for any other host path (``/srv/regentra``,
``/opt/regentra``); ``host_lock()`` is the lock alone. Both need root.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HOST_ETC = Path("/etc/regentra")
"""The host config folder every account reads (``locations.SITE_CONFIG``'s folder)."""

LOCK = Path("/run/lock/regentra-host-test.lock")
"""Held while a test uses the host paths; two such tests wait for each other."""


@contextlib.contextmanager
def host_lock() -> Iterator[None]:
    """Hold the host-test lock (blocking until whichever test has it is done)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def set_aside(*paths: Path) -> Iterator[None]:
    """Give the test ``paths`` absent; afterwards remove what it made and restore
    what was there (by rename, so modes, owners and contents come back unchanged)."""
    saved: dict[Path, Path] = {}
    try:
        for path in paths:
            if path.exists() or path.is_symlink():
                aside = path.with_name(f"{path.name}.test-aside-{uuid.uuid4().hex[:8]}")
                path.rename(aside)
                saved[path] = aside
        yield
    finally:
        for path in paths:
            _remove(path)
            if path in saved:
                saved[path].rename(path)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


@pytest.fixture
def host_etc(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The real ``/etc/regentra``, absent when the test starts, restored after it.

    Also drops the suite's ``REGENTRA_SITE_CONFIG`` override so commands run in
    the test (and their children) read the default host config.
    """
    if os.geteuid() != 0:
        pytest.skip("the real /etc/regentra needs root")
    monkeypatch.delenv("REGENTRA_SITE_CONFIG", raising=False)
    with host_lock(), set_aside(HOST_ETC):
        yield HOST_ETC
