"""Rich text for tickets: cards, badges and labels, always literal.

Everything that came from a customer (subject, names, bodies) is turned into
``rich.text.Text`` through :func:`regentra_core.text.literal`, never parsed as
markup, so ``[bold]`` stays text and escape sequences are shown, not obeyed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from regentra_core.ai.reviews import SuggestionRow
from regentra_core.durations import format_minutes
from regentra_core.enums import Priority, Status
from regentra_core.queries import TicketRow
from regentra_core.sla import Badge, ClockState, SlaState, describe, format_remaining
from regentra_core.text import literal, one_line

if TYPE_CHECKING:
    from regentra_core.search import Snippet

BADGE_STYLE = {
    Badge.ON_TRACK: "green",
    Badge.AT_RISK: "bold yellow",
    Badge.BREACHED: "bold red",
    Badge.MET: "dim green",
    Badge.NO_REPLY: "yellow",
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


def styled(text: str, style: str) -> Text:
    """Styled text that does not leak its style into what is appended to it.

    ``Text("a", style="bold") + Text("b")`` makes *both* bold: the style of the
    left operand is the whole result's base style. A span does not spread.
    """
    return Text.assemble((text, style))


def safe(text: str | None, *, flat: bool = True, limit: int | None = None) -> Text:
    """Untrusted text, literal; ``-`` for nothing."""
    if text is None or text == "":
        return styled("-", "dim")
    return Text(one_line(text, limit) if flat else literal(text))


SHOWN_CHARACTERS = 20_000
"""How much of one message the detail view draws; the desk keeps all of it."""


def long_text(text: str, number: int, omitted: int = 0) -> Text:
    """A message body, literal, cut for the screen with a note saying where the rest is.

    ``omitted`` counts characters the query already left out (it reads at most
    :data:`SHOWN_CHARACTERS` of each message).
    """
    rest = omitted + max(len(text) - SHOWN_CHARACTERS, 0)
    if not rest:
        return safe(text, flat=False)
    shown = safe(text[:SHOWN_CHARACTERS], flat=False)
    return shown + styled(
        f"\n… {rest:,} more characters (regentra ticket show {number} --full prints them all)",
        "dim",
    )


def priority_text(p: Priority, *, short: bool = False) -> Text:
    return styled(PRIORITY_SHORT[p] if short else p.label, PRIORITY_STYLE[p])


def sla_text(
    state: SlaState | None, *, compact: bool = False, none: str = "no SLA", done: bool = False
) -> Text:
    """``Breached 3h ago (response)``, ``At Risk 1h 20m left (resolution)``, ``Met``.

    ``compact`` (cards, narrow columns) drops the clock's name; ``done`` (a Resolved
    or Closed ticket) draws the badge plainly: a final state is not urgent.
    """
    if state is None:
        return styled(none, "dim")
    badge = state.badge
    text = styled(badge.label, "dim" if done else BADGE_STYLE[badge])
    words = describe(state, named=not compact)
    if compact:
        words = words.removesuffix(" left")
    if words:
        text += Text(f" {words}")
    return text


def clock_text(name: str, clock: ClockState) -> Text:
    """One SLA clock in the detail view."""
    text = Text(f"{name:<11}") + styled(f"{clock.badge.label:<9}", BADGE_STYLE[clock.badge])
    used = int(clock.elapsed_seconds // 60)
    target = int(clock.target_seconds // 60)
    text += styled(f" {minutes(used)} of {minutes(target)}\n", "dim")
    if clock.unanswered:
        text += styled("  resolved without a reply: held until it reopens", "yellow")
    elif clock.stopped:
        text += styled("  stopped", "dim")
    elif clock.paused:
        text += styled(f"  paused, {format_remaining(clock.remaining_seconds)}", "cyan")
    else:
        remaining = format_remaining(clock.remaining_seconds)
        text += Text(f"  due {when(clock.due_at)}, {remaining}")
    return text


def minutes(total: int) -> str:
    """``1h 05m`` or ``45m``: the core's one formatter (``durations.format_minutes``),
    so the app, the command line and the reports write time alike."""
    return format_minutes(total)


def snippet_text(snippet: Snippet, *, lead: int | None = None) -> Text:
    """A search snippet, literal, its matching words highlighted; notes say so.

    ``lead`` keeps at most that many characters before the first match, so a snippet
    cut to a narrow column still shows what matched.
    """
    text = styled("note: ", "yellow") if snippet.field == "notes" else Text()
    body = Text()
    first_match: int | None = None
    for piece, matched in snippet.pieces:
        part = Text(one_line(piece, keep_edges=True))
        if matched:
            part.stylize("bold reverse")
            if first_match is None:
                first_match = len(body)
        body += part
    if lead is not None and first_match is not None and first_match > lead:
        body = Text("…") + body[first_match - lead :]
    return text + body


def text_kept(message: str, again: str) -> str:
    """A refusal of something typed, when the text stays for another try."""
    message = message.rstrip()
    if not message.endswith((".", "!", "?")):
        message += "."
    return f"{message} Your text is kept; {again}."


def when(value: datetime | None) -> str:
    return value.strftime("%a %d %b %H:%M UTC") if value else "-"


def card_lines(row: TicketRow, *, marked: bool = False) -> list[Text]:
    """The three lines of a board card (the board crops them to the column)."""
    done = row.status in (Status.RESOLVED, Status.CLOSED)
    head = styled("● " if marked else "", "bold magenta")
    head += styled(f"#{row.number} ", "bold")
    head += priority_text(row.priority, short=True)
    if row.is_master:
        head += styled(" ▣", "cyan")
    elif row.master:
        head += styled(f" ↳{row.master}", "cyan")
    subject = safe(row.subject)
    who = safe(row.client) + styled(" · ", "dim") + safe(row.assignee or "unassigned")
    lines = [head, subject, who, sla_text(row.sla, compact=True, done=done)]
    if done:
        for line in lines:
            line.stylize("dim")
    return lines


REVIEW_COLUMNS = ("ID", "Ticket", "Kind", "Suggests", "Conf.", "Verdict", "Why")


def review_cells(r: SuggestionRow) -> tuple[str, ...]:
    """One row of the AI review queue, as ``ai reviews`` and the reviews screen show it."""
    return (
        str(r.id),
        f"#{r.ticket}",
        f"{r.kind} ({r.source})",
        r.summary,
        f"{r.confidence:.2f}",
        r.verdict + (f", {r.outcome}" if r.outcome else ""),
        one_line(r.reason or "; ".join(r.articles), 60),
    )
