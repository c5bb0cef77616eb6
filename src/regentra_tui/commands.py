"""Command palette: every action by name, and "go to ticket #N" from a number."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import RegentraApp

ACTIONS: list[tuple[str, str, str]] = [
    ("New ticket", "app.create", "Open the create-ticket form"),
    ("Go to ticket…", "app.goto", "Jump to a ticket by number (also ':')"),
    ("Show board", "screen.show('board')", "The Kanban board (1)"),
    ("Show list", "screen.show('list')", "The sortable ticket list (2)"),
    (
        "Board order: SLA or priority",
        "screen.board_order",
        "Most urgent SLA first (default) or highest priority first (o)",
    ),
    (
        "Filter: high and critical priority",
        "screen.quick('urgent')",
        "Only High and Critical tickets, or back to any priority (!)",
    ),
    ("Filter: mine", "screen.quick('mine')", "Only tickets assigned to you, or anyone's (@)"),
    (
        "Filter: unassigned",
        "screen.quick('unassigned')",
        "Only tickets nobody has, or anyone's (u)",
    ),
    ("Filter: SLA breached", "screen.quick('breached')", "Only breached tickets, or any SLA (b)"),
    ("Search", "screen.search", "Full-text search: subjects, messages, notes, clients (/)"),
    ("Change status", "screen.status", "Of the selected or marked tickets (s)"),
    ("Change priority", "screen.priority", "Of the selected or marked tickets (p)"),
    ("Assign", "screen.assign", "The selected or marked tickets (a)"),
    ("Mark ticket", "screen.mark", "Mark for a bulk action (space)"),
    ("Clear marks", "screen.clear_marks", "Unmark every ticket (x)"),
    ("Save view", "screen.save_view", "Save the current filter as a tab (ctrl+s)"),
    ("Next view", "screen.view(1)", "The next view tab (])"),
    ("Previous view", "screen.view(-1)", "The previous view tab ([)"),
    ("Reload", "screen.reload", "Reload what is shown (r)"),
    ("Reply", "screen.reply", "On the open ticket (r)"),
    ("Internal note", "screen.note", "On the open ticket (n)"),
    ("Log time", "screen.time", "On the open ticket (t)"),
    ("Time entries", "screen.time_entries", "Edit or remove one on the open ticket (T)"),
    ("Make master", "screen.promote", "Promote the open ticket (M)"),
    ("Link child", "screen.link", "Link a child under the open ticket (L)"),
    ("Unlink", "screen.unlink", "Undo a master/child link (U)"),
    ("Cascade", "screen.cascade", "From the open master to its children (C)"),
    ("Clients", "app.clients", "Add and edit clients: VIP, SLA policy, email domains"),
    ("Knowledge base", "app.kb", "Read, write and edit KB articles (K)"),
    ("AI reviews", "app.reviews", "Mark AI suggestions and drafts correct or wrong (R)"),
    (
        "Automation rules",
        "app.automations",
        "Write, order, switch and dry-run rules; their log (W)",
    ),
    ("Reports", "app.reports", "SLA, time, volume and backlog, with charts (F)"),
    (
        "Ticket spike: make master",
        "screen.spike_master",
        "Promote the spike's first ticket, link the rest (S)",
    ),
    ("AI reply draft", "screen.draft", "Draft a reply on the open ticket from the KB (d)"),
    ("Use the AI draft", "screen.insert_draft", "Put the draft into the reply box (i)"),
    ("Edit Cc", "screen.edit_cc", "Who else the open ticket's replies by mail go to (w)"),
    ("Files", "screen.attachments", "Show, save or pipe the open ticket's attachments (f)"),
    ("Show keys", "app.help", "Every key binding (?)"),
]


class TicketCommands(Provider):
    """Regentra's actions for the command palette (ctrl+p)."""

    @property
    def rapp(self) -> RegentraApp:
        from .app import RegentraApp

        assert isinstance(self.app, RegentraApp)
        return self.app

    def _runner(self, action: str) -> Callable[[], object]:
        return partial(self.app.run_action, action)

    def _available(self) -> list[tuple[str, str, str]]:
        """The actions that make sense on the screen the palette was opened from."""
        found = []
        for name, action, help_text in ACTIONS:
            namespace, _, call = action.partition(".")
            method = f"action_{call.split('(')[0]}"
            target = self.screen if namespace == "screen" else self.app
            if hasattr(target, method):
                found.append((name, action, help_text))
        return found

    async def discover(self) -> Hits:
        """Regentra's actions, then Textual's own commands (in the app's COMMANDS
        there is no second provider whose answers could come first)."""
        for name, action, help_text in self._available():
            yield DiscoveryHit(name, self._runner(action), help=help_text)
        for command in self._system():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    def _system(self) -> list[SystemCommand]:
        """Textual's commands (theme, keys, quit, screenshot...) that are not Regentra's
        under another name."""
        ours = {name.lower() for name, _, _ in ACTIONS} | {"keys"}
        return [
            c
            for c in self.app.get_system_commands(self.screen)
            if c.discover and c.title.lower() not in ours
        ]

    async def search(self, query: str) -> Hits:
        digits = query.strip().lstrip("#:")
        if digits.isdigit():
            number = int(digits)
            yield Hit(1.0, f"Go to ticket #{number}", partial(self.rapp.open_ticket, number))
        matcher = self.matcher(query)
        for name, action, help_text in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)
        for command in self._system():
            score = matcher.match(command.title)
            if score > 0:
                # Just below an app command that matches as well.
                yield Hit(score * 0.99, matcher.highlight(command.title), command.callback)
