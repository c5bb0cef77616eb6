"""The clients: a list to look at, a form to add or edit one, and their contacts
(``c``; ``C`` every contact, those of no client too: :mod:`.contacts`).

The same Desk calls as ``regentra client add|edit``; a refusal (a domain another
client claims, a VIP flag set by a technician who is not a lead) is shown in the
form with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from regentra_core import UNSET, ClientRow, NoChange, RegentraError

from ..render import styled
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionTable
from .form_dialog import FormDialog
from .type_ahead import HoldsKeysUntilShown

DEFAULT_POLICY = ""
"""The Select value for "the desk's default policy"."""


class ClientsScreen(HoldsKeysUntilShown, Screen[None]):
    """Every client with VIP, SLA policy, open tickets and domains; n adds, e edits,
    c shows the client's contacts (C everyone's). ``j``/``k`` move as in every list,
    and keys typed before the clients are shown wait for them (``j c`` from the
    palette is the second client's contacts)."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="clients.back"),
        Binding("n", "add", "New client", id="clients.add"),
        Binding("e,enter", "edit", "Edit", id="clients.edit"),
        Binding("c", "contacts", "Contacts", id="clients.contacts"),
        Binding("C", "contacts(True)", "Every contact", id="clients.every_contact"),
    ]

    DEFAULT_CSS = """
    ClientsScreen DataTable { height: 1fr; }
    ClientsScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    """

    def __init__(self, session: DeskSession, names_changed: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.session = session
        self.names_changed = names_changed
        """Told the client names after each load (the new-ticket form offers them)."""
        self.rows: list[ClientRow] = []
        self.held: list[events.Key] = []

    def compose(self) -> ComposeResult:
        yield Label("Clients", id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Client", "VIP", "SLA policy", "Open", "Domains")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="clients", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        rows = self.session.client_rows()
        self.app.call_from_thread(self._show, rows, select)

    def _show(self, rows: list[ClientRow], select: str | None) -> None:
        self.rows = rows
        self.names_changed([r.name for r in rows])
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                Text(row.name),
                "VIP" if row.vip else "",
                row.sla_policy or "default",
                str(row.open_tickets),
                ", ".join(row.domains) or "-",
                key=row.name,
            )
        names = [r.name for r in rows]
        table.move_cursor(row=names.index(select) if select in names else keep)
        self.shown()

    @property
    def selected(self) -> ClientRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_add(self) -> None:
        desk = self.session.desk()
        self.app.push_screen(
            ClientForm(
                None,
                self._policies(),
                lambda name, vip, policy, domains: (
                    desk.add_client(name, vip=vip, sla_policy=policy, domains=domains).name
                ),
            ),
            self._saved,
        )

    def action_edit(self) -> None:
        row = self.selected
        if row is None:
            return
        desk = self.session.desk()

        def save(name: str, vip: bool, policy: str | None, domains: list[str]) -> str:
            return desk.edit_client(
                row.name,
                new_name=name if name != row.name else None,
                vip=vip,
                sla_policy=policy if policy != row.sla_policy else UNSET,
                domains=domains,
            ).name

        self.app.push_screen(ClientForm(row, self._policies(), save), self._saved)

    def action_contacts(self, everyone: bool = False) -> None:
        """The contacts of the client under the cursor, or every contact (those of no
        client too: an SMS that came in before its number was known)."""
        from .contacts import ContactsScreen

        row = None if everyone else self.selected
        if not everyone and row is None:
            return
        self.app.push_screen(ContactsScreen(self.session, row.name if row else None))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _saved(self, name: str | None) -> None:
        if name:
            self.notify(f"Client {name} saved", timeout=3)
            self.reload(select=name)

    def _policies(self) -> list[str]:
        return self.session.sla_policies()


SaveFn = Callable[[str, bool, str | None, list[str]], str]


class ClientForm(FormDialog, ModalScreen[str | None]):
    """Name, VIP, SLA policy and domains; ctrl+s (or Enter in a field) saves."""

    FIRST_FIELD = "#client-name"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="client.save"),
        Binding("escape", "cancel", "Cancel", id="client.cancel"),
    ]

    DEFAULT_CSS = """
    ClientForm { align: center middle; }
    ClientForm > Vertical {
        width: 80%; max-width: 80; height: auto;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ClientForm .error { color: $error; height: auto; }
    ClientForm Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, row: ClientRow | None, policies: list[str], save: SaveFn) -> None:
        super().__init__()
        self.row = row
        self.policies = policies
        self.save = save

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical():
            yield Label(styled(f"Edit {row.name}" if row else "New client", "bold"))
            yield Input(row.name if row else "", placeholder="Name (required)", id="client-name")
            yield Checkbox("VIP (Low and Medium tickets open as High)", row.vip if row else False)
            yield Select(
                [("Default SLA policy", DEFAULT_POLICY), *((p, p) for p in self.policies)],
                value=(row.sla_policy or DEFAULT_POLICY) if row else DEFAULT_POLICY,
                allow_blank=False,
                id="client-policy",
            )
            yield Input(
                ", ".join(row.domains) if row else "",
                placeholder="Email domains, comma-separated (acme.example, acme.co.uk)",
                id="client-domains",
            )
            yield from self.form_end("client-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def save_form(self) -> None:
        policy = self.query_one("#client-policy", Select).value
        self._save(
            self.query_one("#client-name", Input).value,
            self.query_one(Checkbox).value,
            policy if isinstance(policy, str) and policy != DEFAULT_POLICY else None,
            [self.query_one("#client-domains", Input).value],
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="client-save", exit_on_error=False)
    def _save(self, name: str, vip: bool, policy: str | None, domains: list[str]) -> None:
        try:
            saved = self.save(name, vip, policy, domains)
        except NoChange:
            saved = self.row.name if self.row else name  # saved as it was: just close
        except RegentraError as exc:
            self.app.call_from_thread(
                self.query_one("#client-error", Static).update, Text(str(exc))
            )
        else:
            self.app.call_from_thread(self.dismiss, saved)
