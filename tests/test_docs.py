"""Every command has help text and appears in the README (as sqlite-utils checks)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from regentra_tui.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "regentra") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_has_help_and_is_in_the_readme(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in README, f"{path} is not documented in README.md"


def test_readme_quick_start_commands_exist():
    assert "./dev demo" in README and "./dev test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "./dev test" in ci


def test_every_setting_is_in_the_readme():
    """A setting nobody can find is a setting nobody uses (search_engine came late)."""
    from regentra_core.config import Settings

    missing = [name for name in Settings.model_fields if f"`{name}" not in README]
    assert missing == []


def test_the_version_regentra_prints_is_the_packages():
    import tomllib

    from regentra_tui import __version__

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert __version__ == project["project"]["version"]
