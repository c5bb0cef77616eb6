"""``regentra mail``: email intake from a file or an MTA pipe.

``regentra mail import`` is the mailgate (as Request Tracker's ``rt-mailgate``): an
MTA alias pipes each message into it, or a person imports an ``.eml`` file. It
goes through exactly the code the IMAP poll uses. Exit codes follow sysexits, as
MTAs expect: 0 whenever the message was handled (a skipped loop or duplicate
included), 75 (EX_TEMPFAIL) when it could not be stored now, so the MTA retries.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from regentra_core import RegentraError

from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe

if TYPE_CHECKING:
    from regentra_core import ReceiveResult

EX_TEMPFAIL = 75
EX_NOINPUT = 66
IMPORT_BATCH = 50
"""Messages stored per transaction when several are imported."""
MBOX_SUFFIX = ".mbox"
MAX_MESSAGE_BYTES = 200 * 1024 * 1024
"""A message larger than this is refused whole (an MTA's own limit is lower)."""


@click.group("mail")
def mail() -> None:
    """Email intake: import a message from a file or an MTA pipe, or poll IMAP; list
    and accept mail held back by the rate limit."""


@mail.command("import")
@click.argument("sources", nargs=-1, metavar="[FILE|FOLDER|MBOX|-]...")
@json_option
@pass_cli
def import_(state: CliContext, sources: tuple[str, ...], as_json: bool) -> None:
    """Take RFC 5322 messages into the desk: .eml files, a folder of them, an mbox
    file (named *.mbox), or - for standard input (the MTA pipe, the default).

    Prints what each message did: a new ticket, a reply (or reopen, or follow-up),
    a duplicate or a skipped message with its reason; with several, one line each,
    led by where it came from. A message that cannot be understood (a From that is
    no address, broken MIME) is still stored, flagged, its source kept. Exits 0
    when every message was stored or knowingly skipped, 75 (EX_TEMPFAIL) only when
    one could not be stored now (the database or the disk; the MTA retries, and the
    others were stored), 66 when a named file could not be read.
    """
    state.identity_required = False  # the MTA runs this as the service account
    sources = sources or ("-",)
    if len(sources) == 1 and not _many(sources[0]):
        _import_one(state, sources[0], as_json)
        return
    _import_many(state, sources, as_json)


def _import_one(state: CliContext, source: str, as_json: bool) -> None:
    """One message, as the MTA pipe has always had it: one line, no label."""
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
    click.echo(_said(result))


def _import_many(state: CliContext, sources: tuple[str, ...], as_json: bool) -> None:
    """Every message of every source, in batches of one transaction each; a batch
    that cannot be stored is tried a message at a time, so one message the desk
    cannot take now leaves the others stored."""
    try:
        wiring = state.wiring()
    except (RegentraError, OSError) as exc:
        click.echo(f"Error: cannot store messages now, try again later: {exc}", err=True)
        raise SystemExit(EX_TEMPFAIL) from exc
    rows: list[dict[str, object]] = []
    failed = unread = 0

    def report(label: str, result: ReceiveResult | None, problem: str | None = None) -> None:
        if as_json:
            rows.append(
                {
                    "source": label,
                    "outcome": result.outcome if result else "not_stored",
                    "ticket": result.ticket if result else None,
                    "reason": result.reason if result else problem,
                }
            )
            return
        click.echo(f"{label}: {_said(result) if result else problem}")

    def store(batch: list[tuple[str, bytes]]) -> None:
        nonlocal failed
        try:
            results = wiring.receive_mail([(wiring.parse_mail(raw), None) for _, raw in batch])
        except (RegentraError, OSError) as exc:
            if len(batch) > 1:
                for one in batch:
                    store([one])
                return
            failed += 1
            report(batch[0][0], None, f"not stored now, try again later: {exc}")
            return
        for (label, _), result in zip(batch, results, strict=True):
            report(label, result)

    batch: list[tuple[str, bytes]] = []
    for label, raw, problem in _messages(sources):
        if raw is None:
            unread += problem is not None and not problem.startswith("skipped")
            report(label, None, problem)
            continue
        batch.append((label, raw))
        if len(batch) >= IMPORT_BATCH:
            store(batch)
            batch = []
    if batch:
        store(batch)
    if as_json:
        emit_json(rows)
    if failed:
        click.echo(f"Error: {failed} message(s) not stored now, try again later", err=True)
        raise SystemExit(EX_TEMPFAIL)
    if unread:
        click.echo(f"Error: {unread} source(s) could not be read", err=True)
        raise SystemExit(EX_NOINPUT)


def _said(result: ReceiveResult) -> str:
    where = f" #{result.ticket}" if result.ticket else ""
    why = f": {result.reason}" if result.reason else ""
    via = f" (matched by {result.via})" if result.via else ""
    return f"{result.outcome.value}{where}{via}{why}"


def _many(source: str) -> bool:
    """Whether one named source holds several messages (a folder, an mbox)."""
    return source != "-" and (Path(source).is_dir() or source.endswith(MBOX_SUFFIX))


def _messages(sources: tuple[str, ...]) -> Iterator[tuple[str, bytes | None, str | None]]:
    """(label, message, None) per message of ``sources``, in order; (label, None,
    why) for what was not read (a file that cannot be opened) or knowingly
    skipped (an empty file)."""
    for source in sources:
        path = Path(source)
        if source == "-":
            yield from _one("-", lambda: sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1))
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file())
            if not found:
                yield source, None, "skipped: no .eml files in this folder"
            for item in found:
                yield from _one(str(item), item.read_bytes)
        elif source.endswith(MBOX_SUFFIX):
            yield from _mbox(path)
        else:
            yield from _one(source, partial(_read_capped, path))


def _one(label: str, read: Callable[[], bytes]) -> Iterator[tuple[str, bytes | None, str | None]]:
    try:
        raw = read()
    except OSError as exc:
        yield label, None, f"not read: {exc.strerror or exc}"
        return
    if len(raw) > MAX_MESSAGE_BYTES:
        yield label, None, f"skipped: larger than {MAX_MESSAGE_BYTES:,} bytes"
    elif not raw.strip():
        yield label, None, "skipped: empty"
    else:
        yield label, raw, None


def _mbox(path: Path) -> Iterator[tuple[str, bytes | None, str | None]]:
    """Each message of an mbox file (the stdlib's reading: ``From `` lines split it)."""
    import mailbox

    if not path.is_file():
        yield str(path), None, "not read: no such file"
        return
    try:
        box = mailbox.mbox(path, create=False)
        keys = box.keys()
    except (OSError, mailbox.Error) as exc:
        yield str(path), None, f"not read: {exc}"
        return
    for number, key in enumerate(keys, 1):
        yield from _one(f"{path}#{number}", partial(box.get_bytes, key))
    box.close()


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(MAX_MESSAGE_BYTES + 1)


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
    from regentra_core import held_messages

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
    from regentra_core import held_source

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
