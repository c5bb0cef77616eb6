"""The AI review queue: every suggestion and draft, least confident first.

A technician marks each Correct (c) or Wrong (w); Enter opens its ticket. The
weekly accuracy under the table is what ``regentra ai reviews`` prints.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from regentra_core import AccuracyRow, RegentraError, SuggestionRow

from ..messages import OpenTicket
from ..render import REVIEW_COLUMNS, priority_text, review_cells, safe, styled
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionTable


class ReviewsScreen(Screen[None]):
    """Pending AI suggestions and drafts; c correct, w wrong, a all or pending."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="reviews.back"),
        Binding("c", "verdict('correct')", "Correct", id="reviews.correct"),
        Binding("w", "verdict('wrong')", "Wrong", id="reviews.wrong"),
        Binding("enter,o", "open", "Open ticket", id="reviews.open"),
        Binding("a", "toggle_all", "All / pending", id="reviews.all"),
    ]

    DEFAULT_CSS = """
    ReviewsScreen DataTable { height: 1fr; }
    ReviewsScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    ReviewsScreen #detail { height: auto; max-height: 12; padding: 0 1; border-top: hkey $panel; }
    ReviewsScreen #accuracy { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, session: DeskSession) -> None:
        super().__init__()
        self.session = session
        self.rows: list[SuggestionRow] = []
        self.pending_only = True

    def compose(self) -> ComposeResult:
        yield Label("AI reviews: pending, least confident first", id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*REVIEW_COLUMNS)
        yield table
        yield Static("", id="detail")
        yield Static("", id="accuracy")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="reviews", exit_on_error=False)
    def reload(self) -> None:
        rows = self.session.review_queue(pending_only=self.pending_only)
        weeks = self.session.accuracy()
        self.app.call_from_thread(self._show, rows, weeks)

    def _show(self, rows: list[SuggestionRow], weeks: list[AccuracyRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for r in rows:
            table.add_row(*(Text(cell) for cell in review_cells(r)), key=str(r.id))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        which = "pending" if self.pending_only else "all"
        title = f"AI reviews: {len(rows)} {which}, least confident first"
        self.query_one("#title", Label).update(title)
        self._show_detail()
        text = styled("Accuracy by week  ", "bold")
        if not weeks:
            text += Text("no verdicts yet")
        for w in weeks:
            share = f"{w.accuracy:.0%}" if w.accuracy is not None else "-"
            text += Text(f"{w.week} {share} ({w.correct}/{w.correct + w.wrong})   ")
        self.query_one("#accuracy", Static).update(text)

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()  # Enter on the table

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.selected
        panel = self.query_one("#detail", Static)
        if row is None:
            panel.update(styled("Nothing to review.", "dim"))
            return
        text = styled(f"#{row.ticket} ", "bold") + safe(row.subject, limit=70)
        text += Text("  priority ") + priority_text(row.priority)
        if row.kind == "draft":
            if row.articles:
                text += Text("\nFrom ") + safe("; ".join(row.articles), limit=100)
            text += Text("\n") + safe("\n".join(row.body.splitlines()[:8]), flat=False)
        else:
            text += Text("\n") + safe(row.reason, limit=200)
        panel.update(text)

    @property
    def selected(self) -> SuggestionRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_verdict(self, verdict: str) -> None:
        """Judge the row under the cursor and move on at once: keys typed in a burst
        (``w c c``) judge one row each, not the same row three times."""
        row = self.selected
        if row is None:
            return
        table = self.query_one(DataTable)
        if self.pending_only:
            index = self.rows.index(row)
            self.rows = self.rows[:index] + self.rows[index + 1 :]
            table.remove_row(str(row.id))
            if self.rows:
                table.move_cursor(row=min(index, len(self.rows) - 1))
        else:
            table.move_cursor(row=table.cursor_row + 1)
        self._verdict(row.id, verdict)

    @work(thread=True, group="review-verdict", exit_on_error=False)  # one per verdict
    def _verdict(self, suggestion_id: int, verdict: str) -> None:
        try:
            self.session.desk().review_suggestion(suggestion_id, verdict)
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(
            self.notify, f"Suggestion {suggestion_id} marked {verdict}", timeout=2
        )
        self.reload()

    def action_open(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(OpenTicket(row.ticket))

    def action_toggle_all(self) -> None:
        self.pending_only = not self.pending_only
        self.reload()
