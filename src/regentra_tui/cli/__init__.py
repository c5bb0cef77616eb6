"""The ``regentra`` command line: scriptable commands, each with ``--json``."""

from __future__ import annotations

from . import admin, sla, tickets
from .root import cli

cli.add_command(tickets.ticket)
cli.add_command(sla.sla)
for command in admin.COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="regentra")


__all__ = ["cli", "main"]
