"""The ticket commands that change a ticket (and its history), through the Desk.

Each command is a thin shell: parse, call one ``Desk`` method or one query, print.
"""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from regentra_core import (
    SUBJECT_MAX,
    CascadeResult,
    Channel,
    NotFoundError,
    Priority,
    Status,
    cascade_offer,
    check_length,
    get_ticket,
    parse_minutes,
    reply_reach,
    sms_attachment_note,
    spike_of,
    ticket_detail,
    ticket_history,
)

from ..render import minutes
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe, when
from .ticket_options import (
    NUMBER,
    PRIORITY_CHOICES,
    STATUS_CHOICES,
    cascade_option,
    expect_version,
)

ticket_writes = click.Group("ticket")
"""Holds the write commands until the ``ticket`` group adds the one asked for."""


@ticket_writes.command("create")
@click.option("--subject", "-s", required=True, help="One-line summary.")
@click.option("--description", "-d", default="", help="What the customer reported.")
@click.option(
    "--priority",
    "-p",
    type=click.Choice(PRIORITY_CHOICES, case_sensitive=False),
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


@ticket_writes.command("history")
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


@ticket_writes.command("reply")
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


@ticket_writes.command("note")
@click.argument("number", type=NUMBER)
@click.option("--body", "-b", required=True, help="The note (never shown to the customer).")
@json_option
@pass_cli
def note(state: CliContext, number: int, body: str, as_json: bool) -> None:
    """Add a private internal note."""
    state.desk().add_note(number, body)
    _print_ticket(state, number, as_json, f"Note added to #{number}")


@ticket_writes.command("accept")
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


@ticket_writes.command("cc")
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


@ticket_writes.command("time")
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


@ticket_writes.command("time-edit")
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


@ticket_writes.command("time-remove")
@click.argument("entry", type=NUMBER)
@json_option
@pass_cli
def time_remove(state: CliContext, entry: int, as_json: bool) -> None:
    """Remove time entry ENTRY, logged by mistake (its id is in `ticket show`). Yours, or
    anyone's if you are a lead; the history keeps all it said."""
    change = state.desk().remove_time(entry)
    said = f"Removed time entry {entry} from #{change.number}: {change.before}"
    _print_ticket(state, change.number, as_json, said)


@ticket_writes.command("status")
@click.argument("number", type=NUMBER)
@click.argument("status", type=click.Choice(STATUS_CHOICES, case_sensitive=False))
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


@ticket_writes.command("priority")
@click.argument("number", type=NUMBER)
@click.argument("priority", type=click.Choice(PRIORITY_CHOICES, case_sensitive=False))
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


@ticket_writes.command("assign")
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


@ticket_writes.command("master")
@click.argument("number", type=NUMBER)
@json_option
@pass_cli
def master(state: CliContext, number: int, as_json: bool) -> None:
    """Promote a ticket to master, so related tickets can be linked under it."""
    state.desk().promote(number)
    _print_ticket(state, number, as_json, f"#{number} is now a master ticket")


@ticket_writes.command("spike")
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


@ticket_writes.command("link")
@click.argument("master_number", metavar="MASTER", type=NUMBER)
@click.argument("child_number", metavar="CHILD", type=NUMBER)
@json_option
@pass_cli
def link(state: CliContext, master_number: int, child_number: int, as_json: bool) -> None:
    """Link CHILD under the master ticket MASTER."""
    state.desk().link(master_number, child_number)
    _print_ticket(state, child_number, as_json, f"#{child_number} linked under #{master_number}")


@ticket_writes.command("unlink")
@click.argument("child_number", metavar="CHILD", type=NUMBER)
@json_option
@pass_cli
def unlink(state: CliContext, child_number: int, as_json: bool) -> None:
    """Detach CHILD from its master."""
    state.desk().unlink(child_number)
    _print_ticket(state, child_number, as_json, f"#{child_number} unlinked")


@ticket_writes.command("cascade")
@click.argument("master_number", metavar="MASTER", type=NUMBER)
@click.option("--status", type=click.Choice(STATUS_CHOICES, case_sensitive=False))
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
