"""Pilot fixtures: a demo desk frozen at one instant, and an app on it.

The clock is fixed so SLA badges and "time left" are the same on every run, which
snapshot tests need. The app acts as the demo lead ``alice``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from regentra_core.channels import outbound
from regentra_core.demo import load_demo
from regentra_core.desk import resolve_os_technician
from regentra_core.store import Database, upgrade
from regentra_tui.app import RegentraApp
from regentra_tui.session import DeskSession

FROZEN = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
"""A Wednesday afternoon (UTC): the New York office is open."""


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    # Message-IDs are random (they must be unique worldwide); the history shows them,
    # so snapshots of a ticket whose reply was queued need them numbered instead.
    counter = itertools.count(1)
    monkeypatch.setattr(
        outbound, "new_message_id", lambda number, _domain: f"<rgt{number}.{next(counter)}@demo>"
    )
    db = Database(str(tmp_path / "demo.db"))
    upgrade(db)
    load_demo(db, now=FROZEN)
    yield db
    db.close()


@pytest.fixture
def make_app(demo_db):
    def make(**kwargs) -> RegentraApp:
        session = DeskSession(demo_db, resolve_os_technician(demo_db, "alice"), lambda: FROZEN)
        return RegentraApp(session, poll_seconds=kwargs.pop("poll_seconds", 0), **kwargs)

    return make


async def settle(app, pilot) -> None:
    """Wait until every worker is done and the screen has caught up.

    An exclusive worker replaced by a newer one (a poll tick during a load) ends
    cancelled: that is the app working as meant, so it counts as done. Keys the app
    still holds (typed while a dialog closed or a write ran) are played first.
    """
    import asyncio

    from textual.worker import WorkerCancelled

    deadline = asyncio.get_running_loop().time() + 30
    while True:
        for _ in range(3):
            await pilot.pause()
            try:
                await _workers_done(app)
            except WorkerCancelled:
                await pilot.pause()
        await pilot.pause()
        hold = getattr(app, "key_hold", None)
        held = hold is not None and (hold.queue or hold.playing or hold.settling)
        if not held or asyncio.get_running_loop().time() > deadline:
            return


async def _workers_done(app) -> None:
    """Until every worker has ended, but a dialog flow waiting for the answer to a
    dialog on the screen (``push_screen_wait``): that one ends when the test answers."""
    import asyncio

    hold = getattr(app, "key_hold", None)

    def working() -> list:
        return [
            w
            for w in app.workers
            if not w.is_finished and not (hold is not None and hold.waits_for_answer(w))
        ]

    ends: dict = {}
    while pending := working():
        # Look again now and then: a flow running now may stop to wait on a dialog.
        for w in pending:
            ends.setdefault(w, asyncio.ensure_future(_ended(w)))
        await asyncio.wait([ends[w] for w in pending], timeout=0.05)


async def _ended(worker) -> None:
    from contextlib import suppress

    with suppress(Exception):
        await worker.wait()


async def until(app, pilot, predicate, timeout: float = 30.0) -> bool:
    """Settle, then wait for ``predicate`` (what the screen shows once a worker's
    answer has been drawn): on a loaded machine a message posted from a worker
    thread can land after ``settle`` returns. True once it holds; False at the
    deadline, for the test's own assert to say what was shown instead."""
    import asyncio

    await settle(app, pilot)
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await pilot.pause(0.02)
    return True


_CHARACTERS = {
    "colon": ":",
    "enter": "\r",
    "tab": "\t",
    "space": " ",
    "slash": "/",
    "exclamation_mark": "!",
    "at": "@",
}
_KEYS = {" ": "space", ":": "colon", "/": "slash", "!": "exclamation_mark", "@": "at"}


async def burst(app, pilot, *keys: str) -> None:
    """Keys that arrive together, as from a fast typist or a paste over SSH.

    ``pilot.press`` waits for each key to be handled before sending the next,
    which hides every race a real terminal has; here all of them are queued on
    the app before it handles the first.
    """
    post_keys(app, *keys)
    await settle(app, pilot)


def post_keys(app, *keys: str) -> None:
    """Queue keys on the app all at once (names or single characters)."""
    from textual import events

    for key in keys:
        name = _KEYS.get(key, key)
        character = _CHARACTERS.get(name, name if len(name) == 1 else None)
        app.post_message(events.Key(name, character))


async def open_ticket(app, pilot, number: int) -> None:
    """From wherever the app is, ``:number⏎``, and wait until the ticket is shown."""
    await settle(app, pilot)
    await pilot.press("colon", *str(number), "enter")
    await settle(app, pilot)


async def show_list(app, pilot) -> None:
    """Once the app has started, ``2``: the list, loaded."""
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
