"""Reply or note, written under the conversation instead of in a dialog over it.

A technician answers what the customer wrote; hiding the thread behind a modal
made them close it to reread. The composer docks at the bottom of the ticket
screen, the thread stays visible and scrollable above it, and ``ctrl+t`` chooses
what happens to the ticket after a reply (keep its status, Waiting on Customer,
Resolved), as Zendesk's "Submit as …" does, in the same save.

``ctrl+o`` attaches a file by its path on this host (a prompt; over SSH there is
no file picker), listed under the text; ``ctrl+r`` takes the last one off again.
The files go with the reply (a note carries none); they are read and checked when
it is sent, so a file over the limit or gone meanwhile keeps the reply unsent, with
its text, and says why.

Escape hides the composer and keeps the draft; ``r`` or ``n`` brings it back. A
refused save (a stale ticket, an empty body) keeps the text and says why. With a
:class:`~regentra_tui.drafts.DraftStore` the drafts outlive the screen and the app
(written as they are hidden, as the text pauses, and as the ticket is left);
``ctrl+g`` discards one for good. A draft remembers the ticket version it began
on: that is the version its send checks, so a colleague's change meanwhile is
caught, not the reload the screen did when it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from regentra_core import Status, ValidationError, human_size, one_line, sms_count

from ..drafts import Draft, DraftStore
from ..render import text_kept

THEN = (None, Status.WAITING_ON_CUSTOMER, Status.RESOLVED)
"""What a reply may do to the ticket as it is sent, in the order ctrl+t offers it."""


class Composer(Vertical):
    """Hidden until :meth:`open`; posts :class:`Composer.Submitted` on ctrl+s.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+s | Send |
    | ctrl+t | Then… (the status the ticket moves to as it is sent) |
    | escape | Hide (keeps the draft) |
    | ctrl+g | Discard the draft |
    | ctrl+o | Attach a file |
    | ctrl+r | Remove the last file |

    It has no reactives.
    """

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send"),
        Binding("ctrl+t", "then", "Then…", id="composer.then"),
        Binding("escape", "hide", "Hide (keeps the draft)", id="composer.hide"),
        Binding("ctrl+g", "discard", "Discard the draft", id="composer.discard"),
        # Said in the composer's own key line (the footer has no room for them).
        Binding("ctrl+o", "attach", "Attach a file", id="composer.attach", show=False),
        Binding("ctrl+r", "detach", "Remove the last file", id="composer.detach", show=False),
    ]

    DEFAULT_CSS = """
    Composer {
        display: none;
        height: auto;
        max-height: 45%;
        border-top: heavy $accent;
        background: $surface;
        padding: 0 1;
    }
    Composer.-open { display: block; }
    Composer #composer-title { text-style: bold; width: 100%; }  /* wraps at 80 columns */
    Composer TextArea { height: auto; min-height: 3; max-height: 8; }
    Composer #composer-error { color: $error; height: auto; }
    Composer #composer-files { height: auto; display: none; }
    """

    @dataclass
    class Submitted(Message):
        kind: str
        """``reply`` or ``note``."""
        text: str
        then: Status | None
        """The status a reply sets as it is sent; None keeps it."""
        version: int | None = None
        """The ticket version the draft began on: the send expects it."""
        started_at: datetime | None = None
        """When the draft began (what changed since is what the sender is told)."""
        files: tuple[str, ...] = ()
        """Paths of the files to send with a reply (read when it is sent)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "reply"
        self.then: Status | None = None
        self.drafts = {"reply": "", "note": ""}
        self.versions: dict[str, int | None] = {"reply": None, "note": None}
        """Per kind: the ticket version its draft began on."""
        self.started: dict[str, datetime | None] = {"reply": None, "note": None}
        self.store: DraftStore | None = None
        """Where drafts are kept beyond this screen (none: they live with it)."""
        self.number: int | None = None
        self.status: Status | None = None
        """The ticket's status now (a reply cannot "set" the status it already has)."""
        self.sending = False
        self.files: list[str] = []
        """Paths of the files attached to the reply, in the order attached."""

    def compose(self) -> ComposeResult:
        yield Label("", id="composer-title")
        yield TextArea(id="composer-text")
        yield Static("", id="composer-files")
        yield Static("", id="composer-error")
        yield Label("", id="composer-keys")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#composer-text", TextArea)

    def restore(self, number: int, kept: dict[str, Draft]) -> None:
        """Take back the drafts kept for ticket ``number`` (from before a restart)."""
        self.number = number
        for kind, draft in kept.items():
            self.drafts[kind] = draft.text
            self.versions[kind] = draft.version
            self.started[kind] = draft.started_at
            if kind == "reply":
                self.then = draft.then

    def open(
        self,
        kind: str,
        number: int,
        status: Status,
        *,
        version: int | None = None,
        now: datetime | None = None,
        focus: bool = True,
    ) -> None:
        """Show for a reply or a note on ticket ``number``, with that kind's draft.

        A draft that begins now (none kept) records ``version`` and ``now``: the
        ticket as the technician saw it when they started to write."""
        self.number = number
        if self.is_open and self.kind != kind:
            self.drafts[self.kind] = self.text_area.text
        if not self.is_open or self.kind != kind:
            if not self.drafts["reply"].strip() and not (
                self.is_open and self.kind == "reply" and self.text_area.text.strip()
            ):
                self.then = None  # a new reply keeps its ticket's status until ctrl+t
            self.kind = kind
            self.text_area.load_text(self.drafts[kind])
        if not self.drafts[kind].strip() and not self.text_area.text.strip():
            self.versions[kind], self.started[kind] = version, now
        elif self.versions[kind] is None:
            self.versions[kind] = version
            self.started[kind] = self.started[kind] or now
        self.status = status
        title = (
            f"Reply to the customer on #{number}" + (f" · {self.reach}" if self.reach else "")
            if kind == "reply"
            else f"Internal note on #{number}: never sent to the customer"
        )
        self.title_text = title
        self._show_title()
        self.query_one("#composer-error", Static).update("")
        self._show_keys()
        self.add_class("-open")
        if focus:
            self.screen.set_focus(self.text_area)

    def insert(
        self,
        text: str,
        number: int,
        status: Status,
        *,
        version: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """Open the reply with ``text`` in it (after whatever was written already)."""
        if self.is_open:
            self.drafts[self.kind] = self.text_area.text
        written = self.drafts["reply"].rstrip()
        self.drafts["reply"] = f"{written}\n\n{text}" if written else text
        self.remove_class("-open")  # so open() loads the reply's text afresh
        self.open("reply", number, status, version=version, now=now)
        # After the inserted text, as a macro leaves it: typing adds, never splices
        # into the greeting.
        self.text_area.move_cursor(self.text_area.document.end)

    def action_hide(self) -> None:
        self.drafts[self.kind] = self.text_area.text
        self.keep()
        self.remove_class("-open")
        self.screen.set_focus(None)

    def action_discard(self) -> None:
        """Throw the draft away, here and on disk (a hide keeps it)."""
        self.forget(self.kind)
        self.text_area.load_text("")
        if self.kind == "reply":
            self.then = None
        self.remove_class("-open")
        self.screen.set_focus(None)
        self.app.notify(f"{self.kind.title()} draft discarded", timeout=3)

    def forget(self, kind: str) -> None:
        self.drafts[kind] = ""
        self.versions[kind] = self.started[kind] = None
        if self.store is not None and self.number is not None:
            self.store.put(self.number, kind, None)

    def keep(self) -> None:
        """Write the drafts to the store (``drafts`` follows the text as it changes)."""
        if self.store is None or self.number is None:
            return
        for kind, text in self.drafts.items():
            draft = Draft(
                text,
                self.versions[kind],
                self.started[kind],
                self.then if kind == "reply" else None,
            )
            self.store.put(self.number, kind, draft)

    def _show_title(self) -> None:
        """The heading; a reply by SMS says, as it is typed, how many messages it
        takes and in which encoding (one emoji turns 11 GSM-7 messages into 24 UCS-2
        ones), so the technician sees the cost before sending, not after."""
        title = Text(self.title_text)
        if self.kind == "reply" and self.by_sms:
            text = self.text_area.text
            counted = sms_count(text)
            title.append(
                f"  {len(text)} chars · {counted.segments} SMS ({counted.encoding})",
                style="not bold dim",
            )
        self.query_one("#composer-title", Label).update(title)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Keep the draft as the typing pauses: a crash or a closed terminal loses a
        second of it, not all of it."""
        self.drafts[self.kind] = event.text_area.text
        if self.by_sms and self.kind == "reply":
            self._show_title()
        if self._keep_timer is not None:
            self._keep_timer.stop()
        self._keep_timer = self.set_timer(1.0, self.keep)

    _keep_timer: Timer | None = None
    reach = ""
    """Where a reply goes or why nowhere (``ReplyReach.heading``), set by the screen."""
    by_sms = False
    """A reply goes by SMS (set by the screen with ``reach``): the heading counts it."""
    title_text = ""

    def on_unmount(self) -> None:
        """Leaving the ticket (or quitting) keeps its drafts."""
        self.keep()

    def stale(self, version: int, now: datetime) -> None:
        """The technician saw what changed and keeps writing: the draft now stands on
        ``version``."""
        self.versions[self.kind], self.started[self.kind] = version, now
        self.keep()

    def action_then(self) -> None:
        if self.kind != "reply":
            self.app.bell()
            return
        options = [s for s in THEN if s is None or s != self.status]
        index = options.index(self.then) if self.then in options else 0
        self.then = options[(index + 1) % len(options)]
        self._show_keys()

    def action_attach(self) -> None:
        """Ask for a file's path (checked in the prompt: it must exist, be a file and
        be within the desk's limit) and list it with the reply."""
        if self.kind != "reply":
            self.failed("a note carries no files: attach them to a reply", conflict=False)
            return
        from ..screens.text_prompt import TextPrompt

        self.app.push_screen(
            TextPrompt(
                "Attach a file to the reply: its path on this host",
                self._check_file,
                initial=f"{Path.cwd()}/",
                single_line=True,
                verb="Attach",
            )
        )

    def _check_file(self, typed: str) -> None:
        """(The prompt's worker.) Refuse what could not be sent; list what can."""
        path = Path(typed.strip()).expanduser()
        if not typed.strip() or not path.exists():
            raise ValidationError(f"no file {typed.strip() or '(nothing typed)'}")
        if not path.is_file():
            raise ValidationError(f"{path} is not a file")
        from ..app import RegentraApp

        app = self.app
        assert isinstance(app, RegentraApp)
        app.session.check_upload(path.name, path.stat().st_size)
        self.app.call_from_thread(self._attached, str(path.resolve()))

    def _attached(self, path: str) -> None:
        if path not in self.files:
            self.files.append(path)
        self._show_files()

    def action_detach(self) -> None:
        if not self.files:
            self.app.bell()
            return
        gone = self.files.pop()
        self._show_files()
        self.app.notify(f"{Path(gone).name} taken off the reply", timeout=3)

    def _show_files(self) -> None:
        text = Text()
        for path in self.files:
            file = Path(path)
            size = file.stat().st_size if file.is_file() else 0
            text.append("Attached ", style="bold")
            text.append(one_line(file.name, 60))
            text.append(f"  {human_size(size)}\n", style="dim")
        if self.files:
            text.append("ctrl+r", style="bold")
            text.append(" removes the last file")
        shown = self.query_one("#composer-files", Static)
        shown.update(text)
        shown.display = bool(self.files)

    def action_send(self) -> None:
        if self.sending:
            return
        text = self.text_area.text
        if not text.strip():
            self.failed(f"the {self.kind} is empty: write something first", conflict=False)
            return
        self.sending = True
        self.post_message(
            self.Submitted(
                self.kind,
                text,
                self.then if self.kind == "reply" else None,
                self.versions[self.kind],
                self.started[self.kind],
                tuple(self.files) if self.kind == "reply" else (),
            )
        )

    def sent(self) -> None:
        """The save went through: empty the draft and get out of the way."""
        self.sending = False
        if self.kind == "reply":
            self.then = None
            self.files = []
            self._show_files()
        self.forget(self.kind)
        self.text_area.load_text("")
        self.remove_class("-open")
        self.screen.set_focus(None)

    def failed(self, message: str, *, conflict: bool) -> None:
        self.sending = False
        if conflict:
            message = text_kept(message, "send again to send it")
        self.query_one("#composer-error", Static).update(Text(message))

    def _show_keys(self) -> None:
        keys = Text.assemble(("ctrl+s", "bold"), " send")
        if self.kind == "reply":
            then = f"then {self.then.label}" if self.then else "status stays"
            keys.append_text(Text.assemble("   ", ("ctrl+t", "bold"), " ", (then, "bold reverse")))
        keys.append_text(Text.assemble("   ", ("esc", "bold"), " hide, keep the draft"))
        keys.append_text(Text.assemble("   ", ("ctrl+g", "bold"), " discard"))
        if self.kind == "reply":
            keys.append_text(Text.assemble("   ", ("ctrl+o", "bold"), " attach a file"))
        self.query_one("#composer-keys", Label).update(keys)
