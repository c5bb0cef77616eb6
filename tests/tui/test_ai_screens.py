"""The AI in the app: drafts on the ticket screen, the review queue, the KB screens."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from regentra_core import queries
from regentra_core.ai import reviews
from regentra_tui.screens.detail import TicketScreen

from .conftest import burst, open_ticket, settle

SIZE = (120, 40)


def _printer(db) -> int:
    """The demo's "Upstairs printer offline again": the KB has an article for it."""
    from sqlmodel import select

    from regentra_core.store.models import Ticket

    with db.read() as s:
        return s.exec(
            select(Ticket.number).where(Ticket.subject == "Upstairs printer offline again")
        ).one()


def _panel(app) -> str:
    return str(app.screen.query_one("#ai").render())


async def test_draft_insert_edit_and_send_records_an_edited_draft(make_app, demo_db):
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        assert isinstance(app.screen, TicketScreen)
        assert "None yet: d drafts one" in _panel(app)
        await pilot.press("d")
        await settle(app, pilot)
        panel = _panel(app)
        assert "extractive (no model)" in panel
        assert "Network printer shows as offline" in panel
        await pilot.press("i")
        await settle(app, pilot)
        composer = app.screen.composer
        assert composer.is_open and composer.kind == "reply"
        draft = reviews.latest(demo_db, printer, "draft")
        assert draft is not None and composer.text_area.text == draft.body
        assert composer.text_area.cursor_location == composer.text_area.document.end
        await pilot.press(*"\nP.S. I can come by at 3.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    detail = queries.ticket_detail(demo_db, printer)
    sent = detail.thread[-1]
    assert sent.kind == "reply" and sent.body.startswith(draft.body.split("\n")[0])
    assert sent.body.rstrip().endswith("P.S. I can come by at 3.")
    after = reviews.latest(demo_db, printer, "draft")
    assert after is not None and after.outcome == "edited"


async def test_d_again_cancels_a_draft_and_nothing_is_recorded(make_app, demo_db):
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        screen = app.screen
        screen.action_draft()
        assert "Drafting" in _panel(app)
        screen.action_draft()  # before the worker hands its draft back
        await settle(app, pilot)
        assert "None yet" in _panel(app)
    assert reviews.latest(demo_db, printer, "draft") is None


async def test_leaving_with_a_draft_unsent_records_it_discarded(make_app, demo_db):
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, TicketScreen)
    draft = reviews.latest(demo_db, printer, "draft")
    assert draft is not None and draft.outcome == "discarded"


def test_the_first_screen_is_up_without_litellm_imported(tmp_path):
    """In a process of its own: the test process may have imported litellm already."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from tests.tui.conftest import FROZEN
        from regentra_core.demo import load_demo
        from regentra_core.desk import resolve_os_technician
        from regentra_core.store import Database, upgrade
        from regentra_tui.app import RegentraApp
        from regentra_tui.session import DeskSession

        db = Database({str(tmp_path / "demo.db")!r})
        upgrade(db)
        load_demo(db, now=FROZEN)

        async def main():
            app = RegentraApp(
                DeskSession(db, resolve_os_technician(db, "alice"), lambda: FROZEN),
                poll_seconds=0,
            )
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                print("screen", type(app.screen).__name__)
                print("litellm" in sys.modules)

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out == ["screen", "MainScreen", "False"]


async def test_reviews_screen_marks_suggestions_and_opens_their_ticket(make_app, demo_db):
    from regentra_core.ai.assistant import Assistant
    from regentra_core.config import Settings
    from regentra_core.desk import Desk, resolve_os_technician
    from regentra_tui.screens.reviews import ReviewsScreen

    desk = Desk(demo_db, resolve_os_technician(demo_db, "alice"), source="test")
    assistant = Assistant(demo_db, Settings())
    printer = _printer(demo_db)
    assistant.analyze_ticket(desk, printer)
    assistant.draft(desk, printer)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewsScreen)
        assert len(app.screen.rows) == 2
        first, second = (r.id for r in app.screen.rows)
        await burst(app, pilot, "w", "c")  # typed together: one row each
        assert app.screen.rows == []
        assert "1/2" in str(app.screen.query_one("#accuracy").render())
        await pilot.press("a")
        await settle(app, pilot)
        assert len(app.screen.rows) == 2
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.number == printer
    verdicts = {r.id: r.verdict for r in reviews.suggestions(demo_db, pending_only=False)}
    assert verdicts == {first: "wrong", second: "correct"}


async def test_kb_screens_write_read_and_edit_an_article(make_app, demo_db):
    from regentra_tui.screens.kb import ArticleForm, ArticleScreen, KbScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("K")
        await settle(app, pilot)
        assert isinstance(app.screen, KbScreen)
        before = len(app.screen.articles)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, ArticleForm)
        await pilot.press(*"Scanner jams", "tab", *"scanner, hardware", "tab")
        await pilot.press(*"1. Open the lid.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, KbScreen) and len(app.screen.articles) == before + 1
        assert app.screen.selected is not None and app.screen.selected.slug == "scanner-jams"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, ArticleForm)
        await pilot.press("tab", "end", *", paper")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("ctrl+s")  # no title: refused in the form, nothing lost
        await settle(app, pilot)
        assert isinstance(app.screen, ArticleForm)
        assert "title cannot be empty" in str(app.screen.query_one("#kb-error").render())
    article = next(a for a in queries.kb_articles(demo_db) if a.slug == "scanner-jams")
    assert article.tags == "scanner, hardware, paper" and article.body == "1. Open the lid."
