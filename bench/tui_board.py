"""The board with 10,000 open tickets: first paint and filter change.

Targets: first paint under 1 s, filter change under 50 ms median. Measured
headless with Textual's ``run_test`` at 120x40: "first paint" is from starting
the app to every column showing its count and first cards; "filter change" is
from the Enter that applies a priority filter (the picker opened with Enter, none
ticked, Critical ticked, as a technician does it; then back to any priority) to the
board showing the new result and the screen's next repaint, keys sent through the
app as typed (so whatever the picker puts over the board is drawn and taken away).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from regentra_core.desk import Desk, resolve_os_technician
from regentra_core.enums import Role
from regentra_core.identity import Actor
from regentra_core.store import Database
from regentra_tui.app import RegentraApp
from regentra_tui.session import DeskSession
from regentra_tui.widgets.board import Board
from regentra_tui.widgets.filter_bar import FilterBar

from .sla_badges import NOW, build

N = 10_000
RUNS = 5
CHANGES = 20


async def _wait(board: Board, pilot: object) -> None:
    while board.loaded_generation != board._generation or board.loaded_generation == 0:
        await asyncio.sleep(0.001)


async def measure(db: Database) -> tuple[float, list[float]]:
    session = DeskSession(db, resolve_os_technician(db, "bench"), lambda: NOW)
    started = time.perf_counter()
    app = RegentraApp(session, poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.screen.query(Board):
            await asyncio.sleep(0.001)
        board = app.screen.query_one(Board)
        await _wait(board, pilot)
        first_paint = time.perf_counter() - started
        pick = app.screen.query_one(FilterBar).query_one("#f-priority")
        changes = []
        for i in range(CHANGES):
            app.screen.set_focus(pick)
            await pilot.press("enter", "ctrl+n", *(["space"] if i % 2 == 0 else []))
            await pilot.pause()
            before = board._generation
            t0 = time.perf_counter()
            await pilot.press("enter")
            while board._generation == before:
                await asyncio.sleep(0.0005)
                if time.perf_counter() - t0 > 5:
                    break
            await _wait(board, pilot)
            await pilot.pause()  # the repaint that shows it
            changes.append(time.perf_counter() - t0)
    return first_paint, changes


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "board.db", N)
        Desk(db, Actor.system("bench"), source="bench").add_technician("bench", role=Role.LEAD)
        paints: list[float] = []
        changes: list[float] = []
        for _ in range(RUNS):
            paint, change = asyncio.run(measure(db))
            paints.append(paint)
            changes.extend(change)
        db.close()
    print(f"{N:,} open tickets, {RUNS} app starts, {len(changes)} filter changes")
    print(
        f"first paint: median {statistics.median(paints) * 1000:.0f} ms "
        f"(min {min(paints) * 1000:.0f}, max {max(paints) * 1000:.0f})"
    )
    print(
        f"filter change: median {statistics.median(changes) * 1000:.1f} ms "
        f"(min {min(changes) * 1000:.1f}, p90 "
        f"{statistics.quantiles(changes, n=10)[-1] * 1000:.1f}, max {max(changes) * 1000:.1f})"
    )
