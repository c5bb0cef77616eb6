"""A long conversation opens at its newest entries, the earlier ones wrapped after."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from regentra_tui.line_wrap import wrapped_lines
from regentra_tui.widgets.thread_view import Entry, ThreadView


class _Thread(App[None]):
    def compose(self) -> ComposeResult:
        yield ThreadView(id="thread")


def _entries(n: int) -> list[Entry]:
    return [
        Entry(Text(f"reply {i}: " + "the printer on the second floor jams again " * 3))
        for i in range(n)
    ]


async def _until_complete(pilot, view: ThreadView) -> None:
    """Let the app run until the earlier entries are wrapped (chunk by chunk)."""
    for _ in range(500):
        if view.complete:
            return
        await pilot.pause(0.01)
    raise AssertionError("the earlier entries were never wrapped")


def _on_screen(app: App[None]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_long_thread_shows_its_newest_entry_before_the_earlier_ones_are_wrapped():
    app = _Thread()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.show(_entries(500))
        assert not view.complete  # only the newest entries so far
        assert view.virtual_size.height < 500
        await _until_complete(pilot, view)
        width = view.scrollable_content_region.width - 3  # the bar, a space each side
        rows = sum(len(wrapped_lines(e.text, app.console, width)) + 1 for e in _entries(500))
        assert view.virtual_size.height == rows  # every entry and the gap after it
        assert view.scroll_offset.y == view.max_scroll_y  # still at the end
        assert "reply 499:" in _on_screen(app)


async def test_a_thread_shown_again_keeping_its_scroll_is_wrapped_whole_and_stays_put():
    app = _Thread()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.show(_entries(200))
        await _until_complete(pilot, view)
        view.scroll_to(y=100, animate=False, immediate=True)
        await pilot.pause()
        seen = _on_screen(app)
        view.show(_entries(201), keep_scroll=True)  # a new reply arrives while reading
        assert view.complete
        await pilot.pause()
        assert view.scroll_offset.y == 100 and _on_screen(app) == seen


async def test_a_resize_before_the_earlier_entries_are_wrapped_wraps_them_all_at_the_new_width():
    app = _Thread()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ThreadView)
        view.show(_entries(300))
        await pilot.resize_terminal(60, 24)
        await _until_complete(pilot, view)
        assert view.scroll_offset.y == view.max_scroll_y
        assert "reply 299:" in _on_screen(app)
