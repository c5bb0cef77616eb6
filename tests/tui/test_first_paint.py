"""The first board is painted from plain reads; the write path opens behind it.

``regentra`` checks the account and reads the views and the first board in plain SQL
(``plain_reads``), and opens SQLAlchemy, the models, the Desk and the ticket screen
after the first paint. A key that needs them before they are open waits for them
and still counts: Enter on a card, or ``:N`` typed at once, opens the ticket as soon
as the write path is there.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from regentra_core import load_settings
from regentra_core.desk import resolve_os_technician
from regentra_tui.app import RegentraApp
from regentra_tui.cli.root import cli
from regentra_tui.screens.main import MainScreen
from regentra_tui.session import DeskSession

from .conftest import FROZEN

ORM = ("sqlalchemy", "sqlmodel", "regentra_core.store.models", "regentra_core.desk")


async def _until(pilot, predicate, timeout: float = 30.0) -> bool:
    """Wait for ``predicate`` without waiting for every worker (the write path's is
    held open on purpose here)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await pilot.pause(0.05)
    return True


def _deferred_app(demo_db, release: threading.Event) -> RegentraApp:
    """An app made as the launcher makes it: the write path opens when ``release``
    is set (the test holds it shut while it types)."""

    def write_path():
        assert release.wait(30)
        return demo_db, None, load_settings()

    actor = resolve_os_technician(demo_db, "alice")
    session = DeskSession(None, actor, lambda: FROZEN, write_path=write_path, target=demo_db.url)
    session.read_first()
    return RegentraApp(session, poll_seconds=0)


def _ticket_number(app) -> int | None:
    return getattr(app.screen, "number", None) if not isinstance(app.screen, MainScreen) else None


async def test_enter_on_a_card_before_the_write_path_is_open_opens_it_once_open(demo_db):
    release = threading.Event()
    app = _deferred_app(demo_db, release)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert await _until(pilot, lambda: main.selected() is not None)
        card = main.selected()
        assert not app.session.ready  # painted from plain reads
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen)  # still waiting for the write path
        release.set()
        assert await _until(pilot, lambda: _ticket_number(app) == card.number), app.screen


async def test_goto_typed_at_once_opens_the_ticket_once_the_write_path_is_open(demo_db):
    release = threading.Event()
    app = _deferred_app(demo_db, release)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert await _until(pilot, lambda: main.selected() is not None)
        number = main.selected().number
        await pilot.press("colon", *str(number), "enter")
        release.set()
        assert await _until(pilot, lambda: _ticket_number(app) == number), app.screen


@pytest.mark.sqlite_only
async def test_a_change_made_while_the_app_starts_reaches_its_board(demo_db):
    from regentra_core.desk import Desk
    from regentra_core.enums import Channel, Priority, Status
    from regentra_tui.widgets.board_column import BoardColumn

    release = threading.Event()
    app = _deferred_app(demo_db, release)
    app.poll_seconds = 0.1
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert await _until(pilot, lambda: main.selected() is not None)
        # Another technician adds a ticket after the first board was read, before
        # this app's first poll (it waits for the write path) has looked.
        bob = resolve_os_technician(demo_db, "bob")
        added = Desk(demo_db, bob, source="test").create_ticket(
            subject="Added while the app started",
            description="The first poll must see it.",
            priority=Priority.CRITICAL,
            channel=Channel.EMAIL,
            contact_email="new@example.com",
        )
        release.set()

        def shown() -> bool:
            column = next(c for c in main.query(BoardColumn) if c.status == Status.OPEN)
            rows = (column.row_at(i) for i in range(column.total))
            return any(row is not None and row.number == added.number for row in rows)

        assert await _until(pilot, shown)


def test_regentra_paints_its_first_board_before_importing_the_orm(tmp_path):
    # The real launch path (``regentra --db``), headless, in a process of its own:
    # at the first board on screen none of the ORM is imported; then it opens.
    db = str(tmp_path / "desk.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"], catch_exceptions=False).exit_code == 0
    made = runner.invoke(
        cli,
        [
            "--db",
            db,
            "ticket",
            "create",
            "--subject",
            "VPN down",
            "--description",
            "d",
            "--contact",
            "a@x.io",
        ],
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    code = (
        "import json, sys\n"
        "from textual.app import App\n"
        "from regentra_tui.app import RegentraApp\n"
        f"orm = {ORM!r}\n"
        "seen = {}\n"
        "first = RegentraApp.first_board_shown\n"
        "def shown(self):\n"
        "    if not seen:\n"
        "        seen['loaded'] = [m for m in orm if m in sys.modules]\n"
        "        seen['cards'] = sum(c.total for c in self.screen.board.columns)\n"
        "        self.set_interval(0.05, lambda: self._write_path_open and self.exit())\n"
        "    first(self)\n"
        "RegentraApp.first_board_shown = shown\n"
        "RegentraApp.run = lambda self: App.run(self, headless=True, size=(120, 40))\n"
        "from regentra_tui.cli import main\n"
        f"sys.argv = ['regentra', '--db', {db!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    seen['opened'] = [m for m in orm if m in sys.modules]\n"
        "    print(json.dumps(seen), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen["cards"] == 1
    assert seen["loaded"] == []
    assert seen["opened"] == list(ORM)


@pytest.mark.sqlite_only
def test_an_account_that_is_no_technician_is_refused_in_one_line_before_drawing(
    tmp_path, monkeypatch
):
    from regentra_core.demo import load_demo
    from regentra_core.identity import os_username
    from regentra_core.store import Database, upgrade

    db_path = str(tmp_path / "desk.db")
    db = Database(db_path)
    upgrade(db)
    load_demo(db, now=FROZEN, operator="alice")
    db.close()
    drawn = []
    monkeypatch.setattr(RegentraApp, "run", lambda self: drawn.append(self))
    result = CliRunner().invoke(cli, ["--db", db_path])
    assert result.exit_code != 0 and drawn == []
    assert result.output.strip().splitlines() == [
        f"Error: the account {os_username()!r} is not a Regentra technician; "
        f"ask a lead to run: regentra technician add {os_username()}"
    ]
