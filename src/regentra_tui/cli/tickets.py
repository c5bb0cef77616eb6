"""``regentra ticket ...``: every ticket use case, scriptable.

Each command is a thin shell: parse, call one ``Desk`` method or one query, print.
"""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from regentra_core import (
    SUBJECT_MAX,
    Badge,
    CascadeResult,
    Channel,
    ClockState,
    NotFoundError,
    Priority,
    SortKey,
    Status,
    TicketDetail,
    TicketFilter,
    TicketRow,
    ValidationError,
    cascade_offer,
    check_length,
    format_remaining,
    get_ticket,
    list_tickets,
    one_line,
    parse_minutes,
    parse_when,
    reply_reach,
    sms_attachment_note,
    spike_of,
    ticket_detail,
    ticket_history,
    utcnow,
)

from ..render import BADGE_STYLE, DONE_STYLE, minutes, sla_text, status_badge, styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe, when

_STATUS_CHOICES = [s.cli for s in Status] + ["waiting"]
_PRIORITY_CHOICES = [p.value for p in Priority]


MAX_INT64 = 2**63 - 1
NUMBER = click.IntRange(1, MAX_INT64)
"""Ticket numbers and versions: what the database can hold, refused early beyond it."""

PRINTED_CHARACTERS = 20_000
"""How much of one message ``ticket show`` prints without ``--full``."""


