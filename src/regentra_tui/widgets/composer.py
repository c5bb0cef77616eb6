"""Reply or note, written under the conversation instead of in a dialog over it.

A technician answers what the customer wrote; hiding the thread behind a modal
made them close it to reread. The composer docks at the bottom of the ticket
screen, the thread stays visible and scrollable above it, and ``ctrl+t`` chooses
what happens to the ticket after a reply (keep its status, Waiting on Customer,
Resolved), as Zendesk's "Submit as …" does, in the same save.

Escape hides the composer and keeps the draft; ``r`` or ``n`` brings it back. A
refused save (a stale ticket, an empty body) keeps the text and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Static, TextArea

from regentra_core.enums import Status

from ..render import text_kept

THEN = (None, Status.WAITING_ON_CUSTOMER, Status.RESOLVED)
"""What a reply may do to the ticket as it is sent, in the order ctrl+t offers it."""


class Composer(Vertical):
    """Hidden until :meth:`open`; posts :class:`Composer.Submitted` on ctrl+s."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send"),
        Binding("ctrl+t", "then", "Then…", id="composer.then"),
        Binding("escape", "hide", "Hide (keeps the draft)", id="composer.hide"),
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
    Composer #composer-title { text-style: bold; }
    Composer TextArea { height: auto; min-height: 3; max-height: 8; }
    Composer #composer-error { color: $error; height: auto; }
    """

    @dataclass
    class Submitted(Message):
        kind: str
        """``reply`` or ``note``."""
        text: str
        then: Status | None
        """The status a reply sets as it is sent; None keeps it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "reply"
        self.then: Status | None = None
        self.drafts = {"reply": "", "note": ""}
        self.status: Status | None = None
        """The ticket's status now (a reply cannot "set" the status it already has)."""
        self.sending = False

    def compose(self) -> ComposeResult:
        yield Label("", id="composer-title")
        yield TextArea(id="composer-text")
        yield Static("", id="composer-error")
        yield Label("", id="composer-keys")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#composer-text", TextArea)

    def open(self, kind: str, number: int, status: Status) -> None:
        """Show for a reply or a note on ticket ``number``, with that kind's draft."""
        if self.is_open and self.kind != kind:
            self.drafts[self.kind] = self.text_area.text
        if not self.is_open or self.kind != kind:
            self.kind = kind
            self.then = None
            self.text_area.load_text(self.drafts[kind])
        self.status = status
        title = (
            f"Reply to the customer on #{number}"
            if kind == "reply"
            else f"Internal note on #{number}: never sent to the customer"
        )
        self.query_one("#composer-title", Label).update(title)
        self.query_one("#composer-error", Static).update("")
        self._show_keys()
        self.add_class("-open")
        self.screen.set_focus(self.text_area)

    def insert(self, text: str, number: int, status: Status) -> None:
        """Open the reply with ``text`` in it (after whatever was written already)."""
        if self.is_open:
            self.drafts[self.kind] = self.text_area.text
        written = self.drafts["reply"].rstrip()
        self.drafts["reply"] = f"{written}\n\n{text}" if written else text
        self.remove_class("-open")  # so open() loads the reply's text afresh
        self.open("reply", number, status)
        # After the inserted text, as a macro leaves it: typing adds, never splices
        # into the greeting.
        self.text_area.move_cursor(self.text_area.document.end)

    def action_hide(self) -> None:
        self.drafts[self.kind] = self.text_area.text
        self.remove_class("-open")
        self.screen.set_focus(None)

    def action_then(self) -> None:
        if self.kind != "reply":
            self.app.bell()
            return
        options = [s for s in THEN if s is None or s != self.status]
        index = options.index(self.then) if self.then in options else 0
        self.then = options[(index + 1) % len(options)]
        self._show_keys()

    def action_send(self) -> None:
        if self.sending:
            return
        text = self.text_area.text
        if not text.strip():
            self.failed(f"the {self.kind} is empty: write something first", conflict=False)
            return
        self.sending = True
        self.post_message(self.Submitted(self.kind, text, self.then))

    def sent(self) -> None:
        """The save went through: empty the draft and get out of the way."""
        self.sending = False
        self.drafts[self.kind] = ""
        self.text_area.load_text("")
        self.then = None
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
        self.query_one("#composer-keys", Label).update(keys)
