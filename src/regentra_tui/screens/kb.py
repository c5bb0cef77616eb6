"""The knowledge base in the app: a list, an article, and a form to write one.

The same Desk calls as ``regentra kb add|edit``; the search index follows by itself
(every article write queues it). Articles are Markdown and shown rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Markdown, Static, TextArea

from regentra_core import ArticleRecord, NoChange, RegentraError

from ..render import styled
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionTable
from .form_dialog import FormDialog

SaveFn = Callable[[str, str, str], str]
"""(title, tags, body) -> the saved article's slug."""
"""(title, tags, body) -> the article saved."""


class KbScreen(Screen[None]):
    """Every article by title; Enter reads one, n writes a new one, e edits."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="kb.back"),
        Binding("enter,o", "read", "Read", id="kb.read"),
        Binding("n", "add", "New article", id="kb.add"),
        Binding("e", "edit", "Edit", id="kb.edit"),
    ]

    DEFAULT_CSS = """
    KbScreen DataTable { height: 1fr; }
    KbScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    """

    def __init__(self, session: DeskSession) -> None:
        super().__init__()
        self.session = session
        self.articles: list[ArticleRecord] = []

    def compose(self) -> ComposeResult:
        yield Label("Knowledge base", id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Title", "Tags", "Updated")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="kb", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        articles = self.session.kb_articles()
        self.app.call_from_thread(self._show, articles, select)

    def _show(self, articles: list[ArticleRecord], select: str | None) -> None:
        self.articles = articles
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for a in articles:
            table.add_row(Text(a.title), Text(a.tags), f"{a.updated_at:%Y-%m-%d}", key=a.slug)
        slugs = [a.slug for a in articles]
        table.move_cursor(row=slugs.index(select) if select in slugs else keep)
        self.query_one("#title", Label).update(f"Knowledge base: {len(articles)} article(s)")

    @property
    def selected(self) -> ArticleRecord | None:
        table = self.query_one(DataTable)
        if not self.articles or not 0 <= table.cursor_row < len(self.articles):
            return None
        return self.articles[table.cursor_row]

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_read()  # Enter on the table

    def action_read(self) -> None:
        article = self.selected
        if article is not None:
            self.app.push_screen(ArticleScreen(article), self._after_read)

    def _after_read(self, edit: bool | None) -> None:
        if edit:
            self.action_edit()

    def action_add(self) -> None:
        desk = self.session.desk()
        self.app.push_screen(
            ArticleForm(
                None, lambda title, tags, body: desk.add_article(title, body, tags=tags).slug
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        article = self.selected
        if article is None:
            return
        desk = self.session.desk()
        slug = article.slug
        self.app.push_screen(
            ArticleForm(
                article,
                lambda title, tags, body: (
                    desk.edit_article(slug, title=title, body=body, tags=tags).slug
                ),
            ),
            self._saved,
        )

    def _saved(self, slug: str | None) -> None:
        if slug:
            self.notify(f"Saved {slug}", timeout=2)
            self.reload(slug)


class ArticleScreen(Screen[bool]):
    """One article, rendered; e edits it."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="article.back"),
        Binding("e", "edit", "Edit", id="article.edit"),
    ]

    DEFAULT_CSS = """
    ArticleScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    ArticleScreen #tags { padding: 0 1; color: $text-muted; }
    ArticleScreen VerticalScroll { height: 1fr; padding: 0 1; }
    """

    def __init__(self, article: ArticleRecord) -> None:
        super().__init__()
        self.article = article

    def compose(self) -> ComposeResult:
        yield Label(Text(self.article.title), id="title")
        yield Static(Text(f"Tags: {self.article.tags or '-'}  ·  {self.article.slug}"), id="tags")
        with VerticalScroll():
            yield Markdown(self.article.body)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(VerticalScroll))

    def action_back(self) -> None:
        self.dismiss(False)

    def action_edit(self) -> None:
        self.dismiss(True)


class ArticleForm(FormDialog, ModalScreen[str | None]):
    """Title, tags and the Markdown body; ctrl+s saves, esc cancels."""

    FIRST_FIELD = "#kb-title"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="article.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="article.cancel"),
    ]

    DEFAULT_CSS = """
    ArticleForm { align: center middle; }
    ArticleForm > Vertical {
        width: 90%; max-width: 100; height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ArticleForm TextArea { height: 1fr; }
    ArticleForm .error { color: $error; height: auto; }
    ArticleForm Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, article: ArticleRecord | None, save: SaveFn) -> None:
        super().__init__()
        self.article = article
        self.save = save

    def compose(self) -> ComposeResult:
        a = self.article
        with Vertical():
            yield Label(styled(f"Edit {a.slug}" if a else "New KB article", "bold"))
            yield Input(a.title if a else "", placeholder="Title (required)", id="kb-title")
            yield Input(a.tags if a else "", placeholder="Tags, comma-separated", id="kb-tags")
            yield TextArea(a.body if a else "", language="markdown", id="kb-body")
            yield from self.form_end("kb-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def save_form(self) -> None:
        self._save(
            self.query_one("#kb-title", Input).value,
            self.query_one("#kb-tags", Input).value,
            self.query_one("#kb-body", TextArea).text,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="kb-save", exit_on_error=False)
    def _save(self, title: str, tags: str, body: str) -> None:
        try:
            saved = self.save(title, tags, body)
        except NoChange:
            saved = self.article.slug if self.article else ""
        except RegentraError as exc:
            self.app.call_from_thread(self.query_one("#kb-error", Static).update, Text(str(exc)))
            return
        self.app.call_from_thread(self.dismiss, saved)
