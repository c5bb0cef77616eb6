"""Automation rules, reports and the ticket spike in the app, by keyboard."""

from __future__ import annotations

from sqlmodel import select

from regentra_core import automation_reads as reads
from regentra_core import queries
from regentra_core.enums import Priority
from regentra_core.store.models import Ticket
from regentra_tui.screens.automations import (
    AutomationsScreen,
    DryRunScreen,
    RuleForm,
    RunLogScreen,
)
from regentra_tui.screens.detail import TicketScreen
from regentra_tui.screens.reports import ReportsScreen

from .conftest import burst, open_ticket, settle

SIZE = (120, 40)


def _number(db, subject: str) -> int:
    with db.read() as s:
        return s.exec(select(Ticket.number).where(Ticket.subject == subject)).one()


def _names(db) -> list[str]:
    return [s.rule.name for s in reads.rules(db)]


async def test_w_lists_the_rules_in_running_order_and_keys_reorder_and_switch(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # typed in one go: open, go to the last rule, switch it on, move it up twice
        await burst(app, pilot, "W", "end", "space", "less_than_sign", "less_than_sign")
        assert isinstance(app.screen, AutomationsScreen)
        await settle(app, pilot)
    names = _names(demo_db)
    assert names.index("Customer says thanks") == 2
    assert next(
        s for s in reads.rules(demo_db) if s.rule.name == "Customer says thanks"
    ).rule.enabled


async def test_a_new_rule_is_checked_by_line_and_saved(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("W")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RuleForm)
        area = form.query_one("#rule-text")
        area.text = area.text.replace('name = ""', 'name = "Chat to Carol"').replace(
            'op = "contains"', 'op = "has"'
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(form.query_one("#rule-error").render())
        assert "line 8" in error and "unknown op 'has'" in error
        assert isinstance(app.screen, RuleForm)  # nothing typed is lost
        area.text = area.text.replace('op = "has"', 'op = "contains"')
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AutomationsScreen)
    assert "Chat to Carol" in _names(demo_db)


async def test_t_dry_runs_on_the_ticket_you_came_from_and_l_shows_the_log(make_app, demo_db):
    app = make_app()
    printer = _number(demo_db, "Upstairs printer offline again")
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, printer)
        await pilot.press("W")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AutomationsScreen) and screen.ticket == printer
        await pilot.press("down")  # "Printers to Bob"
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, DryRunScreen)
        text = str(app.screen.query_one("Static").render())
        assert f"on #{printer}" in text and "Would NOT execute" in text  # bob has it now
        assert "assignee is" in text
        await pilot.press("escape")
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, RunLogScreen)
        assert app.screen.query_one("DataTable").row_count >= 1


async def test_s_on_a_spike_ticket_makes_its_master(make_app, demo_db):
    app = make_app()
    second = _number(demo_db, "P: drive gone")
    first = _number(demo_db, "Cannot open project files on the P: drive")
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(app, pilot, second)
        assert isinstance(app.screen, TicketScreen)
        header = str(app.screen.query_one("#header").render())
        assert "Spike: 5 open tickets from Umbra Architects" in header
        assert f"S makes #{first} the master" in header
        await burst(app, pilot, "S", "y")
    master = queries.ticket_detail(demo_db, first)
    assert master.ticket.is_master and len(master.children) == 4
    assert queries.get_ticket(demo_db, second).priority == Priority.HIGH


async def test_f_shows_reports_and_keys_switch_them(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "F", "t", "right_square_bracket")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert (screen.kind, screen.days) == ("time", 90)
        title = str(screen.query_one("#title").render())
        assert title.startswith("Time worked: last 90 days")


class TestReportsSnapshot:
    def test_volume_report_with_its_chart(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("F")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)

    def test_automation_rules(self, snap_compare, make_app):
        async def ready(pilot):
            await settle(pilot.app, pilot)
            await pilot.press("W")
            await settle(pilot.app, pilot)

        assert snap_compare(make_app(), run_before=ready, terminal_size=SIZE)


async def test_keys_typed_through_a_dry_run_all_count(make_app):
    """W t esc esc F in one go: the dry run opens and closes, the rules close, and
    the reports open (a closing dialog must not swallow the keys after it)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "W", "t", "escape", "escape", "F")
        assert isinstance(app.screen, ReportsScreen)


async def test_ctrl_s_typed_with_a_new_rule_saves_it_even_before_the_form_is_up(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "W", "n", "down", "end", "left", *"Fast rule", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AutomationsScreen)
    assert "Fast rule" in _names(demo_db)
