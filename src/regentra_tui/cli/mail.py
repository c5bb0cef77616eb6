"""``regentra mail``: email intake from a file or an MTA pipe.

``regentra mail import`` is the mailgate (as Request Tracker's ``rt-mailgate``): an
MTA alias pipes each message into it, or a person imports an ``.eml`` file. It
goes through exactly the code the IMAP poll uses. Exit codes follow sysexits, as
MTAs expect: 0 whenever the message was handled (a skipped loop or duplicate
included), 75 (EX_TEMPFAIL) when it could not be stored now, so the MTA retries.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from regentra_core.errors import RegentraError

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe

EX_TEMPFAIL = 75
MAX_MESSAGE_BYTES = 200 * 1024 * 1024
"""A message larger than this is refused whole (an MTA's own limit is lower)."""


@click.group("mail")
def mail() -> None:
    """Email intake: import a message from a file or an MTA pipe, or poll IMAP; list
    and accept mail held back by the rate limit."""


@mail.command("import")
@click.argument("source", required=False, default="-", metavar="[FILE|-]")
@json_option
@pass_cli
def import_(state: CliContext, source: str, as_json: bool) -> None:
    """Take one RFC 5322 message (an .eml file, or - for standard input) into the desk.

    Prints what happened: a new ticket, a reply (or reopen, or follow-up), a
    duplicate or a skipped message with its reason. Exits 0 when the message was
    handled and 75 when it could not be stored now (the MTA will retry).
    """
    state.identity_required = False  # the MTA runs this as the service account
    raw = _read(source)
    try:
        wiring = state.wiring()
        (result,) = wiring.receive_mail([(wiring.parse_mail(raw), None)])
    except (RegentraError, OSError) as exc:
        click.echo(f"Error: cannot store the message now, try again later: {exc}", err=True)
        raise SystemExit(EX_TEMPFAIL) from exc
    if as_json:
        emit_json({"outcome": result.outcome, "ticket": result.ticket, "reason": result.reason})
        return
    where = f" #{result.ticket}" if result.ticket else ""
    why = f": {result.reason}" if result.reason else ""
    via = f" (matched by {result.via})" if result.via else ""
    click.echo(f"{result.outcome.value}{where}{via}{why}")


@mail.command("poll")
@json_option
@pass_cli
def poll_(state: CliContext, as_json: bool) -> None:
    """Poll the configured IMAP mailbox once (the worker daemon does it on a schedule).

    Each new message is stored with the folder's read position in one transaction,
    and only then flagged read (or moved to imap_processed_folder).
    """
    state.identity_required = False  # the service account runs it
    report = state.wiring().poll_mail()
    if as_json:
        emit_json({"fetched": report.fetched, "outcomes": report.outcomes})
        return
    click.echo(report.summary())


@mail.command("skipped")
@click.option("--limit", default=200, show_default=True, help="At most this many, newest first.")
@json_option
@pass_cli
def skipped_(state: CliContext, limit: int, as_json: bool) -> None:
    """List held-back mail (over the sender's rate limit) whose source is kept.

    Each can still be made a ticket with 'regentra mail accept ID' until
    skipped_mail_retention_days have passed; then the worker daemon forgets it.
    """
    from regentra_core.desk.channels import held_messages

    held = held_messages(state.db, limit=max(1, min(limit, 10_000)))
    if as_json:
        emit_json(
            [
                {
                    "id": h.id,
                    "sender": h.sender,
                    "subject": h.subject,
                    "reason": h.reason,
                    "received_at": h.received_at,
                    "bytes": h.size,
                }
                for h in held
            ]
        )
        return
    if not held:
        click.echo("No held-back mail.")
        return
    out = console()
    for h in held:
        line = Text(f"{h.id:>7}  {h.received_at:%Y-%m-%d %H:%M}  ")
        line += (
            safe(h.sender, flat=True, limit=40) + Text("  ") + safe(h.subject, flat=True, limit=60)
        )
        out.print(line)
        out.print(Text("         ") + safe(h.reason, flat=True, limit=100), style="dim")


@mail.command("accept")
@click.argument("record_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@json_option
@pass_cli
def accept_(state: CliContext, record_id: int, as_json: bool) -> None:
    """Make held-back message ID (see 'regentra mail skipped') a ticket, as you.

    Its kept source is read again as any mail is (attachments saved) and opens a
    ticket for its sender; the audit trail says who accepted it.
    """
    from regentra_core.desk.channels import held_source

    desk = state.desk()
    wiring = state.wiring()
    result = desk.accept_skipped(record_id, wiring.parse_mail(held_source(state.db, record_id)))
    if as_json:
        emit_json({"outcome": result.outcome, "ticket": result.ticket})
        return
    click.echo(f"Created ticket #{result.ticket} from held-back message {record_id}")


def _read(source: str) -> bytes:
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
        else:
            with Path(source).open("rb") as fh:
                raw = fh.read(MAX_MESSAGE_BYTES + 1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {source}: {exc.strerror}") from exc
    if len(raw) > MAX_MESSAGE_BYTES:
        raise click.ClickException(f"the message is larger than {MAX_MESSAGE_BYTES:,} bytes")
    if not raw.strip():
        raise click.ClickException("the message is empty")
    return raw
