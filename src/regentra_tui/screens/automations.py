"""Automation rules in the app: the list in running order, a rule's form, dry runs, the log.

The same Desk calls as ``regentra automation ...``. A rule is written in the TOML
form operators keep under version control (the form shows one ``[[rule]]``), so
what is typed here exports and imports unchanged; a mistake is named by line.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static, TextArea

from regentra_core import (
    DryRun,
    NoChange,
    RegentraError,
    Rule,
    RuleError,
    RunRow,
    StoredRule,
    dump_rules,
    parse_rules,
)

from ..render import styled
from ..session import DeskSession
from ..widgets.key_footer import KeyFooter
from ..widgets.motion import MotionTable
from .form_dialog import FormDialog
from .type_ahead import HoldsKeysUntilShown

TEMPLATE = """[[rule]]
name = ""
description = ""
trigger = "ticket_created"
order = 100
enabled = true
stop_after_match = false
conditions = [{ field = "subject", op = "contains", value = "outage" }]
actions = [{ action = "set_priority", value = "high" }]
"""

HELP = (
    "triggers: ticket_created status_changed reply_added sla_at_risk sla_breached periodic\n"
    "fields: channel client vip contact_email priority status assignee subject body sla "
    "hours_since_update · ops: is is_not in contains matches gt lt\n"
    "actions: assign{to} set_priority{value} set_status{value} add_note{body} "
    "notify{to,subject,body} add_to_master{master}"
)


class AutomationsScreen(HoldsKeysUntilShown, Screen[None]):
    """Rules in the order they run; n new, e edit, space on/off, </> reorder,
    t dry-run on the ticket you came from, l the execution log."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="rules.back"),
        Binding("n", "add", "New rule", id="rules.add"),
        Binding("e,enter", "edit", "Edit", id="rules.edit"),
        Binding("space", "switch", "On/off", id="rules.toggle"),
        Binding("less_than_sign,shift+up", "move(-1)", "Earlier", id="rules.up"),
        Binding("greater_than_sign,shift+down", "move(1)", "Later", id="rules.down"),
        Binding("t", "dry_run", "Dry run", id="rules.dry_run"),
        Binding("l", "log", "Log", id="rules.log"),
    ]

    DEFAULT_CSS = """
    AutomationsScreen DataTable { height: 1fr; }
    AutomationsScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    AutomationsScreen #rule { height: auto; max-height: 10; padding: 0 1; border-top: hkey $panel; }
    """

    def __init__(self, session: DeskSession, ticket: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.ticket = ticket
        """The ticket selected where the screen was opened: what ``t`` dry-runs on."""
        self.rules: list[StoredRule] = []
        self.held: list[events.Key] = []

    def compose(self) -> ComposeResult:
        yield Label("Automation rules", id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Order", "Name", "Trigger", "On", "Conditions", "Actions")
        yield table
        yield Static("", id="rule")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def reload(self, select: str | None = None) -> None:
        rules = self.session.rules()
        self.app.call_from_thread(self._show, rules, select)

    def _show(self, rules: list[StoredRule], select: str | None) -> None:
        self.rules = rules
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for stored in rules:
            r = stored.rule
            on = Text("on") if r.enabled else styled("off", "dim")
            table.add_row(
                str(r.order),
                Text(r.name + (" ⏹" if r.stop_after_match else "")),
                r.trigger,
                on,
                Text(_cut("; ".join(c.describe() for c in r.conditions) or "always")),
                Text(_cut("; ".join(a.describe() for a in r.actions))),
                key=str(stored.id),
            )
        names = [s.rule.name for s in rules]
        if rules:
            table.move_cursor(
                row=names.index(select) if select in names else min(keep, len(rules) - 1)
            )
        where = f" · t dry-runs on #{self.ticket}" if self.ticket else ""
        self.query_one("#title", Label).update(
            f"Automation rules: {len(rules)}, in the order they run{where}"
        )
        self._describe()
        self.shown()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        """The selected rule whole: what the table's columns cut short."""
        stored = self.selected
        if stored is None:
            text = Text("No rules yet: n writes one (or regentra automation import FILE).")
        else:
            r = stored.rule
            text = Text()
            text.append(r.description or "(no description)", style="italic")
            text.append("\nWhen ", style="bold").append(r.trigger)
            for c in r.conditions:
                text.append("\n  if ", style="bold").append(c.describe())
            for a in r.actions:
                text.append("\n  do ", style="bold").append(a.describe())
            if r.stop_after_match:
                text.append("\n  then stop: later rules do not run")
        self.query_one("#rule", Static).update(text)

    @property
    def selected(self) -> StoredRule | None:
        table = self.query_one(DataTable)
        if not self.rules or not 0 <= table.cursor_row < len(self.rules):
            return None
        return self.rules[table.cursor_row]

    def action_add(self) -> None:
        self.app.push_screen(RuleForm(self.session, None), self._saved)

    def action_edit(self) -> None:
        stored = self.selected
        if stored is not None:
            self.app.push_screen(RuleForm(self.session, stored.rule), self._saved)

    def _saved(self, name: str | None) -> None:
        if name:
            self.notify(f"Saved rule {name!r}", timeout=2)
            self.reload(name)

    def action_switch(self) -> None:
        stored = self.selected
        if stored is not None:
            self._write("toggle", stored.rule.name, not stored.rule.enabled)

    def action_move(self, step: int) -> None:
        stored = self.selected
        if stored is not None:
            self._write("move", stored.rule.name, step)

    @work(thread=True, group="rules-write", exit_on_error=False)
    def _write(self, what: str, name: str, value: bool | int) -> None:
        desk = self.session.desk()
        try:
            if what == "toggle":
                desk.set_rule_enabled(name, bool(value))
            else:
                desk.move_rule(name, int(value))
        except NoChange as exc:
            self.app.call_from_thread(self.notify, str(exc), timeout=2)
            return
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.reload, name)

    def action_dry_run(self) -> None:
        stored = self.selected
        if stored is not None:
            self._dry_run(stored.rule.name)

    @work(thread=True, group="rules-dry-run", exit_on_error=False)
    def _dry_run(self, name: str) -> None:
        try:
            result = self.session.dry_run(name, self.ticket)
        except RegentraError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.app.push_screen, DryRunScreen(result))

    def action_log(self) -> None:
        stored = self.selected
        self.app.push_screen(RunLogScreen(self.session, stored.rule.name if stored else None))


