"""The contacts: one client's (``c`` on the clients screen) or everyone's (``C``),
added and edited (name, email, phone, client) and merged, by keyboard.

The same Desk calls as ``regentra contact add|edit|merge``: a number is typed in
any spelling and stored in E.164 (the desk's ``sms_default_region`` for numbers
without ``+``), one another contact has is refused in the form, naming them, with
everything typed kept. ``m`` merges the contact under the cursor into one picked by
typing; a contact of another client asks first (its tickets change client).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Select, Static

from regentra_core import ContactRow, NoChange, RegentraError, one_line

from ..key_routing import FLOW_GROUP
from ..render import styled
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionTable
from .choice_prompt import ChoicePrompt
from .confirm_dialog import ConfirmDialog
from .form_dialog import FormDialog
from .type_ahead import HoldsKeysUntilShown

NO_CLIENT = ""
"""The Select value for "no client"."""

NARROW = 100
"""Below this many terminal columns the contacts table cuts its long cells: at 80x24
the Client column was cut mid-name and Tickets was off the screen."""
NARROW_CUTS = (13, 22, 14)
"""Characters of a name, an address and a client shown below :data:`NARROW`."""


class ContactsScreen(HoldsKeysUntilShown, Screen[None]):
    """Contacts with email, phone, client and tickets; n adds, e edits, m merges.
    Keys typed before the contacts are shown wait for them."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="contacts.back"),
        Binding("n", "add", "New contact", id="contacts.add"),
        Binding("e,enter", "edit", "Edit", id="contacts.edit"),
        Binding("m", "merge", "Merge into…", id="contacts.merge"),
    ]

    DEFAULT_CSS = """
    ContactsScreen DataTable { height: 1fr; }
    ContactsScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    """

    def __init__(self, session: DeskSession, client: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.client = client
        """Whose contacts are shown; None: every live contact."""
        self.rows: list[ContactRow] = []
        self.everyone: list[ContactRow] = []
        """Every live contact: what ``m`` offers to merge into."""
        self.clients: list[str] = []
        self.phone_region = "US"
        """The desk's ``sms_default_region``, read with the rows (a settings read)."""
        self.held: list[events.Key] = []

    def compose(self) -> ComposeResult:
        title = f"Contacts of {self.client}" if self.client else "Every contact"
        yield Label(Text(title), id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Name", "Email", "Phone", "Client", "Tickets")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="contacts", exit_on_error=False)
    def reload(self, select: int | None = None) -> None:
        everyone = self.session.contacts()
        clients = self.session.clients()
        region = self.session.phone_region
        self.app.call_from_thread(self._show, everyone, clients, region, select)

    def _show(
        self, everyone: list[ContactRow], clients: list[str], region: str, select: int | None
    ) -> None:
        self.everyone, self.clients, self.phone_region = everyone, clients, region
        self.rows = [r for r in everyone if self.client is None or r.client == self.client]
        self._fill(select)
        self.shown()

    def _fill(self, select: int | None = None) -> None:
        """The rows, cut to the terminal: below :data:`NARROW` columns a name, an
        address and a client are cut with "…" so every column stays on screen."""
        table = self.query_one(DataTable)
        keep = table.cursor_row
        name_w, email_w, client_w = NARROW_CUTS if self.app.size.width < NARROW else (None,) * 3
        table.clear()
        for column in table.columns.values():  # measured again: a wider terminal widens
            column.content_width = column.label.cell_len
        for row in self.rows:
            table.add_row(
                Text(one_line(row.name, name_w)),
                Text(one_line(row.email, email_w) if row.email else "-"),
                row.phone or "-",
                Text(one_line(row.client, client_w) if row.client else "-"),
                str(row.tickets),
                key=str(row.id),
            )
        ids = [r.id for r in self.rows]
        table.move_cursor(row=ids.index(select) if select in ids else keep)

    def on_resize(self) -> None:
        if self.rows:
            self._fill()

    @property
    def selected(self) -> ContactRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_add(self) -> None:
        desk, region = self.session.desk(), self.phone_region

        def save(name: str, email: str, phone: str, client: str) -> int:
            return desk.add_contact(
                name,
                email=email or None,
                phone=phone or None,
                client=client or None,
                region=region,
            ).id

        self.app.push_screen(ContactForm(None, self.clients, save, self.client), self._saved)

    def action_edit(self) -> None:
        row = self.selected
        if row is None:
            return
        desk, region = self.session.desk(), self.phone_region

        def save(name: str, email: str, phone: str, client: str) -> int:
            return desk.edit_contact(
                row.key, name=name, email=email, phone=phone, client=client, region=region
            ).id

        self.app.push_screen(ContactForm(row, self.clients, save), self._saved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _saved(self, contact_id: int | None) -> None:
        if contact_id:
            self.notify(f"Contact #{contact_id} saved", timeout=3)
            self.reload(select=contact_id)

    def action_merge(self) -> None:
        row = self.selected
        if row is None:
            return
        choices = [(_label(r), r.key) for r in self.everyone if r.id != row.id]
        if not choices:
            self.notify("No other contact to merge into", severity="warning")
            return

        self._ask_merge(row, choices)

    @work(group=FLOW_GROUP, exit_on_error=False)
    async def _ask_merge(self, row: ContactRow, choices: list[tuple[str, str]]) -> None:
        """Into whom, then (another client's contact) a yes, then the merge."""
        key = await self.app.push_screen_wait(
            ChoicePrompt(
                f"Merge {row.name} into…",
                choices,
                "one person, one contact: its tickets and replies move there, "
                "its portal sessions end",
            )
        )
        into = next((r for r in self.everyone if r.key == key), None)
        if into is None:
            return
        force = row.client is not None and row.client != into.client
        if force:
            moved = f"its {row.tickets} ticket(s)" if row.tickets else "it"
            asked = ConfirmDialog(
                f"Merge {row.name} into {into.name} of another client?",
                Text(
                    f"{row.name} is of {row.client}, {into.name} of "
                    f"{into.client or 'no client'}: {moved} would move to "
                    f"{into.client or 'no client'}."
                ),
            )
            if not await self.app.push_screen_wait(asked):
                return
        self._merge(row, into, force=force)

    @work(thread=True, group="client-save", exit_on_error=False)
    def _merge(self, row: ContactRow, into: ContactRow, *, force: bool) -> None:
        try:
            result = self.session.desk().merge_contacts(
                row.key, into.key, force=force, region=self.phone_region
            )
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        tickets = ", ".join(f"#{n}" for n in result.tickets) or "no tickets"
        self.app.call_from_thread(
            self.notify, f"{row.name} merged into {into.name}: {tickets} moved", timeout=5
        )
        self.app.call_from_thread(self.reload, into.id)


def _label(row: ContactRow) -> str:
    reach = ", ".join(p for p in (row.email, row.phone) if p)
    return f"{row.name} ({reach}; {row.client or 'no client'})"


SaveFn = Callable[[str, str, str, str], int]


class ContactForm(FormDialog, ModalScreen[int | None]):
    """Name, email, phone and client; ctrl+s (or Enter in a field) saves."""

    FIRST_FIELD = "#contact-name"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="contact.save"),
        Binding("escape", "cancel", "Cancel", id="contact.cancel"),
    ]

    DEFAULT_CSS = """
    ContactForm { align: center middle; }
    ContactForm > Vertical {
        width: 80%; max-width: 80; height: auto;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ContactForm .error { color: $error; height: auto; }
    ContactForm Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(
        self,
        row: ContactRow | None,
        clients: list[str],
        save: SaveFn,
        client: str | None = None,
    ) -> None:
        super().__init__()
        self.row = row
        self.clients = clients
        self.save = save
        self.client = row.client if row else client

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical():
            yield Label(styled(f"Edit {row.name}" if row else "New contact", "bold"))
            yield Input(row.name if row else "", placeholder="Name (required)", id="contact-name")
            yield Input(row.email or "" if row else "", placeholder="Email", id="contact-email")
            yield Input(
                row.phone or "" if row else "",
                placeholder="Phone, any spelling (+49 30 1234567, (555) 010-0199)",
                id="contact-phone",
            )
            known = self.client in self.clients
            yield Select(
                [("No client", NO_CLIENT), *((c, c) for c in self.clients)],
                value=self.client if known and self.client else NO_CLIENT,
                allow_blank=False,
                id="contact-client",
            )
            yield from self.form_end("contact-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def save_form(self) -> None:
        client = self.query_one("#contact-client", Select).value
        self._save(
            self.query_one("#contact-name", Input).value,
            self.query_one("#contact-email", Input).value.strip(),
            self.query_one("#contact-phone", Input).value.strip(),
            client if isinstance(client, str) else NO_CLIENT,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="client-save", exit_on_error=False)
    def _save(self, name: str, email: str, phone: str, client: str) -> None:
        try:
            saved = self.save(name, email, phone, client)
        except NoChange:
            saved = self.row.id if self.row else 0  # saved as it was: just close
        except RegentraError as exc:
            self.app.call_from_thread(
                self.query_one("#contact-error", Static).update, Text(str(exc))
            )
        else:
            self.app.call_from_thread(self.dismiss, saved)
