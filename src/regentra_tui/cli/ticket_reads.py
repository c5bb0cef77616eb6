"""``regentra ticket list`` and ``ticket show``: plain reads first, the ORM if need be.

Both ask ``plain_reads`` (the DB-API, no SQLAlchemy, no models, no Desk) and print
the records it returns; when it cannot answer (``PlainUnavailable``: no readable
desk, an old schema, an unknown account, a URL it has no driver for) they ask the
ORM queries, which open the desk as every command does and refuse in one line, or
upgrade it. ``--json`` imports no Rich either.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click

from regentra_core import (
    Badge,
    Channel,
    PlainUnavailable,
    Priority,
    SortKey,
    Status,
    TicketDetail,
    TicketFilter,
    TicketRow,
    ValidationError,
    open_plain,
    plain_list_tickets,
    plain_ticket_detail,
)

from .context import CliContext, pass_cli
from .json_out import emit_json, json_option
from .ticket_options import (
    MAX_INT64,
    NEWEST_SHOWN,
    NUMBER,
    PRINTED_CHARACTERS,
    PRIORITY_CHOICES,
    STATUS_CHOICES,
    instant,
    parse_priorities,
    parse_statuses,
)

ticket_reads = click.Group("ticket")
"""Holds the read commands until the ``ticket`` group adds the one asked for."""


@ticket_reads.command("list")
@click.option(
    "--status",
    multiple=True,
    type=click.Choice(STATUS_CHOICES, case_sensitive=False),
    callback=parse_statuses,
    help="Only these statuses (repeatable).",
)
@click.option(
    "--priority",
    multiple=True,
    type=click.Choice(PRIORITY_CHOICES, case_sensitive=False),
    callback=parse_priorities,
    help="Only these priorities (repeatable).",
)
@click.option("--assignee", metavar="USER", help="Username, or 'none' for unassigned.")
@click.option("--client", metavar="NAME", help="Client name.")
@click.option(
    "--since",
    metavar="WHEN",
    callback=instant,
    help="Created on or after: yesterday, 1d, 2w, last week, 2026-11-01, or an ISO time.",
)
@click.option(
    "--until",
    metavar="WHEN",
    callback=instant,
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
    rows = _list_rows(state, f, SortKey(sort), desc, limit, offset)
    if as_json:
        emit_json(rows)
        return
    from .ticket_print import print_csv, print_lines, ticket_table

    if as_csv:
        print_csv(rows)
        return
    if not sys.stdout.isatty():
        print_lines(rows)
        return
    from .output import console

    out = console()
    if not rows:
        out.print("No tickets match.")
        return
    out.print(ticket_table(rows, out.width))


def _list_rows(
    state: CliContext, f: TicketFilter, sort: SortKey, desc: bool, limit: int, offset: int
) -> list[TicketRow]:
    try:
        with open_plain(state.plain_target()) as desk:
            return plain_list_tickets(
                desk, f, sort=sort, descending=desc, limit=limit, offset=offset
            )
    except PlainUnavailable:
        from regentra_core import list_tickets

        return list_tickets(state.db, f, sort=sort, descending=desc, limit=limit, offset=offset)


@ticket_reads.command("show")
@click.argument("number", type=NUMBER)
@click.option(
    "--full",
    is_flag=True,
    help=f"Print every message whole (by default each stops after {PRINTED_CHARACTERS:,} "
    "characters).",
)
@click.option(
    "--all",
    "every_entry",
    is_flag=True,
    help=f"Print the whole conversation (by default the newest {NEWEST_SHOWN} entries, "
    "after a line saying how many earlier ones there are).",
)
@json_option
@pass_cli
def show(state: CliContext, number: int, full: bool, every_entry: bool, as_json: bool) -> None:
    """Show a ticket with its conversation, notes, time and links.

    The conversation's newest entries are printed (--all prints every one); --json
    always gives it whole."""
    detail = _detail(state, number, None if full else PRINTED_CHARACTERS)
    if as_json:
        emit_json(detail)
        return
    from .ticket_print import print_detail

    print_detail(detail, every_entry=every_entry)


def _detail(state: CliContext, number: int, body_limit: int | None) -> TicketDetail:
    try:
        with open_plain(state.plain_target()) as desk:
            return plain_ticket_detail(desk, number, body_limit=body_limit)
    except PlainUnavailable:
        from regentra_core import ticket_detail

        return ticket_detail(state.db, number, body_limit=body_limit)
