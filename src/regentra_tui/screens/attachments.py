"""A ticket's files, over SSH: ``f`` on the ticket.

There is no desktop to open a file on, so the screen shows what a terminal can:
text (and any file whose bytes are UTF-8 text) inline, syntax-highlighted when it
is small, the beginning of a large one with a line saying so; images drawn in
half-block characters (``rich-pixels``: any terminal, tmux and a plain SSH session
alike); anything else as its type and size. ``s`` saves the file to a path (never
over an existing file unless saved again to say so); ``|`` pipes it to a command
the technician types (split by ``shlex``, run without a shell, the file on its
stdin), its output shown here, bounded in size and time.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from regentra_core import (
    AttachmentFile,
    AttachmentRow,
    RegentraError,
    ValidationError,
    human_size,
    is_text,
    literal,
    looks_like_text,
    one_line,
)

from ..render import styled
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionOptionList
from .text_prompt import TextPrompt

PREVIEW_BYTES = 256 * 1024
"""How much of a text file is shown; the rest is saved or piped."""
HIGHLIGHT_BYTES = 64 * 1024
"""Text up to this size is syntax-highlighted (Pygments on more takes seconds)."""
PIPE_OUTPUT_BYTES = 256 * 1024
"""How much of a command's output is kept and shown."""
PIPE_SECONDS = 20.0
"""A piped command still running after this is stopped."""


@dataclass(frozen=True, slots=True)
class Preview:
    """What the screen shows of one file: a line about it and its content."""

    heading: Text
    body: RenderableType | None = None


def preview(found: AttachmentFile, width: int = 80) -> Preview:
    """(A worker.) The inline view of ``found``: text, an image, or a line."""
    row = found.row
    about = _about(row)
    if found.missing is not None:
        return Preview(about + styled(f"\n{found.missing}", "bold red"))
    assert found.location is not None
    with found.location.open("rb") as source:
        head = source.read(PREVIEW_BYTES + 1)
    if row.content_type.startswith("image/"):
        return _image(found.location, about, width)
    if is_text(row.content_type) or looks_like_text(head):
        return _text(row, head, about)
    return Preview(
        about + styled("\nNo preview for this type: s saves it, | pipes it to a command", "dim")
    )


def _about(row: AttachmentRow) -> Text:
    text = styled(one_line(row.filename), "bold")
    text.append(f"  {one_line(row.content_type)} · {human_size(row.size)}", "dim")
    return text


def _text(row: AttachmentRow, head: bytes, about: Text) -> Preview:
    cut = len(head) > PREVIEW_BYTES
    shown = literal(head[:PREVIEW_BYTES].decode("utf-8", "replace"))
    if cut:
        about.append(
            f"\nShowing the first {human_size(PREVIEW_BYTES)} of {human_size(row.size)}: "
            "s saves the whole file, | pipes it to a command",
            "yellow",
        )
    body: RenderableType
    if len(shown) <= HIGHLIGHT_BYTES:
        lexer = Syntax.guess_lexer(row.filename, shown)
        body = Syntax(shown, lexer, word_wrap=True, theme="ansi_dark")
    else:
        body = Text(shown)
    return Preview(about, body)


def _image(location: Path, about: Text, width: int) -> Preview:
    """The picture in half-block characters (two pixels a cell), fitted to
    ``width``; a line with its size when Pillow cannot read it."""
    try:
        from PIL import Image
        from rich_pixels import Pixels

        with Image.open(location) as image:
            w, h = image.size
            cells = max(1, min(width, w))
            rows = max(1, round(h * cells / w))
            fitted = image.convert("RGB").resize((cells, rows + rows % 2))
            pixels = Pixels.from_image(fitted)
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a bad image
        return Preview(about + styled("\nAn image this terminal cannot draw: s saves it", "dim"))
    return Preview(about + styled(f"\nimage {w}×{h} · s saves it", "dim"), pixels)


def default_save_path(filename: str) -> Path:
    """~/Downloads/<name> where there is such a folder, else the current folder."""
    downloads = Path.home() / "Downloads"
    return (downloads if downloads.is_dir() else Path.cwd()) / filename