def _cut(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dry_run_text(result: DryRun) -> Text:
    """What a dry run found, as the CLI words it."""
    rule = result.rule
    out = Text()
    if result.verdict is None:
        listed = ", ".join(f"#{n}" for n in result.matching[:30])
        out.append(f"{rule.name}: matches {len(result.matching)} of {result.checked} open tickets")
        out.append(f"\n{listed}" if listed else "")
        return out
    out.append(f"{rule.name} ({rule.trigger}) on #{result.ticket}\n", style="bold")
    for check in result.verdict.checks:
        out.append(
            "  matched   " if check.matched else "  no match  ",
            style="green" if check.matched else "red",
        )
        out.append(check.condition.describe() + (f" ({check.note})" if check.note else "") + "\n")
    if not result.verdict.checks:
        out.append("  (no conditions: always matches)\n")
    out.append(
        "Would execute:\n" if result.verdict.matched else "Would NOT execute:\n", style="bold"
    )
    for action in rule.actions:
        out.append(f"  {action.describe()}\n")
    return out


class DryRunScreen(ModalScreen[None]):
    """A dry run's verdicts; any of esc, q, enter closes it."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="dry_run.close")]

    DEFAULT_CSS = """
    DryRunScreen { align: center middle; }
    DryRunScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, result: DryRun) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(dry_run_text(self.result))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class RunLogScreen(Screen[None]):
    """The execution log, newest first; a toggles every rule / the selected one,
    m matched only."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="runs.back"),
        Binding("a", "toggle_rule", "This rule / all", id="runs.rule"),
        Binding("m", "toggle_matched", "Matched only", id="runs.matched"),
    ]

    DEFAULT_CSS = """
    RunLogScreen DataTable { height: 1fr; }
    RunLogScreen #title { padding: 0 1; background: $panel; text-style: bold; }
    """

    def __init__(self, session: DeskSession, rule: str | None) -> None:
        super().__init__()
        self.session = session
        self.rule = rule
        self.only_rule = rule is not None
        self.matched_only = False

    def compose(self) -> ComposeResult:
        yield Label("Automation log", id="title")
        table: DataTable[Text | str] = MotionTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("When (UTC)", "Rule", "Trigger", "Ticket", "Outcome", "Detail")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def reload(self) -> None:
        rows = self.session.rule_log(
            self.rule if self.only_rule else None,
            matched_only=self.matched_only,
            limit=500,
        )
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[RunRow]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            style = {"matched": "green", "loop_guard": "yellow"}.get(r.outcome, "dim")
            table.add_row(
                f"{r.at:%m-%d %H:%M:%S}",
                Text(r.rule),
                r.trigger,
                f"#{r.ticket}" if r.ticket else "",
                styled(r.outcome, style),
                Text(" ".join(r.detail.split())),
            )
        scope = f"rule {self.rule!r}" if self.only_rule and self.rule else "every rule"
        which = "matches" if self.matched_only else "evaluations"
        self.query_one("#title", Label).update(f"Automation log: {scope}, newest {which} first")

    def action_toggle_rule(self) -> None:
        self.only_rule = not self.only_rule and self.rule is not None
        self.reload()

    def action_toggle_matched(self) -> None:
        self.matched_only = not self.matched_only
        self.reload()


class RuleForm(FormDialog, ModalScreen[str | None]):
    """One rule in its TOML form; ctrl+s checks and saves, esc cancels."""

    FIRST_FIELD = "#rule-text"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="rule.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="rule.cancel"),
    ]

    DEFAULT_CSS = """
    RuleForm { align: center middle; }
    RuleForm > Vertical {
        width: 95%; max-width: 120; height: 95%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    RuleForm TextArea { height: 1fr; }
    RuleForm #rule-help { color: $text-muted; height: auto; }
    RuleForm .error { color: $error; height: auto; }
    RuleForm Horizontal { height: auto; align-horizontal: right; }
    """

    def __init__(self, session: DeskSession, rule: Rule | None) -> None:
        super().__init__()
        self.session = session
        self.rule = rule

    def compose(self) -> ComposeResult:
        title = f"Edit rule {self.rule.name}" if self.rule else "New automation rule"
        text = dump_rules([self.rule]) if self.rule else TEMPLATE
        with Vertical():
            yield Label(styled(title, "bold"))
            yield TextArea(text, language="toml", id="rule-text", show_line_numbers=True)
            yield Static(HELP, id="rule-help")
            yield from self.form_end("rule-error")

    def save_form(self) -> None:
        self._save(self.query_one("#rule-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="rule-save", exit_on_error=False)
    def _save(self, text: str) -> None:
        try:
            rules = parse_rules(text)
            if len(rules) != 1:
                raise RuleError(f"the form holds one [[rule]], not {len(rules)}")
            self.session.desk().save_rule(rules[0], replacing=self.rule.name if self.rule else None)
        except NoChange:
            pass
        except RegentraError as exc:
            self.app.call_from_thread(self.query_one("#rule-error", Static).update, Text(str(exc)))
            return
        self.app.call_from_thread(self.dismiss, rules[0].name)
