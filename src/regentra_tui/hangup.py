"""Noticing that the app's terminal is gone, when no SIGHUP says so.

A technician's SSH session, or the tmux window the app runs in, can end without
this process ever getting SIGHUP: started through ``runuser`` or ``su`` (which keep
the signal to themselves), or from a shell that ignores it, the app goes on with a
hung-up terminal. Textual's input thread then reads end-of-file in a loop (a third
of a core, seen for hours on a support host) and the app's embedded worker keeps
the lease. A hung-up terminal is no longer a terminal (``isatty`` is false, every
``tcgetattr`` fails with EIO), so one ``isatty`` a second tells.
"""

from __future__ import annotations

import os
import sys

CHECK_SECONDS = 1.0
"""How often the app looks: a hung-up app costs CPU until it notices."""


def terminal_fd() -> int | None:
    """The descriptor of the terminal the app draws on, or None without one (tests,
    a headless run): only a terminal that was there can be lost."""
    for stream in (sys.__stdout__, sys.__stdin__):
        if stream is None:
            continue
        try:
            fd = stream.fileno()
        except (OSError, ValueError):
            continue
        if os.isatty(fd):
            return fd
    return None


def hung_up(fd: int) -> bool:
    """Whether the terminal on ``fd`` has gone away."""
    return not os.isatty(fd)