def _status(_: click.Context, __: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(Status.parse(v) for v in value)
    return Status.parse(value)


def _priority(_: click.Context, __: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(Priority.parse(v) for v in value)
    return Priority.parse(value)


def _instant(_: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """A day or time as every date option reads it (``dates.parse_when``): a day given
    to ``--until`` includes that day, as ``report --to`` does."""
    if not value:
        return None
    return parse_when(value, utcnow(), end_of_day=param.name == "until")


expect_version = click.option(
    "--expect-version",
    type=NUMBER,
    metavar="V",
    help="Refuse (exit 3) unless the ticket is still at version V.",
)


cascade_option = click.option(
    "--cascade/--no-cascade",
    default=None,
    help="When a master reaches Resolved or Closed: move its open children too, or "
    "leave them (without either, they are left and named).",
)


@click.group()
def ticket() -> None:
    """Create, list, show and work tickets."""


@ticket.command("create")
@click.option("--subject", "-s", required=True, help="One-line summary.")
@click.option("--description", "-d", default="", help="What the customer reported.")
@click.option(
    "--priority",
    "-p",
    type=click.Choice(_PRIORITY_CHOICES, case_sensitive=False),
    default="medium",
    show_default=True,
    help="The customer's priority.",
)
@click.option(
    "--channel",
    type=click.Choice([c.value for c in Channel], case_sensitive=False),
    default="manual",
    show_default=True,
    help="How the request arrived.",
)
@click.option("--contact", "contact_email", required=True, metavar="EMAIL", help="Contact email.")
@click.option("--client", "client_name", help="Client name (needed for a new contact).")
@json_option
@pass_cli
def create(
    state: CliContext,
    subject: str,
    description: str,
    priority: str,
    channel: str,
    contact_email: str,
    client_name: str | None,
    as_json: bool,
) -> None:
    """Open a new ticket (a subject of at most 300 characters, as on every door)."""
    check_length(subject.strip(), SUBJECT_MAX, what="subject")
    created = state.desk().create_ticket(
        subject=subject,
        description=description,
        priority=Priority.parse(priority),
        channel=Channel.parse(channel),
        contact_email=contact_email,
        client_name=client_name,
    )
    _print_ticket(state, created.number, as_json, f"Created ticket #{created.number}")


@ticket.command("list")
@click.option(
    "--status",
    multiple=True,
    type=click.Choice(_STATUS_CHOICES, case_sensitive=False),
    callback=_status,
    help="Only these statuses (repeatable).",
)
@click.option(
    "--priority",
    multiple=True,
    type=click.Choice(_PRIORITY_CHOICES, case_sensitive=False),
    callback=_priority,
    help="Only these priorities (repeatable).",
)
@click.option("--assignee", metavar="USER", help="Username, or 'none' for unassigned.")
@click.option("--client", metavar="NAME", help="Client name.")
@click.option(
    "--since",
    metavar="WHEN",
    callback=_instant,
    help="Created on or after: yesterday, 1d, 2w, last week, 2026-11-01, or an ISO time.",
)
@click.option(
    "--until",
    metavar="WHEN",
    callback=_instant,
    help="Created up to: a day (included), as for --since, or before an ISO time.",
)
@click.option("--search", "text", metavar="TEXT", help="Subject contains TEXT.")
@click.option(
    "--sla",
    multiple=True,
    type=click.Choice([b.cli for b in Badge], case_sensitive=False),
    help="Only tickets with this SLA badge (repeatable).",
)
@click.option(
    "--channel",
    multiple=True,
    type=click.Choice([c.value for c in Channel], case_sensitive=False),
    help="Only tickets that came in by this channel (repeatable).",
)
@click.option(
    "--sort",
    type=click.Choice([k.value for k in SortKey]),
    default="number",
    show_default=True,
)
@click.option("--desc", is_flag=True, help="Reverse the order.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_INT64), default=0)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")
@json_option
@pass_cli
def list_(
    state: CliContext,
    status: tuple[Status, ...],
    priority: tuple[Priority, ...],
    assignee: str | None,
    client: str | None,
    since: datetime | None,
    until: datetime | None,
    text: str | None,
    sla: tuple[str, ...],
    channel: tuple[str, ...],
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List tickets; filters combine.

    On a terminal: a table fitted to its width. Piped: one ticket a line, tab
    separated, never cut. ``--csv`` and ``--json`` for scripts."""
    if since and until and since >= until:
        raise ValidationError("--since must be before --until")
    f = TicketFilter(
        status,
        priority,
        assignee,
        client,
        since,
        until,
        text,
        tuple(Badge.parse(b) for b in sla),
        channels=tuple(Channel(c.lower()) for c in channel),
    )
    rows = list_tickets(
        state.db, f, sort=SortKey(sort), descending=desc, limit=limit, offset=offset
    )
    if as_json:
        emit_json(rows)
        return
    if as_csv:
        _print_csv(rows)
        return
    if not sys.stdout.isatty():
        _print_lines(rows)
        return
    out = console()
    if not rows:
        out.print("No tickets match.")
        return
    out.print(_ticket_table(rows, out.width))


_LIST_COLUMNS = ("number", "status", "priority", "sla", "subject", "client", "assignee", "updated")


def _list_cells(r: TicketRow) -> list[str]:
    """One ticket as plain text cells, whole (no cut), in ``_LIST_COLUMNS`` order."""
    return [
        str(r.number),
        r.status.label,
        r.priority.label,
        sla_text(r.sla, none="-", done=r.status.is_done).plain,
        one_line(r.subject),
        one_line(r.client) if r.client else "",
        r.assignee or "",
        r.updated_at.strftime("%Y-%m-%dT%H:%MZ"),
    ]


def _print_lines(rows: list[TicketRow]) -> None:
    """Piped: one ticket a line, tab-separated, nothing cut, no header (grep, cut -f,
    wc -l count tickets)."""
    for r in rows:
        sys.stdout.write("\t".join(cell.replace("\t", " ") for cell in _list_cells(r)) + "\n")


def _print_csv(rows: list[TicketRow]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_LIST_COLUMNS)
    writer.writerows(_list_cells(r) for r in rows)


def _ticket_table(rows: list[TicketRow], width: int) -> Table:
    """Number, status, priority and subject always; the other columns as width allows
    (at 80 columns a subject cut to nothing helps nobody)."""
    pad = 2  # Rich puts a space either side of every cell
    room = width - sum(w + pad for w in (4, 11, 8, 30))
    shown = set()
    for name, needs in (("SLA", 22), ("Assignee", 10), ("Client", 18), ("Updated", 12)):
        if room >= needs + pad:
            shown.add(name)
            room -= needs + pad
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("#", no_wrap=True, min_width=4)
    table.add_column("Status", no_wrap=True, min_width=11)
    table.add_column("Priority", no_wrap=True, min_width=8)
    for name in ("SLA", "Subject", "Assignee", "Client", "Updated"):
        if name == "Subject":
            table.add_column(name, ratio=1, min_width=30, overflow="ellipsis", no_wrap=True)
        elif name in shown:
            table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=22)
    for r in rows:
        cells: list[str | Text] = [str(r.number), status_badge(r.status), r.priority.label]
        if "SLA" in shown:
            cells.append(sla_text(r.sla, none="-", compact=True, done=r.status.is_done))
        cells.append(safe(r.subject, flat=True))
        if "Assignee" in shown:
            cells.append(r.assignee or "-")
        if "Client" in shown:
            cells.append(safe(r.client, flat=True))
        if "Updated" in shown:
            cells.append(r.updated_at.strftime("%d %b %H:%M"))  # UTC, as the app shows
        # Resolved and Closed muted, as everywhere a ticket is shown: not work.
        table.add_row(*cells, style=DONE_STYLE if r.status.is_done else None)
    return table


@ticket.command("show")
@click.argument("number", type=NUMBER)
@click.option(
    "--full",
    is_flag=True,
    help=f"Print every message whole (by default each stops after {PRINTED_CHARACTERS:,} "
    "characters).",
)
@json_option
@pass_cli
def show(state: CliContext, number: int, full: bool, as_json: bool) -> None:
    """Show a ticket with its conversation, notes, time and links."""
    detail = ticket_detail(state.db, number, body_limit=None if full else PRINTED_CHARACTERS)
    if as_json:
        emit_json(detail)
        return
    _print_detail(detail)


@ticket.command("history")
@click.argument("number", type=NUMBER)
@json_option
@pass_cli
def history(state: CliContext, number: int, as_json: bool) -> None:
    """Show a ticket's audit trail: who did what, when, through which door."""
    events = ticket_history(state.db, number)
    if as_json:
        emit_json(events)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("When", "Who", "Via", "What", "From", "To", "Detail"):
        table.add_column(name)
    for e in events:
        table.add_row(
            when(e.at),
            safe(e.actor),
            e.source,
            e.kind,
            safe(e.from_value, flat=True),
            safe(e.to_value, flat=True),
            safe(e.detail, flat=True, limit=60),
        )
    console().print(table)


_REPLY_THEN = {"waiting": Status.WAITING_ON_CUSTOMER, "resolved": Status.RESOLVED}


@ticket.command("reply")
@click.argument("number", type=NUMBER)
@click.option("--body", "-b", required=True, help="The message.")
@click.option(
    "--attach",
    "attach",
    multiple=True,
    metavar="FILE",
    help="Send FILE with the reply (repeatable; within max_attachment_mb).",
)
@click.option(
    "--from-customer", is_flag=True, help="Record the customer's reply (e.g. from a phone call)."
)
@click.option(
    "--then",
    type=click.Choice(["waiting", "resolved"]),
    help="Also move the ticket, in the same change (a resolving reply is the resolution).",
)
@cascade_option
@expect_version
@json_option
@pass_cli
def reply(
    state: CliContext,
    number: int,
    body: str,
    attach: tuple[str, ...],
    from_customer: bool,
    then: str | None,
    cascade: bool | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Add a public reply (the technician's, or the customer's with --from-customer)."""
    from .attachments import read_uploads

    desk = state.desk()
    if from_customer and then:
        raise click.UsageError("--then is for a technician's reply")
    if from_customer and attach:
        raise click.UsageError("--attach is for a technician's reply")
    uploads = read_uploads(attach, state.settings)  # every file checked before any write
    if from_customer:
        result = desk.add_customer_reply(
            number, body, channel=Channel.MANUAL, expected_version=expect_version
        )
        target = result.ticket_number
        message = f"Customer reply added to #{target}"
        if result.follow_up_of is not None:
            message = f"#{number} is closed: opened follow-up ticket #{target} with the reply"
    else:
        status = {"waiting": Status.WAITING_ON_CUSTOMER, "resolved": Status.RESOLVED}.get(
            then or ""
        )
        desk.add_technician_reply(
            number, body, expected_version=expect_version, then=status, attachments=uploads
        )
        target, message = number, f"Reply added to #{number}"
        row = get_ticket(state.db, number)
        reach = reply_reach(row.channel, row.contact_email, row.contact_phone)
        if not reach.sent:
            message = f"Reply saved on #{number}: not sent ({reach.why_not})"
        elif uploads and reach.channel == Channel.SMS:
            message += f" ({sms_attachment_note(len(uploads))})"
        elif uploads:
            message += f" with {len(uploads)} attachment{'s' if len(uploads) != 1 else ''}"
        if status is not None:
            message += f"; it is now {status.label}"
            message += _children_after(state, number, status, cascade)
    _print_ticket(state, target, as_json, message)


@ticket.command("note")
@click.argument("number", type=NUMBER)
@click.option("--body", "-b", required=True, help="The note (never shown to the customer).")
@json_option
@pass_cli
def note(state: CliContext, number: int, body: str, as_json: bool) -> None:
    """Add a private internal note."""
    state.desk().add_note(number, body)
    _print_ticket(state, number, as_json, f"Note added to #{number}")


@ticket.command("accept")
@click.argument("number", type=NUMBER)
@click.option(
    "--from", "sender", metavar="ADDRESS", help="Only the replies from this address or number."
)
@json_option
@pass_cli
def accept(state: CliContext, number: int, sender: str | None, as_json: bool) -> None:
    """Show the customer the replies marked 'unverified sender' on ticket NUMBER (from
    someone who is neither its contact nor of its client): the portal hides them
    until a technician accepts them."""
    accepted = state.desk().accept_replies(number, sender)
    _print_ticket(state, number, as_json, f"{accepted} reply(ies) on #{number} accepted")


@ticket.command("cc")
@click.argument("number", type=NUMBER)
@click.option(
    "--add",
    "adding",
    multiple=True,
    metavar="ADDRESS",
    help="Copy ADDRESS on the ticket's public replies by mail (repeatable).",
)
@click.option(
    "--remove", "removing", multiple=True, metavar="ADDRESS", help="Stop copying ADDRESS."
)
@expect_version
@json_option
@pass_cli
def cc(
    state: CliContext,
    number: int,
    adding: tuple[str, ...],
    removing: tuple[str, ...],
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Show or change who else ticket NUMBER's public replies by mail are copied to
    (its Cc: the customer's colleagues on the thread; gathered from their mail)."""
    if adding or removing:
        state.desk().change_cc(number, add=adding, remove=removing, expected_version=expect_version)
    copied = ticket_detail(state.db, number, body_limit=1).cc
    if as_json:
        emit_json({"number": number, "cc": copied})
        return
    click.echo(f"#{number} copies {', '.join(copied) or 'nobody'}")


@ticket.command("time")
@click.argument("number", type=NUMBER)
@click.option("--minutes", "-m", "mins", type=int, help="Minutes worked, e.g. 90.")
@click.option(
    "--duration", "-d", metavar="TIME", help="Time worked as typed: 1h30, 1:30, 45m, 1.5h."
)
@click.option("--non-billable", is_flag=True, help="Do not bill this time to the client.")
@click.option("--note", "text", default="", help="What the time was spent on.")
@json_option
@pass_cli
def time_(
    state: CliContext,
    number: int,
    mins: int | None,
    duration: str | None,
    non_billable: bool,
    text: str,
    as_json: bool,
) -> None:
    """Log time worked on a ticket (--minutes or --duration)."""
    if (mins is None) == (duration is None):
        raise click.UsageError("give the time worked once: --minutes 90 or --duration 1h30")
    if duration is not None:
        mins = parse_minutes(duration)
    assert mins is not None
    state.desk().log_time(number, mins, billable=not non_billable, note=text)
    kind = "non-billable" if non_billable else "billable"
    _print_ticket(state, number, as_json, f"Logged {minutes(mins)} {kind} on #{number}")


@ticket.command("time-edit")
@click.argument("entry", type=NUMBER)
@click.option("--minutes", "-m", "mins", type=int, help="Minutes worked, e.g. 90.")
@click.option(
    "--duration", "-d", metavar="TIME", help="Time worked as typed: 1h30, 1:30, 45m, 1.5h."
)
@click.option(
    "--billable/--non-billable", default=None, help="Bill this time to the client, or not."
)
@click.option("--note", "text", default=None, help="What the time was spent on.")
@json_option
@pass_cli
def time_edit(
    state: CliContext,
    entry: int,
    mins: int | None,
    duration: str | None,
    billable: bool | None,
    text: str | None,
    as_json: bool,
) -> None:
    """Correct time entry ENTRY (its id is in `ticket show`): only the options given
    change. Yours, or anyone's if you are a lead; the history keeps before and after."""
    if mins is not None and duration is not None:
        raise click.UsageError("give the time worked once: --minutes 90 or --duration 1h30")
    if duration is not None:
        mins = parse_minutes(duration)
    if mins is None and billable is None and text is None:
        raise click.UsageError("say what to change: --duration, --billable/--non-billable, --note")
    change = state.desk().edit_time(entry, minutes=mins, billable=billable, note=text)
    _print_ticket(
        state, change.number, as_json, f"Time entry {entry} on #{change.number}: {change.after}"
    )


@ticket.command("time-remove")
@click.argument("entry", type=NUMBER)
@json_option
@pass_cli
def time_remove(state: CliContext, entry: int, as_json: bool) -> None:
    """Remove time entry ENTRY, logged by mistake (its id is in `ticket show`). Yours, or
    anyone's if you are a lead; the history keeps all it said."""
    change = state.desk().remove_time(entry)
    said = f"Removed time entry {entry} from #{change.number}: {change.before}"
    _print_ticket(state, change.number, as_json, said)


@ticket.command("status")
@click.argument("number", type=NUMBER)
@click.argument("status", type=click.Choice(_STATUS_CHOICES, case_sensitive=False))
@click.option("--resolution", help="What fixed it (when resolving).")
@cascade_option
@expect_version
@json_option
@pass_cli
def status(
    state: CliContext,
    number: int,
    status: str,
    resolution: str | None,
    cascade: bool | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Move a ticket to another status (open, in-progress, waiting, escalated, ...)."""
    target = Status.parse(status)
    t = state.desk().change_status(
        number, target, expected_version=expect_version, resolution=resolution
    )
    message = f"#{number} is now {t.status.label}"
    message += _children_after(state, number, target, cascade)
    _print_ticket(state, number, as_json, message)


def _children_after(state: CliContext, number: int, target: Status, cascade: bool | None) -> str:
    """What became of a master's open children after it reached ``target``: the
    same question the app asks (cascade_offer), answered by the flag."""
    desk = state.desk()
    left = cascade_offer(state.db, number, target)
    if not left:
        return ""
    if cascade:
        with_note = target == Status.RESOLVED and bool(ticket_detail(state.db, number).resolution)
        result = desk.cascade(number, status=target, resolution=with_note)
        said = f"; cascaded to {_numbered(result.changed)}"
        if result.refused:
            said += "; refused: " + "; ".join(f"#{n}: {why}" for n, why in result.refused)
        return said
    said = f"; {len(left)} open child ticket(s) left as they are: {_numbered(left)}"
    if cascade is None:
        said += f" (--cascade moves them too, or regentra ticket cascade {number} "
        said += f"--status {target.cli})"
    return said


def _numbered(numbers: list[int]) -> str:
    return ", ".join(f"#{n}" for n in numbers) or "none"


@ticket.command("priority")
@click.argument("number", type=NUMBER)
@click.argument("priority", type=click.Choice(_PRIORITY_CHOICES, case_sensitive=False))
@expect_version
@json_option
@pass_cli
def priority(
    state: CliContext, number: int, priority: str, expect_version: int | None, as_json: bool
) -> None:
    """Change a ticket's priority (an operator edit, recorded as such)."""
    t = state.desk().change_priority(
        number, Priority.parse(priority), expected_version=expect_version
    )
    _print_ticket(state, number, as_json, f"#{number} priority is now {t.priority.label}")


@ticket.command("assign")
@click.argument("number", type=NUMBER)
@click.argument("username")
@expect_version
@json_option
@pass_cli
def assign(
    state: CliContext, number: int, username: str, expect_version: int | None, as_json: bool
) -> None:
    """Assign a ticket to a technician ('none' to unassign)."""
    who = None if username.lower() == "none" else username
    state.desk().assign(number, who, expected_version=expect_version)
    _print_ticket(state, number, as_json, f"#{number} assigned to {who or 'nobody'}")


@ticket.command("master")
@click.argument("number", type=NUMBER)
@json_option
@pass_cli
def master(state: CliContext, number: int, as_json: bool) -> None:
    """Promote a ticket to master, so related tickets can be linked under it."""
    state.desk().promote(number)
    _print_ticket(state, number, as_json, f"#{number} is now a master ticket")


@ticket.command("spike")
@click.argument("number", type=NUMBER)
@click.option(
    "--make-master",
    is_flag=True,
    help="Promote the spike's first ticket and link the rest under it.",
)
@json_option
@pass_cli
def spike(state: CliContext, number: int, make_master: bool, as_json: bool) -> None:
    """Show the ticket spike #NUMBER belongs to (a burst from one client or about one
    thing), and with --make-master turn it into a master with children."""
    if make_master:
        result = state.desk().make_spike_master(number)
        if as_json:
            emit_json(result)
            return
        click.echo(
            f"#{result.master} is the master; linked "
            + (", ".join(f"#{n}" for n in result.linked) or "nothing new")
            + "."
        )
        for skipped, why in result.skipped:
            click.echo(f"  #{skipped} not linked: {why}")
        return
    view = spike_of(state.db, number)
    if view is None:
        raise NotFoundError(f"#{number} is not part of a ticket spike")
    if as_json:
        emit_json(view)
        return
    out = console()
    out.print(
        safe(
            f"{len(view.gathered)} open tickets {view.label}, "
            f"detected {view.detected_at:%Y-%m-%d %H:%M} UTC",
            flat=True,
        )
    )
    for t in view.tickets:
        role = "master" if t.number == view.master else ("child" if t.child else "")
        if t.left_out is not None:
            role = f"(left out: {t.left_out.split(' is ', 1)[-1]})"
        out.print(
            f"  #{t.number} {t.priority.label:<8} {t.status.label:<20} ",
            safe(t.subject, flat=True, limit=50),
            safe(f" {role}", flat=True),
        )
    if view.unlinked:
        out.print(
            f"Suggested master #{view.suggested}: regentra ticket spike {number} --make-master"
        )


@ticket.command("link")
@click.argument("master_number", metavar="MASTER", type=NUMBER)
@click.argument("child_number", metavar="CHILD", type=NUMBER)
@json_option
@pass_cli
def link(state: CliContext, master_number: int, child_number: int, as_json: bool) -> None:
    """Link CHILD under the master ticket MASTER."""
    state.desk().link(master_number, child_number)
    _print_ticket(state, child_number, as_json, f"#{child_number} linked under #{master_number}")


@ticket.command("unlink")
@click.argument("child_number", metavar="CHILD", type=NUMBER)
@json_option
@pass_cli
def unlink(state: CliContext, child_number: int, as_json: bool) -> None:
    """Detach CHILD from its master."""
    state.desk().unlink(child_number)
    _print_ticket(state, child_number, as_json, f"#{child_number} unlinked")


@ticket.command("cascade")
@click.argument("master_number", metavar="MASTER", type=NUMBER)
@click.option("--status", type=click.Choice(_STATUS_CHOICES, case_sensitive=False))
@click.option("--assignee", metavar="USER", help="Assign every open child to USER.")
@click.option("--resolution", is_flag=True, help="Copy the master's resolution note.")
@click.option("--reply", metavar="TEXT", help="Send this public reply on every open child.")
@json_option
@pass_cli
def cascade(
    state: CliContext,
    master_number: int,
    status: str | None,
    assignee: str | None,
    resolution: bool,
    reply: str | None,
    as_json: bool,
) -> None:
    """Apply status, assignee, resolution or a reply to a master's open children."""
    result = state.desk().cascade(
        master_number,
        status=Status.parse(status) if status else None,
        assignee=assignee,
        resolution=resolution,
        reply=reply,
    )
    if as_json:
        emit_json(result)
        return
    _print_cascade(result)


def _print_cascade(result: CascadeResult) -> None:
    out = console()
    out.print(f"Cascade from #{result.master}:")
    out.print(f"  changed: {', '.join(f'#{n}' for n in result.changed) or 'none'}")
    out.print(
        f"  left alone (already resolved, closed or there): "
        f"{', '.join(f'#{n}' for n in result.skipped) or 'none'}"
    )
    for number, why in result.refused:
        out.print(Text(f"  refused #{number}: ") + safe(why))


def _print_ticket(state: CliContext, number: int, as_json: bool, message: str) -> None:
    if as_json:
        emit_json(get_ticket(state.db, number))
    else:
        click.echo(message)


def _print_detail(d: TicketDetail) -> None:
    out = console()
    t = d.ticket
    title = styled(f"#{t.number} ", "bold") + safe(t.subject, flat=True)
    out.print(title)
    out.print(_header(t))
    if d.cc:
        out.print(styled("Cc: ", "bold") + safe(", ".join(d.cc), flat=True))
    if t.sla is not None:
        out.print(
            styled("SLA: ", "bold")
            + styled(t.sla.badge.label, BADGE_STYLE[t.sla.badge])
            + Text(f" (policy {t.sla.policy})")
        )
        out.print(_clock_line("response", t.sla.response))
        out.print(_clock_line("resolution", t.sla.resolution))
    if d.description:
        out.print()
        out.print(safe(d.description))
        _print_omitted(out, d.description_omitted, t.number)
    if d.resolution:
        out.print(styled("\nResolution: ", "bold") + safe(d.resolution))
    if d.thread:
        out.print(styled("\nConversation", "bold"))
        for item in d.thread:
            label = "note (private)" if item.private else item.author_kind.value
            line = (
                styled(f"  {when(item.at)}  ", "dim")
                + safe(item.author, flat=True)
                + styled(f" [{label}]", "yellow" if item.private else "cyan")
            )
            if item.unverified:
                line += styled(" (unverified sender)", "bold yellow")
            if item.delivery:
                failed = item.delivery.startswith("failed")
                line += styled(f"  {item.delivery}", "bold red" if failed else "dim")
            out.print(line)
            for line in literal_lines(item.body):
                out.print(Text("    ") + line)
            _print_omitted(out, item.omitted, t.number)
    if d.time_entries:
        out.print(
            styled("\nTime: ", "bold")
            + Text(f"{minutes(d.total_minutes)} total, {minutes(d.billable_minutes)} billable")
        )
        for e in d.time_entries:
            kind = "billable" if e.billable else "non-billable"
            out.print(
                Text(f"  [{e.entry_id}] {e.work_date}  {e.technician}  ")
                + Text(f"{minutes(e.minutes)} {kind}  ")
                + safe(e.note, flat=True)
            )
    if d.children:
        out.print(styled("\nChildren", "bold"))
        for c in d.children:
            out.print(Text(f"  #{c.number}  {c.status.label:<20} ") + safe(c.subject, flat=True))
    if d.follow_ups:
        out.print(styled("\nFollow-ups: ", "bold") + Text(", ".join(f"#{n}" for n in d.follow_ups)))


def _print_omitted(out: Console, omitted: int, number: int) -> None:
    if omitted:
        out.print(styled(f"    … {omitted:,} more characters (ticket show {number} --full)", "dim"))


def _clock_line(name: str, clock: ClockState) -> Text:
    line = Text(f"  {name:<11}") + styled(f"{clock.badge.label:<9}", BADGE_STYLE[clock.badge])
    target = minutes(int(clock.target_seconds // 60))
    used = minutes(int(clock.elapsed_seconds // 60))
    line += Text(f" target {target}, used {used}")
    if clock.unanswered:
        line += Text(", resolved without a reply")
    elif clock.stopped:
        line += Text(", stopped")
    elif clock.paused:
        line += Text(f", paused ({format_remaining(clock.remaining_seconds)})")
    else:
        line += Text(f", due {when(clock.due_at)} ({format_remaining(clock.remaining_seconds)})")
    return line


def literal_lines(body: str) -> list[Text]:
    return [safe(line) for line in body.splitlines() or [""]]


def _header(t: TicketRow) -> Text:
    parts = [
        f"Status: {t.status.label}",
        f"Priority: {t.priority.label}",
    ]
    if t.suggested_priority and t.suggested_priority != t.priority:
        parts.append(f"Suggested: {t.suggested_priority.label}")
    parts += [f"Channel: {t.channel.label}", f"Version: {t.version}"]
    line = Text("  ".join(parts))
    line += Text("\nClient: ") + safe(t.client) + Text("  Contact: ") + safe(t.contact)
    if t.contact_email:
        line += Text(" <") + safe(t.contact_email) + Text(">")
    line += Text(f"  Assignee: {t.assignee or '-'}")
    line += Text(f"\nCreated: {when(t.created_at)}  Updated: {when(t.updated_at)}")
    if t.master:
        line += Text(f"\nChild of master #{t.master}")
    if t.is_master:
        line += Text("\nMaster ticket")
    if t.follow_up_of:
        line += Text(f"\nFollow-up of #{t.follow_up_of}")
    return line
