"""The ``regentra`` command line: scriptable commands, each with ``--json``.

Each command's module is imported when the command runs (``RegentraGroup.lazy``),
so ``regentra --version`` and ``--help`` import no database code.
"""

from __future__ import annotations

from .root import cli

COMMANDS: dict[str, tuple[str, str, str]] = {
    "ai": (
        "regentra_tui.cli.ai",
        "ai",
        "Analyse tickets, draft replies from the KB, and review what the AI suggested.",
    ),
    "attachment": (
        "regentra_tui.cli.attachments",
        "attachment",
        "A ticket's files: list them, save one to a path or to stdout (- pipes it).",
    ),
    "automation": (
        "regentra_tui.cli.automation",
        "automation",
        "Automation rules: list, import/export as TOML, switch on/off, dry-run, log.",
    ),
    "client": (
        "regentra_tui.cli.clients",
        "client",
        "Add, list and edit clients (name, VIP, SLA policy, email domains).",
    ),
    "contact": (
        "regentra_tui.cli.contacts",
        "contact",
        "Add, edit, list and merge contacts (name, email, phone in E.164, client).",
    ),
    "demo": (
        "regentra_tui.cli.admin",
        "demo",
        "Open the app on a fresh demo database (rebuilt every time, no set-up).",
    ),
    "doctor": (
        "regentra_tui.cli.doctor",
        "doctor",
        "Check the desk as you: file owners and modes, your group, the index, the worker, "
        "free disk space and the config in effect (secrets as set / not set).",
    ),
    "init": (
        "regentra_tui.cli.admin",
        "init",
        "Create or upgrade the database; the first account to run it becomes a lead.",
    ),
    "kb": (
        "regentra_tui.cli.kb",
        "kb",
        "Knowledge-base articles: what technicians and AI drafts draw on.",
    ),
    "mail": (
        "regentra_tui.cli.mail",
        "mail",
        "Email intake: import a message from a file or an MTA pipe, or poll IMAP; list "
        "and accept mail held back by the rate limit.",
    ),
    "migrate-db": (
        "regentra_tui.cli.move",
        "migrate_db",
        "Copy this desk into an empty PostgreSQL database, verified table by table.",
    ),
    "reindex": (
        "regentra_tui.cli.search",
        "reindex",
        "Rebuild the search index from the database, with a progress bar.",
    ),
    "report": (
        "regentra_tui.cli.report",
        "report",
        "Report KIND: sla (met/breached), time (billable hours and minutes per client and "
        "technician; --json and --csv give whole minutes), volume (by channel and status) or "
        "backlog (open tickets by age).",
    ),
    "search": (
        "regentra_tui.cli.search",
        "search",
        'Full-text search: words, "phrases", prefix*, and client: status: priority: assignee:.',
    ),
    "serve": (
        "regentra_tui.cli.serve",
        "serve",
        "Serve the SMS and chat webhooks (behind a TLS proxy at public_url).",
    ),
    "sla": (
        "regentra_tui.cli.sla",
        "sla",
        "SLA policies (targets per priority), business calendars and holidays.",
    ),
    "sms": (
        "regentra_tui.cli.serve",
        "sms",
        "SMS through Twilio: read the inbound log (for desks Twilio cannot reach).",
    ),
    "technician": (
        "regentra_tui.cli.admin",
        "technician",
        "Register and list technicians (the Unix accounts that may work tickets).",
    ),
    "ticket": ("regentra_tui.cli.tickets", "ticket", "Create, list, show and work tickets."),
    "worker": (
        "regentra_tui.cli.admin",
        "worker",
        "Run the background jobs: auto-close, SLA sweep, search indexing, mail and SMS.",
    ),
}
"""Every command: its module, its name there, and its help's first sentence."""

cli.lazy = COMMANDS


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="regentra")


__all__ = ["COMMANDS", "cli", "main"]
