"""The AI in the app: drafts on the ticket screen, the review queue, the KB screens."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from regentra_core import queries
from regentra_core.ai import reviews
from regentra_tui.screens.detail import TicketScreen
from tests.helpers.llm_standin import LlmStandIn, Slow
from tests.helpers.waiting import wait_for

from .conftest import burst, open_ticket, settle, until
from .notices import Notices

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
        reviewed = app.screen
        # The queue reloads from a worker thread after each verdict: wait for it.
        assert await until(app, pilot, lambda: reviewed.rows == []), reviewed.rows
        assert await until(
            app, pilot, lambda: "1/2" in str(reviewed.query_one("#accuracy").render())
        )
        await pilot.press("a")
        assert await until(app, pilot, lambda: len(reviewed.rows) == 2), reviewed.rows
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


MODEL_DRAFT = "Hi, please restart the Print Spooler service on the print server."


@pytest.fixture
def standin():
    server = LlmStandIn(default=MODEL_DRAFT).start()
    yield server
    server.stop()


@pytest.fixture
def model_without_key(monkeypatch, standin):
    """The app's settings, as a technician's on a shared host: a model, no key."""
    monkeypatch.setenv("REGENTRA_AI_MODEL", "openai/standin")
    monkeypatch.setenv("REGENTRA_AI_API_BASE", standin.api_base)
    monkeypatch.setenv("REGENTRA_AI_TIMEOUT_SECONDS", "10")


@pytest.fixture
def daemon(demo_db, standin, tmp_path):
    """The worker daemon's request job, in a running worker, with the key in a file
    only its settings name."""
    from regentra_core.config import Settings
    from regentra_core.wiring import Wiring
    from regentra_core.worker import WorkerRunner

    key = tmp_path / "ai_api_key"
    key.write_text("sk-daemon-only\n", encoding="utf-8")
    settings = Settings(
        ai_model="openai/standin",
        ai_api_base=standin.api_base,
        ai_api_key_file=key,
        ai_timeout_seconds=10,
    )
    jobs = Wiring(settings, demo_db, None).ai_jobs(with_secrets=True)
    runner = WorkerRunner(
        demo_db,
        label="worker",
        lease_seconds=5,
        heartbeat_seconds=0.2,
        sla_seconds=3600,
        auto_close_seconds=3600,
        automation_seconds=3600,
        extra_jobs=tuple(j for j in jobs if j.name == "ai-requests"),
    )
    runner.start()
    assert wait_for(lambda: runner.holding, 20)
    yield runner
    runner.stop()


async def _until(app, pilot, predicate, seconds: float = 40) -> bool:
    """Let the app run (its workers, the daemon's thread) until ``predicate`` holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await settle(app, pilot)
    return predicate()


async def test_d_asks_the_daemon_shows_drafting_and_then_its_model_draft(
    make_app, demo_db, model_without_key, daemon, standin
):
    """The key is the daemon's: before, ``d`` called the model from the app, failed
    ("Missing credentials") and showed the extractive draft."""
    standin.answer(Slow(1.0, MODEL_DRAFT))  # long enough to see the panel meanwhile
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        await pilot.press("d")
        assert "Drafting… (the worker daemon asks the model)" in _panel(app)
        await pilot.press("e")  # the screen stays usable while the daemon drafts
        assert screen.show_quoted
        assert await _until(app, pilot, lambda: MODEL_DRAFT in _panel(app))
        panel = _panel(app)
        assert "Drafting" not in panel and "model," in panel
        assert "Network printer shows as offline" in panel
    draft = reviews.latest(demo_db, printer, "draft")
    assert draft is not None and draft.source == "model" and draft.body == MODEL_DRAFT


async def test_d_without_a_daemon_says_so_at_once_and_offers_the_extractive_draft(
    make_app, demo_db, model_without_key, standin
):
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        await pilot.press("d")
        await settle(app, pilot)
        panel = _panel(app)
        assert "No worker daemon is running: ask an admin to start regentra-worker" in panel
        assert "d makes an extractive draft now" in panel
        app.screen.action_draft()  # the panel as it reads at once, before the draft
        panel = _panel(app)
        assert "Drafting from the knowledge base…" in panel, panel
        assert "worker daemon" not in panel
        await settle(app, pilot)
        assert "extractive (no model)" in _panel(app)
    draft = reviews.latest(demo_db, printer, "draft")
    assert draft is not None and draft.source == "extractive" and standin.requests == []


async def _watch_panel(app, pilot, until, seconds: float = 15) -> list[str]:
    """The AI panel as it reads every tenth of a second until ``until`` holds (the
    draft's worker keeps running: ``settle`` would wait for it)."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        seen.append(_panel(app))
        await pilot.pause(0.1)
    return seen


async def test_a_draft_slower_than_usual_stays_drafting_while_the_daemon_holds_the_lease(
    make_app, demo_db, model_without_key, daemon, standin, monkeypatch
):
    """The rehearsal's first draft after a daemon start took 32 s (litellm's import):
    the app stopped waiting at ai_timeout_seconds + WAIT_SLACK = 30 s and said "None
    yet: d drafts one", inviting a second ``d``. Both are cut short here (0.1 + 0.5 s)
    and the daemon takes 2 s: the panel says Drafting… until its draft shows."""
    from regentra_tui.screens import detail

    monkeypatch.setenv("REGENTRA_AI_TIMEOUT_SECONDS", "0.1")
    monkeypatch.setattr(detail, "WAIT_SLACK", 0.5)
    standin.answer(Slow(2.0, MODEL_DRAFT))
    app = make_app()
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        await pilot.press("d")
        seen = await _watch_panel(app, pilot, lambda: MODEL_DRAFT in _panel(app))
        assert MODEL_DRAFT in _panel(app)
        assert seen and all("Drafting… (the worker daemon asks the model" in p for p in seen)
        assert any("longer than usual" in p for p in seen)
    draft = reviews.latest(demo_db, printer, "draft")
    assert draft is not None and draft.source == "model" and draft.body == MODEL_DRAFT


async def test_the_app_stops_waiting_for_a_draft_when_no_daemon_holds_the_lease_any_more(
    make_app, demo_db, model_without_key, monkeypatch
):
    """A daemon that holds the lease and answers nothing (busy, then stopped): the
    app waits past the usual time, and gives up, saying so, once the lease is free."""
    from regentra_core.worker.lease import acquire_or_renew, release
    from regentra_tui.screens import detail

    monkeypatch.setenv("REGENTRA_AI_TIMEOUT_SECONDS", "0.1")
    monkeypatch.setattr(detail, "WAIT_SLACK", 0.2)
    holder = "host:11:worker"
    assert acquire_or_renew(demo_db, holder, 60)
    app = make_app()
    notices = Notices(app)
    printer = _printer(demo_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_ticket(app, pilot, printer)
        await pilot.press("d")
        seen = await _watch_panel(app, pilot, lambda: "longer than usual" in _panel(app))
        assert "longer than usual" in _panel(app)
        assert all("Drafting…" in p for p in seen)
        release(demo_db, holder)
        await _watch_panel(app, pilot, lambda: "Drafting" not in _panel(app))
        assert "Drafting" not in _panel(app)
        messages = notices.messages
        assert any("No worker daemon holds the lease any more" in m for m in messages)
    assert reviews.latest(demo_db, printer, "draft") is None
