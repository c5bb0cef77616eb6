"""``ticket list`` and ``ticket show`` read without the ORM, and fall back to it.

They start fast because they import neither SQLAlchemy, SQLModel, the models, the
Desk, the channels nor the write commands (nor Rich for ``--json``); when the plain
reader cannot answer, the person sees what the ORM path says, never a traceback.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from regentra_core import (
    Status,
    TicketFilter,
    open_plain,
    plain_list_tickets,
    plain_ticket_detail,
)
from regentra_tui.cli.json_out import dumps, dumps_records, jsonable
from regentra_tui.cli.root import _shortened
from regentra_tui.cli.tickets import TICKET_COMMANDS, ticket

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "regentra_core.store.models",
    "regentra_core.desk",
    "regentra_core.channels",
    "regentra_tui.cli.ticket_writes",
    "rich",
    "rich.table",
    "pydantic",
    "pydantic_settings",
    "asyncio",
)


def _create(regentra, subject: str = "VPN down") -> int:
    made = regentra.json(
        "ticket", "create", "--subject", subject, "--description", "d", "--contact", "a@x.example"
    )
    return int(made["number"])


def _loaded_after(db: str | None, *args: str) -> tuple[str, list[str]]:
    """What ``regentra --db DB ARGS`` printed (without ``--db`` when ``db`` is None:
    the desk the environment and config files name), and which heavy modules it had
    loaded when it finished (checked in the same process, at exit)."""
    where = [] if db is None else ["--db", db]
    code = (
        "import atexit, json, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print(json.dumps([m for m in heavy if m in sys.modules]),"
        " file=sys.stderr))\n"
        "from regentra_tui.cli import main\n"
        f"sys.argv = ['regentra', *{where!r}, *{list(args)!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.sqlite_only
def test_list_and_show_as_json_import_no_orm_desk_channels_or_rich(regentra):
    number = _create(regentra, "Printer jam")
    listed, loaded = _loaded_after(regentra.db_path, "ticket", "list", "--json", "--status", "open")
    assert [t["number"] for t in json.loads(listed)] == [number]
    assert loaded == []
    shown, loaded = _loaded_after(regentra.db_path, "ticket", "show", str(number), "--json")
    assert json.loads(shown)["ticket"]["subject"] == "Printer jam"
    assert loaded == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("named_by", ["environment", "account-file", "host-file"])
def test_reads_of_the_configured_desk_import_no_pydantic(regentra, monkeypatch, tmp_path, named_by):
    # Without --db the desk is the one Settings names; it is found without building
    # Settings (pydantic and pydantic-settings were half of the command's start).
    number = _create(regentra, "Printer jam")
    if named_by == "environment":
        monkeypatch.setenv("REGENTRA_DATABASE_URL", f"sqlite:///{regentra.db_path}")
    else:
        config = tmp_path / f"{named_by}.toml"
        config.write_text(f"database_url = {json.dumps(regentra.db_path)}\n")
        setting = "REGENTRA_CONFIG" if named_by == "account-file" else "REGENTRA_SITE_CONFIG"
        monkeypatch.setenv(setting, str(config))
    listed, loaded = _loaded_after(None, "ticket", "list", "--json", "--status", "open")
    assert [t["number"] for t in json.loads(listed)] == [number]
    assert loaded == []
    shown, loaded = _loaded_after(None, "ticket", "show", str(number), "--json")
    assert json.loads(shown)["ticket"]["subject"] == "Printer jam"
    assert loaded == []


def test_a_config_the_light_resolver_leaves_aside_is_read_by_settings(regentra, monkeypatch):
    # A name in another case is pydantic-settings' to match: the command builds
    # Settings and reads the same desk through the ORM path.
    number = _create(regentra, "Found anyway")
    monkeypatch.setenv("regentra_database_url", regentra.db_path)
    listed, loaded = _loaded_after(None, "ticket", "list", "--json")
    assert [t["number"] for t in json.loads(listed)] == [number]
    assert "pydantic_settings" in loaded


@pytest.mark.sqlite_only
def test_show_for_people_imports_rich_but_not_its_tables_nor_the_orm(regentra):
    number = _create(regentra, "Printer jam")
    printed, loaded = _loaded_after(regentra.db_path, "ticket", "show", str(number))
    assert "Printer jam" in printed
    assert loaded == ["rich"]


@pytest.mark.sqlite_only
def test_list_for_people_imports_rich_but_no_orm(regentra):
    _create(regentra)
    printed, loaded = _loaded_after(regentra.db_path, "ticket", "list")
    assert "VPN down" in printed
    assert loaded == ["rich"]


def test_a_desk_the_plain_reader_cannot_reach_is_read_by_the_orm_path(regentra, monkeypatch):
    # A folder the account cannot enter makes Path.is_file raise PermissionError (it
    # once ended a shared-host command in a traceback): the plain reader steps aside
    # and the ORM path answers, or refuses in its own one line.
    number = _create(regentra, "Still listed")
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        if self.name == Path(regentra.db_path).name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert [t["number"] for t in regentra.json("ticket", "list")] == [number]
    assert regentra.json("ticket", "show", str(number))["ticket"]["subject"] == "Still listed"


@pytest.mark.skipif(os.geteuid() == 0, reason="root enters every folder")
def test_a_desk_in_a_folder_the_account_cannot_enter_says_what_the_orm_path_says(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    regentra = str(Path(sys.executable).with_name("regentra"))
    db = str(folder / "desk.db")
    assert subprocess.run([regentra, "--db", db, "init"], capture_output=True).returncode == 0
    folder.chmod(0)
    try:
        listed = subprocess.run(
            [regentra, "--db", db, "ticket", "list"], capture_output=True, text=True
        )
        orm = subprocess.run(
            [regentra, "--db", db, "ticket", "history", "1"], capture_output=True, text=True
        )
    finally:
        folder.chmod(0o700)
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert listed.stderr == orm.stderr
    assert len(listed.stderr.strip().splitlines()) == 1


def test_show_prints_the_newest_twenty_entries_unless_all(regentra):
    number = _create(regentra)
    for i in range(1, 26):
        assert (
            regentra("ticket", "note", str(number), "--body", f"note number {i:02d}").exit_code == 0
        )
    shown = regentra("ticket", "show", str(number)).output
    assert "5 earlier entries not shown (--all shows every one)" in shown
    assert "note number 05" not in shown
    assert all(f"note number {i:02d}" in shown for i in range(6, 26))
    every = regentra("ticket", "show", str(number), "--all").output
    assert "earlier" not in every
    assert all(f"note number {i:02d}" in every for i in range(1, 26))
    whole = regentra.json("ticket", "show", str(number))
    assert len(whole["thread"]) == 25


def test_show_says_nothing_of_earlier_entries_when_all_fit(regentra):
    number = _create(regentra)
    regentra("ticket", "note", str(number), "--body", "only one")
    assert "earlier" not in regentra("ticket", "show", str(number)).output


def test_show_help_names_the_newest_entries_and_all(regentra):
    shown = regentra("ticket", "show", "--help").output
    assert "--all" in shown and "newest 20" in shown


def test_a_missing_ticket_is_one_line_as_before(regentra):
    result = regentra("ticket", "show", "4242")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no ticket #4242"


def test_the_ticket_table_names_every_ticket_command_with_its_own_help():
    for name, (module, attribute, short) in TICKET_COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command.name == name
        assert _shortened(short, 500) == command.get_short_help_str(500), name
    assert ticket.name == "ticket"


def test_json_text_parses_as_the_standard_encoder_writes_it():
    value = {
        "subject": "Grüße \u2028 \x85 \U0001f600",
        "numbers": [1, 2**70, -3],
        "ratio": 0.1 + 0.2,
        "nested": [{"a": None, "b": True}, []],
    }
    assert json.loads(dumps(value)) == json.loads(json.dumps(value, ensure_ascii=False))
    infinite = {"remaining": math.inf}
    assert dumps(infinite) == json.dumps(infinite, indent=2, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class _Clock:
    seconds: float
    derived: ClassVar[tuple[str, ...]] = ("twice",)

    @property
    def twice(self) -> float:
        return self.seconds * 2


@dataclasses.dataclass(frozen=True)
class _Record:
    status: Status
    at: datetime
    day: date
    clocks: tuple[_Clock, ...]
    tags: list[str]
    extra: dict[Any, Any]


@pytest.mark.parametrize(
    "record",
    [
        _Record(
            Status.OPEN,
            datetime(2026, 11, 5, 9, 30, 1, 250, tzinfo=UTC),
            date(2026, 11, 5),
            (_Clock(1.5), _Clock(0.0)),
            ["a", "Grüße \u2028"],
            {"n": [1, None, {"deep": 0.25}]},
        ),
        _Record(Status.CLOSED, datetime(2026, 1, 1), date(2026, 1, 1), (_Clock(math.inf),), [], {}),
        _Record(Status.OPEN, datetime(2026, 1, 1), date(2026, 1, 1), (), [], {"x": [math.nan]}),
        _Record(Status.OPEN, datetime(2026, 1, 1), date(2026, 1, 1), (), [], {1: "int key"}),
        _Record(Status.OPEN, datetime(2026, 1, 1), date(2026, 1, 1), (), [], {"big": 2**70}),
    ],
    ids=["plain", "infinite-derived", "nan-in-a-dict", "int-key", "big-int"],
)
def test_records_are_written_as_jsonable_then_dumps_writes_them(record):
    for value in (record, [record, record], {"rows": [record]}):
        assert dumps_records(value) == dumps(jsonable(value))


def test_a_desks_list_and_detail_are_written_as_jsonable_then_dumps_writes_them(regentra):
    number = _create(regentra, "Printer jam")
    regentra("ticket", "note", str(number), "--body", "checked the tray")
    with open_plain(regentra.db_path) as desk:
        rows = plain_list_tickets(desk, TicketFilter())
        detail = plain_ticket_detail(desk, number)
    assert rows
    for value in (rows, detail):
        assert dumps_records(value) == dumps(jsonable(value))
