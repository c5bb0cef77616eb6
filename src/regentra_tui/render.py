"""Rich text for tickets: cards, badges and labels, always literal.

Everything that came from a customer (subject, names, bodies) is turned into
``rich.text.Text`` through :func:`regentra_core.text.literal`, never parsed as
markup, so ``[bold]`` stays text and escape sequences are shown, not obeyed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from regentra_core import (
    Badge,
    ClockState,
    Priority,
    SlaState,
    Status,
    TicketRow,
    describe_sla,
    format_minutes,
    format_remaining,
    literal,
    one_line,
    wall_remaining,
)

if TYPE_CHECKING:
    # A type only: the AI reviews' module reads through the ORM, and `ticket list`
    # draws with this module without it.
    from regentra_core import Snippet, SuggestionRow

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
"""Priorities where room is short (cards, the list at 80 columns): the words
themselves cut to four letters, not P1..P4, whose order every desk reads its own way."""
BADGE_SHORT = {
    Badge.ON_TRACK: "OK",
    Badge.AT_RISK: "Risk",
    Badge.BREACHED: "Late",
    Badge.MET: "Met",
    Badge.NO_REPLY: "NoRe",
}
"""SLA badges on a card a twelfth of 80 columns wide: ``Late 3h50m``, ``Risk 30m``."""
DONE_STYLE = "dim"
"""Resolved and Closed, wherever a ticket is drawn: a final state is not work."""
STATUS_BADGE_STYLE = "bold reverse"
"""The status of a ticket that is still work: a solid badge."""


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


def status_label(status: Status, *, short: bool = False) -> str:
    """A status's name; ``short`` where a column is narrow (``Waiting``, ``In Prog``)."""
    if status == Status.WAITING_ON_CUSTOMER:
        return "Waiting"
    if short and status == Status.IN_PROGRESS:
        return "In Prog"
    return status.label


def status_badge(status: Status, *, short: bool = False, solid: bool = False) -> Text:
    """A ticket's status, the one way every place draws it: Resolved and Closed are
    muted (the board, the list, the detail header, the preview, the linked tickets,
    ``ticket list``), so what is still work stands out wherever one looks.

    ``solid`` (a header's badge) draws an active status reversed, as a pill; a done
    one stays muted there too.
    """
    label = status_label(status, short=short)
    if status.is_done:
        return styled(f" {label} " if solid else label, DONE_STYLE)
    return styled(f" {label} ", STATUS_BADGE_STYLE) if solid else Text(label)


def initials(username: str | None) -> str:
    """Two letters for an assignee on a narrow card: ``alice`` AL, ``j.smith`` JS;
    ``--`` for nobody."""
    if not username:
        return "--"
    parts = [p for p in username.replace(".", " ").replace("_", " ").replace("-", " ").split() if p]
    if len(parts) >= 2:
        return (parts[0][0] + parts[1][0]).upper()
    return username[:2].upper()


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
    words = describe_sla(state, named=not compact)
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
        remaining = format_remaining(wall_remaining(clock))
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


NARROW_CARD = 24
"""A card narrower than this (a board column at 80 to about 140 columns) is drawn in
short words: ``CRIT``, ``Late 3h50m``, assignee initials."""


def card_lines(row: TicketRow, *, marked: bool = False, width: int = 80) -> list[Text]:
    """The four lines of a board card, ``width`` cells wide (the board crops them).

    What a stand-up reads first comes first and survives the crop: number and
    priority, the SLA, the subject, then who has it and for which client. A narrow
    card says the same in short words rather than cutting the words in half
    (``CRI…`` and no assignee at 80 columns).
    """
    done = row.status.is_done
    narrow = width < NARROW_CARD
    head = styled("● " if marked else "", "bold magenta")
    head += styled(f"#{row.number} ", "bold")
    head += priority_text(row.priority, short=True)
    if row.is_master:
        head += styled("▣" if narrow else " ▣", "cyan")
    elif row.master:
        head += styled("↳" if narrow else f" ↳{row.master}", "cyan")
    if narrow:
        sla = sla_short(row.sla, done=done)
        who = styled(initials(row.assignee), "bold") + Text(" ") + safe(row.client)
    else:
        sla = sla_text(row.sla, compact=True, done=done)
        who = safe(row.assignee or "unassigned") + styled(" · ", "dim") + safe(row.client)
    lines = [head, sla, safe(row.subject), who]
    if done:
        for line in lines:
            line.stylize(DONE_STYLE)
    return lines


def sla_short(state: SlaState | None, *, done: bool = False) -> Text:
    """A card's SLA in a dozen cells: ``Late 3h50m``, ``Risk 30m``, ``OK paused``."""
    if state is None:
        return styled("no SLA", "dim")
    badge = state.badge
    text = styled(BADGE_SHORT[badge], "dim" if done else BADGE_STYLE[badge])
    words = describe_sla(state, named=False).removesuffix(" left").removesuffix(" ago")
    if words:
        text += Text(" " + _tight(words))
    return text


def _tight(span: str) -> str:
    """``3h 50m`` as ``3h50m``; from ten hours on the minutes go (``18h``, ``2d3h``)."""
    parts = span.split()
    if len(parts) == 2 and parts[0].endswith("h") and len(parts[0]) > 2:
        return parts[0]
    return "".join(parts)


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
