"""Rich text for tickets: cards, badges and labels, always literal.

Everything that came from a customer (subject, names, bodies) is turned into
``rich.text.Text`` through :func:`regentra_core.text.literal`, never parsed as
markup, so ``[bold]`` stays text and escape sequences are shown, not obeyed.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from regentra_core.enums import Priority, Status
from regentra_core.queries import TicketRow
from regentra_core.sla import Badge, ClockState, SlaState, format_remaining
from regentra_core.text import literal, one_line

BADGE_STYLE = {
    Badge.ON_TRACK: "green",
    Badge.AT_RISK: "bold yellow",
    Badge.BREACHED: "bold red",
    Badge.MET: "dim green",
}
PRIORITY_STYLE = {
    Priority.LOW: "dim",
    Priority.MEDIUM: "",
    Priority.HIGH: "bold yellow",
    Priority.CRITICAL: "bold red",
}
PRIORITY_SHORT = {
    Priority.LOW: "LOW",
    Priority.MEDIUM: "MED",
    Priority.HIGH: "HIGH",
    Priority.CRITICAL: "CRIT",
}


def safe(text: str | None, *, flat: bool = True, limit: int | None = None) -> Text:
    """Untrusted text, literal; ``-`` for nothing."""
    if text is None or text == "":
        return Text("-", style="dim")
    return Text(one_line(text, limit) if flat else literal(text))


def priority_text(p: Priority, *, short: bool = False) -> Text:
    return Text(PRIORITY_SHORT[p] if short else p.label, style=PRIORITY_STYLE[p])


def sla_text(state: SlaState | None, *, compact: bool = False) -> Text:
    """``At Risk 1h 20m left``: the ticket's badge and its most urgent clock."""
    if state is None:
        return Text("no SLA", style="dim")
    badge = state.badge
    text = Text(badge.label, style=BADGE_STYLE[badge])
    clock = state.next_due
    if not clock.stopped:
        rest = "paused" if clock.paused else format_remaining(clock.remaining_seconds)
        if compact:
            rest = rest.replace(" left", "").replace(" over", "+")
        text += Text(f" {rest}")
    return text


def clock_text(name: str, clock: ClockState) -> Text:
    """One SLA clock in the detail view."""
    text = Text(f"{name:<11}") + Text(f"{clock.badge.label:<9}", style=BADGE_STYLE[clock.badge])
    used = int(clock.elapsed_seconds // 60)
    target = int(clock.target_seconds // 60)
    text += Text(f" {_minutes(used)} of {_minutes(target)}\n", style="dim")
    if clock.stopped:
        text += Text("           stopped", style="dim")
    elif clock.paused:
        text += Text(
            f"           paused, {format_remaining(clock.remaining_seconds)}", style="cyan"
        )
    else:
        remaining = format_remaining(clock.remaining_seconds)
        text += Text(f"           due {when(clock.due_at)}, {remaining}")
    return text


def _minutes(total: int) -> str:
    hours, mins = divmod(total, 60)
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def when(value: datetime | None) -> str:
    return value.strftime("%a %d %b %H:%M UTC") if value else "-"


def card_lines(row: TicketRow, *, marked: bool = False) -> list[Text]:
    """The three lines of a board card (the board crops them to the column)."""
    done = row.status in (Status.RESOLVED, Status.CLOSED)
    head = Text("● " if marked else "", style="bold magenta")
    head += Text(f"#{row.number} ", style="bold")
    head += priority_text(row.priority, short=True)
    if row.is_master:
        head += Text(" ▣", style="cyan")
    elif row.master:
        head += Text(f" ↳{row.master}", style="cyan")
    subject = safe(row.subject)
    who = safe(row.client) + Text(" · ", style="dim") + safe(row.assignee or "unassigned")
    lines = [head, subject, who, sla_text(row.sla, compact=True)]
    if done:
        for line in lines:
            line.stylize("dim")
    return lines
