"""Waiting for something another thread or process does, with a deadline.

A test waits for a condition, never for a fixed time: a fixed sleep is too short on
a loaded CI host and wasted time everywhere else. A test that asserts something did
NOT happen first waits for a positive sign that whatever would have done it has run
(the scheduler ticked, the poll saw the change), then asserts the absence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


def wait_for(predicate: Callable[[], object], timeout: float, every: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


async def pilot_wait(
    pilot: Any, predicate: Callable[[], object], timeout: float = 30.0, every: float = 0.02
) -> bool:
    """In a Pilot test: let the app run until ``predicate`` holds, or ``timeout``.

    Unlike ``tests.tui.conftest.settle`` it does not wait for the app's workers, so
    it also serves while a worker is held on purpose. True once ``predicate`` holds;
    False at the deadline, for the test's own assert to say what was shown instead.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await pilot.pause(every)
    return True
