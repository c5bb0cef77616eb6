"""Opening the terminal app; imported only when no subcommand is given."""

from __future__ import annotations

import click

from .context import CliContext


def launch_app(state: CliContext) -> None:
    """Start the TUI on ``state``'s database."""
    state.desk()  # refuse unknown accounts before drawing anything
    click.echo(
        "The Regentra terminal app is not built yet (it arrives with the TUI issue).\n"
        "Meanwhile every action is available as a command: regentra --help"
    )
