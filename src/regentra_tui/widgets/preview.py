"""The ticket under the list's cursor, beside the list: most triage needs no open.

As gh-dash does for pull requests: who, what state, what the customer said and the
latest message, read as the cursor moves. Loading waits for the cursor to rest
(holding ``j`` does not read every ticket it passes) and happens in a thread.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from regentra_core import AuthorKind, RegentraError, TicketDetail, fold_quoted

from ..render import priority_text, safe, sla_text, status_badge, styled, when
from ..session import DeskSession

REST_SECONDS = 0.12
"""How long the cursor stays on a row before its ticket is read."""
SHOWN_LINES = 12


class Preview(VerticalScroll):
    """Shows :meth:`show_ticket`'s ticket; empty when there is none.

    It binds no keys of its own (it scrolls as a ``VerticalScroll`` does) and has no
    reactives.
    """

    DEFAULT_CSS = """
    Preview { width: 2fr; min-width: 36; border-left: vkey $panel-lighten-1; padding: 0 1; }
    Preview.-hidden { display: none; }
    """

    def __init__(self, session: DeskSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.number: int | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(styled("No ticket selected", "dim"), id="preview-body")

    def show_ticket(self, number: int | None) -> None:
        """Preview ``number`` once the cursor has rested on it."""
        if number == self.number:
            return
        self.number = number
        if self._timer is not None:
            self._timer.stop()
        if number is None:
            self.query_one(Static).update(styled("No ticket selected", "dim"))
            return
        self._timer = self.set_timer(REST_SECONDS, lambda: self._load(number))

    def reload(self) -> None:
        if self.number is not None and not self.has_class("-hidden"):
            self._load(self.number)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _load(self, number: int) -> None:
        try:
            detail = self.session.detail(number)
        except RegentraError as exc:
            self.app.call_from_thread(self.query_one(Static).update, Text(str(exc)))
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, d: TicketDetail) -> None:
        if d.ticket.number != self.number:
            return  # the cursor has moved on
        self.query_one(Static).update(render_preview(d))
        self.scroll_home(animate=False)


def render_preview(d: TicketDetail) -> Text:
    t = d.ticket
    out = styled(f"#{t.number}  ", "bold") + safe(t.subject, flat=True)
    out.stylize("bold")
    out += Text("\n") + status_badge(t.status, solid=True) + Text("  ")
    out += priority_text(t.priority) + Text("  ") + sla_text(t.sla, done=t.status.is_done)
    out += Text("\n") + safe(t.client or "no client", flat=True)
    if t.client_vip:
        out += styled(" VIP", "bold magenta")
    out += Text(" · ") + safe(t.contact or "no contact", flat=True)
    out += Text(f" · via {t.channel.label} · ") + safe(t.assignee or "unassigned", flat=True)
    out += Text("\n\n") + styled("Description", "bold") + styled(f"  {when(t.created_at)}", "dim")
    out += Text("\n") + _lines(fold_quoted(d.description or "(no description)").shown)
    public = [i for i in d.thread if not i.private]
    if public:
        last = public[-1]
        who = "Customer" if last.author_kind == AuthorKind.CUSTOMER else "Technician"
        out += Text("\n\n") + styled(f"Latest: {who} ", "bold") + safe(last.author, flat=True)
        out += styled(f"  {when(last.at)}", "dim") + Text("\n")
        out += _lines(fold_quoted(last.body).shown if who == "Customer" else last.body)
    notes = sum(1 for i in d.thread if i.private)
    count = f"{len(public)} repl{'y' if len(public) == 1 else 'ies'}, {notes} note"
    out += styled(f"\n\n{count}{'' if notes == 1 else 's'} · ⏎ opens", "dim")
    return out


def _lines(text: str) -> Text:
    lines = text.strip().splitlines()
    shown = "\n".join(lines[:SHOWN_LINES])
    result = safe(shown, flat=False)
    if len(lines) > SHOWN_LINES:
        result += styled(f"\n… {len(lines) - SHOWN_LINES} more lines", "dim italic")
    return result
