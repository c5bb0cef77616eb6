"""The ``regentra`` command line: scriptable commands, each with ``--json``."""

from __future__ import annotations

from . import admin, ai, automation, clients, doctor, kb, mail, report, search, serve, sla, tickets
from .root import cli

cli.add_command(tickets.ticket)
cli.add_command(automation.automation)
cli.add_command(report.report)
cli.add_command(clients.client)
cli.add_command(sla.sla)
cli.add_command(search.search)
cli.add_command(search.reindex)
cli.add_command(doctor.doctor)
cli.add_command(mail.mail)
cli.add_command(serve.serve)
cli.add_command(serve.sms)
cli.add_command(ai.ai)
cli.add_command(kb.kb)
for command in admin.COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="regentra")


__all__ = ["cli", "main"]