def pipe(location: Path, command: str) -> tuple[str, int | None, bool]:
    """Run ``command`` (``shlex``-split, no shell) with the file on its stdin.

    Returns its output (stdout and stderr, at most ``PIPE_OUTPUT_BYTES``), its exit
    code (None when it was stopped after ``PIPE_SECONDS``) and whether the output
    was cut."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ValidationError(f"cannot read the command: {exc}") from None
    if not argv:
        raise ValidationError("type a command, e.g. less, head -50, pdftotext - -")
    if shutil.which(argv[0]) is None:
        raise ValidationError(f"no command {argv[0]!r} on this host")
    with location.open("rb") as stdin:
        try:
            proc = subprocess.Popen(  # noqa: S603 - argv from shlex, never a shell
                argv,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise ValidationError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            proc.kill()

        timer = threading.Timer(PIPE_SECONDS, stop)
        timer.start()
        try:
            assert proc.stdout is not None
            output = proc.stdout.read(PIPE_OUTPUT_BYTES + 1)
            cut = len(output) > PIPE_OUTPUT_BYTES
            if cut:
                proc.kill()  # what is left is not shown: no need to wait for it
            proc.stdout.close()
            code = proc.wait()
        finally:
            timer.cancel()
    text = output[:PIPE_OUTPUT_BYTES].decode("utf-8", "replace")
    return text, None if stopped.is_set() else code, cut


class AttachmentsScreen(Screen[None]):
    """Ticket ``number``'s files: Enter shows one, ``s`` saves it, ``|`` pipes it."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="attachments.back"),
        Binding("s", "save", "Save to…", id="attachments.save"),
        Binding("vertical_line", "pipe", "Pipe to a command", id="attachments.pipe"),
    ]

    DEFAULT_CSS = """
    AttachmentsScreen #title { height: auto; padding: 0 1; background: $panel; }
    AttachmentsScreen #files { width: 2fr; min-width: 30; }
    AttachmentsScreen #view { width: 5fr; padding: 0 1; }
    AttachmentsScreen #heading { height: auto; }
    AttachmentsScreen #content { height: auto; }
    """

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.rows: list[AttachmentRow] = []
        self.shown: AttachmentRow | None = None
        """The file whose view is on screen."""
        self.confirm_overwrite: Path | None = None
        """A path the technician was told exists: saving to it again replaces it."""

    def compose(self) -> ComposeResult:
        yield Static(f"Attachments of #{self.number}: loading…", id="title")
        with Horizontal():
            yield MotionOptionList(id="files")
            with VerticalScroll(id="view"):
                yield Static("", id="heading")
                yield Static("", id="content")
        yield KeyFooter()

    @property
    def session(self) -> Any:
        return getattr(self.app, "session")  # noqa: B009 - the RegentraApp's

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="attachments", exit_on_error=False)
    def _load(self) -> None:
        try:
            rows = self.session.attachments(self.number)
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[AttachmentRow]) -> None:
        self.rows = rows
        title = f"Attachments of #{self.number}: {len(rows)} file{'s' if len(rows) != 1 else ''}"
        hint = " · Enter shows one, s saves it, | pipes it to a command" if rows else ""
        self.query_one("#title", Static).update(styled(title, "bold") + styled(hint, "dim"))
        files = self.query_one("#files", OptionList)
        files.clear_options()
        files.add_options(
            Option(Text(f"{one_line(r.filename, 40)}  ") + styled(human_size(r.size), "dim"))
            for r in rows
        )
        if rows:
            files.highlighted = 0
            files.focus()
        else:
            self.query_one("#heading", Static).update(styled("This ticket has no files.", "dim"))

    def _current(self) -> AttachmentRow | None:
        index = self.query_one("#files", OptionList).highlighted
        if index is None or not 0 <= index < len(self.rows):
            self.app.bell()
            return None
        return self.rows[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.rows):
            self._show(self.rows[event.option_index])

    @work(thread=True, exclusive=True, group="attachment-view", exit_on_error=False)
    def _show(self, row: AttachmentRow) -> None:
        width = max(20, self.query_one("#view").size.width - 2)
        try:
            found = self.session.attachment(row.id)
            view = preview(found, width)
        except (RegentraError, OSError) as exc:
            view = Preview(_about(row) + styled(f"\n{exc}", "bold red"))
        self.app.call_from_thread(self._shown, row, view)

    def _shown(self, row: AttachmentRow, view: Preview) -> None:
        self.shown = row
        self.query_one("#heading", Static).update(view.heading)
        self.query_one("#content", Static).update(view.body if view.body is not None else "")
        self.query_one("#view", VerticalScroll).scroll_home(animate=False)

    def action_back(self) -> None:
        self.dismiss()

    def action_save(self) -> None:
        row = self._current()
        if row is None:
            return
        self.confirm_overwrite = None
        self.app.push_screen(
            TextPrompt(
                f"Save {one_line(row.filename, 60)} to (a path on this host)",
                lambda typed: self._save(row, typed),
                initial=str(default_save_path(row.filename)),
                single_line=True,
            )
        )

    def _save(self, row: AttachmentRow, typed: str) -> None:
        """(The prompt's worker.) Copy the file; an existing file is replaced only
        when the same path is saved to a second time."""
        if not typed.strip():
            raise ValidationError("type where to save it")
        found = self.session.attachment(row.id)
        if found.missing is not None:
            raise ValidationError(found.missing)
        assert found.location is not None
        target = Path(typed.strip()).expanduser()
        if target.is_dir():
            target = target / row.filename
        if not target.parent.is_dir():
            raise ValidationError(f"no folder {target.parent}")
        if target.exists() and self.confirm_overwrite != target:
            self.confirm_overwrite = target
            raise ValidationError(f"{target} already exists: save again to replace it")
        partial = target.with_name(f".{target.name}.part")
        try:
            shutil.copyfile(found.location, partial)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ValidationError(f"cannot write {target}: {exc.strerror or exc}") from None
        self.app.call_from_thread(
            self.notify, f"Saved {row.filename} ({human_size(row.size)}) to {target}", timeout=4
        )

    def action_pipe(self) -> None:
        row = self._current()
        if row is None:
            return
        self.app.push_screen(
            TextPrompt(
                f"Pipe {one_line(row.filename, 60)} to a command (the file on its stdin; "
                "no shell: no |, > or $)",
                lambda typed: self._pipe(row, typed),
                single_line=True,
                verb="Run",
            )
        )

    def _pipe(self, row: AttachmentRow, command: str) -> None:
        """(The prompt's worker.) Run it and show what it printed."""
        found = self.session.attachment(row.id)
        if found.missing is not None:
            raise ValidationError(found.missing)
        assert found.location is not None
        output, code, cut = pipe(found.location, command)
        heading = styled(f"$ {one_line(command)}", "bold") + styled(
            f"  < {one_line(row.filename)}  ", "dim"
        )
        if code is None:
            heading += styled(f"stopped after {PIPE_SECONDS:.0f} s", "bold red")
        else:
            heading += styled(f"exit {code}", "dim" if code == 0 else "bold red")
        if cut:
            heading += styled(f"\nOutput cut at {human_size(PIPE_OUTPUT_BYTES)}", "yellow")
        view = Preview(heading, Text(literal(output) or "(no output)"))
        self.app.call_from_thread(self._shown, row, view)
