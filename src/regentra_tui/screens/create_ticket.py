"""The create-ticket form (manual channel), with messages next to what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from regentra_core import Channel, Priority, RegentraError

from ..render import styled
from .type_ahead import TypeAhead

CreateFn = Callable[..., int]
"""Creates the ticket from the form's fields; returns its number."""


class CreateTicketScreen(TypeAhead, ModalScreen[int | None]):
    """Subject, description, priority, contact and client; ctrl+s creates."""

    FIRST_FIELD = "#subject"

    BINDINGS = [
        Binding("ctrl+s", "create", "Create", id="create.save"),
        Binding("escape", "cancel", "Cancel", id="create.cancel"),
    ]

    DEFAULT_CSS = """
    CreateTicketScreen { align: center middle; }
    CreateTicketScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 95%;
        border: thick $accent; background: $surface; padding: 0 2;
    }
    CreateTicketScreen TextArea { height: 6; }
    CreateTicketScreen .hint { color: $error; height: auto; }
    CreateTicketScreen Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, clients: list[str], create: CreateFn) -> None:
        super().__init__()
        self.clients = clients
        self.create = create

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(styled("New ticket", "bold"))
            yield Input(placeholder="Subject (required)", id="subject")
            yield Static("", classes="hint", id="subject-hint")
            yield TextArea(id="description", placeholder="What did the customer report?")
            yield Select(
                [(p.label, p.value) for p in Priority],
                value=Priority.MEDIUM.value,
                allow_blank=False,
                id="priority",
            )
            yield Input(placeholder="Contact email (required)", id="contact")
            yield Static("", classes="hint", id="contact-hint")
            yield Select(
                [(c, c) for c in self.clients], prompt="Client (for a new contact)", id="client"
            )
            yield Static("", classes="hint", id="error")
            with Horizontal():
                yield Button("Create (ctrl+s)", variant="primary", id="create")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.focus_first_field()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_create() if event.button.id == "create" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _hint(self, widget_id: str, message: str) -> None:
        self.query_one(f"#{widget_id}", Static).update(Text(message))

    def action_create(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        contact = self.query_one("#contact", Input).value.strip()
        self._hint("subject-hint", "" if subject else "A subject is required.")
        valid_contact = "@" in contact and " " not in contact
        self._hint("contact-hint", "" if valid_contact else "Enter the contact's email address.")
        if not subject or not valid_contact:
            return
        client: Any = self.query_one("#client", Select).value
        priority: Any = self.query_one("#priority", Select).value
        self._create(
            dict(
                subject=subject,
                description=self.query_one("#description", TextArea).text,
                priority=Priority(priority),
                channel=Channel.MANUAL,
                contact_email=contact,
                client_name=client if isinstance(client, str) else None,
            )
        )

    @work(thread=True, exclusive=True, group="create", exit_on_error=False)
    def _create(self, fields: dict[str, Any]) -> None:
        try:
            number = self.create(**fields)
        except RegentraError as exc:
            self.app.call_from_thread(self._hint, "error", str(exc))
        else:
            self.app.call_from_thread(self.dismiss, number)
