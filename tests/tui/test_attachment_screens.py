"""Attachments in the app: listed in the thread, opened inline (text, images, other
types), saved to a path, piped to a command, and attached from the composer."""

from __future__ import annotations

import io

from textual.widgets import Input, OptionList, Static

from regentra_core import queries
from regentra_core.config import load_settings
from regentra_core.desk import Desk, Upload, resolve_os_technician
from regentra_core.queries.attachments import attachments_of
from regentra_tui.screens.attachments import AttachmentsScreen
from regentra_tui.screens.text_prompt import TextPrompt
from regentra_tui.widgets.composer import Composer
from regentra_tui.widgets.thread_view import ThreadView

from .conftest import FROZEN, open_ticket, settle, until

SIZE = (120, 40)
TICKET = 1001


def _desk(db) -> Desk:
    return Desk(
        db,
        resolve_os_technician(db, "alice"),
        source="test",
        clock=lambda: FROZEN,
        config=load_settings().desk_config(),
    )


def _png(width=40, height=20) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _attach(db, *files: tuple[str, bytes]) -> None:
    _desk(db).attach_files(TICKET, [Upload(name, data) for name, data in files])


def _shown(app) -> str:
    screen = app.screen
    heading = screen.query_one("#heading", Static).render()
    content = screen.query_one("#content", Static).render()
    return f"{heading}\n{content}"


async def _notified(posted, pilot, wanted, timeout: float = 30.0) -> list[str]:
    """Wait for a notification saying ``wanted``, from the ``Notify`` messages the app
    posted (``message_hook``): a toast lasts seconds, and a loaded machine's settle
    can outlast it."""
    import asyncio

    from textual.notifications import Notify

    deadline = asyncio.get_running_loop().time() + timeout
    said: list[str] = []
    while asyncio.get_running_loop().time() < deadline:
        said = [m.notification.message for m in posted if isinstance(m, Notify)]
        if any(wanted in m for m in said):
            break
        await pilot.pause(0.05)
    return said


async def _open_files(app, pilot) -> None:
    await open_ticket(app, pilot, TICKET)
    await pilot.press("f")
    await until(app, pilot, lambda: isinstance(app.screen, AttachmentsScreen))
    await until(app, pilot, lambda: app.screen.query_one(OptionList).option_count > 0)


async def _choose(app, pilot, index: int) -> None:
    files = app.screen.query_one(OptionList)
    files.highlighted = index
    await pilot.press("enter")
    await until(app, pilot, lambda: app.screen.shown is not None)


async def _answer(app, pilot, text: str) -> None:
    """Type ``text`` into the open prompt (replacing what it offered) and save."""
    await until(app, pilot, lambda: isinstance(app.screen, TextPrompt))
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def test_the_thread_names_each_file_with_its_type_and_size(make_app, demo_db):
    _desk(demo_db).add_technician_reply(
        TICKET, "Log attached.", attachments=[Upload("printer.log", b"jam at tray 2\n")]
    )
    _attach(demo_db, ("photo.png", _png()))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, TICKET)
        thread = app.screen.query_one(ThreadView).plain
        assert "Attachment printer.log  text/plain · 14 B" in thread
        assert "Attachment photo.png  image/png ·" in thread
        description = thread.split("\n\n")[0]
        assert "photo.png" in description  # the opening message's file under it


async def test_the_palette_offers_the_files_of_the_open_ticket(make_app, demo_db):
    from regentra_tui.commands import TicketCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, TICKET)
        names = {name for name, _, _ in TicketCommands(app.screen)._available()}
        assert "Files" in names
        await app.run_action("screen.attachments")
        assert await until(app, pilot, lambda: isinstance(app.screen, AttachmentsScreen))


async def test_enter_shows_a_text_file_inline(make_app, demo_db):
    _attach(demo_db, ("config.json", b'{"vpn": "on"}\n'))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await _choose(app, pilot, 0)
        shown = _shown(app)
        assert "config.json" in shown and "application/json" in shown


async def test_a_large_text_file_is_shown_in_part_and_says_so(make_app, demo_db):
    _attach(demo_db, ("big.log", b"line of the log\n" * 40_000))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await _choose(app, pilot, 0)
        assert "Showing the first 256.0 KB of 625.0 KB" in _shown(app)


