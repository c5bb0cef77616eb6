"""How ``ticket list`` and ``ticket show`` print for people: Rich tables and text.

Imported only for text output, so ``--json`` never loads Rich; ``rich.table`` only
for the list's table (it brings ``fractions`` and ``decimal``). ``ticket show``
builds its lines and prints them a batch at a time (``_LINES_A_PRINT``).
"""

from __future__ import annotations

import csv
import sys
from typing import TYPE_CHECKING

from rich.text import Text

from regentra_core import (
    ClockState,
    TicketDetail,
    TicketRow,
    format_remaining,
    one_line,
    wall_remaining,
)

from ..render import BADGE_STYLE, DONE_STYLE, minutes, sla_text, status_badge, styled
from .output import console, safe, when
from .ticket_options import NEWEST_SHOWN

if TYPE_CHECKING:
    from rich.table import Table

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


def print_lines(rows: list[TicketRow]) -> None:
    """Piped: one ticket a line, tab-separated, nothing cut, no header (grep, cut -f,
    wc -l count tickets)."""
    for r in rows:
        sys.stdout.write("\t".join(cell.replace("\t", " ") for cell in _list_cells(r)) + "\n")


def print_csv(rows: list[TicketRow]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_LIST_COLUMNS)
    writer.writerows(_list_cells(r) for r in rows)


def ticket_table(rows: list[TicketRow], width: int) -> Table:
    """Number, status, priority and subject always; the other columns as width allows
    (at 80 columns a subject cut to nothing helps nobody)."""
    from rich.table import Table

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


_LINES_A_PRINT = 64
"""Lines ``ticket show`` hands Rich in one print: a call per line cost 3x the
rendering of a short ticket, and a whole 10 MB message in one call grows faster
than its length (Rich joins the lines into one Text)."""


def print_detail(d: TicketDetail, *, every_entry: bool = False) -> None:
    out = console()
    lines = detail_lines(d, every_entry=every_entry)
    for start in range(0, len(lines), _LINES_A_PRINT):
        out.print(*lines[start : start + _LINES_A_PRINT], sep="\n")


def detail_lines(d: TicketDetail, *, every_entry: bool = False) -> list[Text]:
    """What ``ticket show`` prints, a Text a line (a line may wrap, or hold ``\\n``)."""
    lines: list[Text] = []
    t = d.ticket
    title = styled(f"#{t.number} ", "bold") + safe(t.subject, flat=True)
    lines.append(title)
    lines.append(_header(t))
    if d.cc:
        lines.append(styled("Cc: ", "bold") + safe(", ".join(d.cc), flat=True))
    if t.sla is not None:
        lines.append(
            styled("SLA: ", "bold")
            + styled(t.sla.badge.label, BADGE_STYLE[t.sla.badge])
            + Text(f" (policy {t.sla.policy})")
        )
        lines.append(_clock_line("response", t.sla.response))
        lines.append(_clock_line("resolution", t.sla.resolution))
    if d.description:
        lines.append(Text())
        lines.append(safe(d.description))
        _omitted(lines, d.description_omitted, t.number)
    if d.resolution:
        lines.append(styled("\nResolution: ", "bold") + safe(d.resolution))
    if d.thread:
        lines.append(styled("\nConversation", "bold"))
        shown = d.thread if every_entry else d.thread[-NEWEST_SHOWN:]
        earlier = len(d.thread) - len(shown)
        if earlier:
            lines.append(
                styled(
                    f"  {earlier:,} earlier {'entry' if earlier == 1 else 'entries'} not shown "
                    "(--all shows every one)",
                    "dim",
                )
            )
        for item in shown:
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
            lines.append(line)
            for line in literal_lines(item.body):
                lines.append(Text("    ") + line)
            _omitted(lines, item.omitted, t.number)
    if d.time_entries:
        lines.append(
            styled("\nTime: ", "bold")
            + Text(f"{minutes(d.total_minutes)} total, {minutes(d.billable_minutes)} billable")
        )
        for e in d.time_entries:
            kind = "billable" if e.billable else "non-billable"
            lines.append(
                Text(f"  [{e.entry_id}] {e.work_date}  {e.technician}  ")
                + Text(f"{minutes(e.minutes)} {kind}  ")
                + safe(e.note, flat=True)
            )
    if d.children:
        lines.append(styled("\nChildren", "bold"))
        for c in d.children:
            lines.append(Text(f"  #{c.number}  {c.status.label:<20} ") + safe(c.subject, flat=True))
    if d.follow_ups:
        numbers = ", ".join(f"#{n}" for n in d.follow_ups)
        lines.append(styled("\nFollow-ups: ", "bold") + Text(numbers))
    return lines


def _omitted(lines: list[Text], omitted: int, number: int) -> None:
    if omitted:
        more = f"    … {omitted:,} more characters (ticket show {number} --full)"
        lines.append(styled(more, "dim"))


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
        line += Text(f", due {when(clock.due_at)} ({format_remaining(wall_remaining(clock))})")
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