async def test_an_image_is_drawn_in_the_terminal(make_app, demo_db):
    _attach(demo_db, ("screen.png", _png(40, 20)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await _choose(app, pilot, 0)
        assert "image 40×20" in _shown(app)
        content = app.screen.query_one("#content", Static)
        await until(app, pilot, lambda: content.size.height >= 5)
        assert content.size.height == 10  # 20 pixel rows, two a cell


async def test_another_type_says_its_size_and_how_to_save_it(make_app, demo_db):
    _attach(demo_db, ("setup.exe", b"MZ\x90\x00" + bytes(range(256)) * 4))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await _choose(app, pilot, 0)
        shown = _shown(app)
        assert "application/x-msdownload · 1.0 KB" in shown
        assert "No preview for this type: s saves it" in shown


async def test_a_file_missing_from_storage_says_so(make_app, demo_db):
    _attach(demo_db, ("gone.txt", b"soon gone"))
    (row,) = attachments_of(demo_db, TICKET)
    (load_settings().attachments_dir() / row.path).unlink()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await _choose(app, pilot, 0)
        assert "gone.txt is missing from storage" in _shown(app)


async def test_s_saves_and_replaces_an_existing_file_only_when_asked_again(
    make_app, demo_db, tmp_path
):
    _attach(demo_db, ("notes.txt", b"the real notes\n"))
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    app = make_app()
    posted: list = []
    async with app.run_test(size=SIZE, notifications=True, message_hook=posted.append) as pilot:
        await _open_files(app, pilot)
        await pilot.press("s")
        await _answer(app, pilot, str(target))
        assert isinstance(app.screen, TextPrompt)  # refused, still asking
        error = str(app.screen.query_one("#error", Static).render())
        assert "already exists: save again to replace it" in error
        assert target.read_text() == "mine"
        await pilot.press("enter")  # the same path again: replace it
        await until(app, pilot, lambda: isinstance(app.screen, AttachmentsScreen))
        assert target.read_bytes() == b"the real notes\n"
        folder = tmp_path / "out"
        folder.mkdir()
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, TextPrompt))
        app.screen.query_one(Input).value = str(folder)  # a folder: the file's own name in it
        await pilot.press("enter")
        saved = f"Saved notes.txt (15 B) to {folder / 'notes.txt'}"
        assert saved in await _notified(posted, pilot, saved)
        assert (folder / "notes.txt").read_bytes() == b"the real notes\n"


async def test_pipe_runs_the_command_without_a_shell_and_shows_its_output(
    make_app, demo_db, tmp_path
):
    _attach(demo_db, ("data.csv", b"a,b\n1,2\n3,4\n"))
    marker = tmp_path / "injected"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await pilot.press("vertical_line")
        await _answer(app, pilot, "wc -l")
        await until(app, pilot, lambda: "exit 0" in _shown(app))
        assert _shown(app).split("\n", 1)[1].strip() == "3"
        # A shell would run the second command; split by shlex, it is an argument.
        await pilot.press("vertical_line")
        await _answer(app, pilot, f"cat - ; touch {marker}")
        await until(app, pilot, lambda: "exit" in _shown(app) and "cat" in _shown(app))
        assert not marker.exists()


async def test_pipe_refuses_a_command_this_host_does_not_have(make_app, demo_db):
    _attach(demo_db, ("a.txt", b"a"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_files(app, pilot)
        await pilot.press("vertical_line")
        await _answer(app, pilot, "no-such-command-here --x")
        error = str(app.screen.query_one("#error", Static).render())
        assert "no command 'no-such-command-here' on this host" in error


async def test_the_composer_attaches_lists_removes_and_sends_files(make_app, demo_db, tmp_path):
    first = tmp_path / "steps.txt"
    first.write_text("1. restart\n")
    second = tmp_path / "extra.txt"
    second.write_text("more\n")
    app = make_app()
    posted: list = []
    async with app.run_test(size=SIZE, notifications=True, message_hook=posted.append) as pilot:
        await open_ticket(app, pilot, TICKET)
        await pilot.press("r", *"See the steps", "ctrl+o")
        await _answer(app, pilot, str(tmp_path / "missing.txt"))
        assert "no file" in str(app.screen.query_one("#error", Static).render())
        await _answer(app, pilot, str(first))
        composer = app.screen.query_one(Composer)
        await pilot.press("ctrl+o")
        await _answer(app, pilot, str(second))
        files = str(composer.query_one("#composer-files", Static).render())
        assert "steps.txt" in files and "extra.txt" in files
        await pilot.press("ctrl+r")  # the last one off again
        await settle(app, pilot)
        assert composer.files == [str(first.resolve())]
        await pilot.press("ctrl+s")
        said = await _notified(posted, pilot, "with 1 attachment")
        assert any(m.endswith("with 1 attachment") for m in said), said
    (row,) = attachments_of(demo_db, TICKET)
    assert row.filename == "steps.txt" and row.reply_id is not None
    replies = [i for i in queries.ticket_detail(demo_db, TICKET).thread if i.kind == "reply"]
    assert replies[-1].body == "See the steps"
