"""Automation rules: triggers, conditions, actions, order, the loop guard, TOML, dry runs."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from regentra_core import automation_reads as reads
from regentra_core import queries
from regentra_core.automation import (
    FIELDS,
    Rule,
    RuleError,
    dump_rules,
    evaluate,
    parse_rules,
    rule_from,
)
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority, Status
from regentra_core.errors import NoChange
from regentra_core.store.models import AutomationRule, InternalNote, OutboundMessage, Ticket
from tests.conftest import NO_SPIKE


def rule(name="R", trigger="ticket_created", conditions=(), actions=None, **more) -> Rule:
    return rule_from(
        {
            "name": name,
            "trigger": trigger,
            "conditions": [dict(zip(("field", "op", "value"), c, strict=True)) for c in conditions],
            "actions": list(actions or [{"action": "add_note", "body": f"{name} ran"}]),
            **more,
        }
    )


def notes(db, number) -> list[str]:
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        return list(
            s.exec(select(InternalNote.body).where(InternalNote.ticket_id == ticket.id)).all()
        )


def ran(db, name) -> list[str]:
    return [r.outcome for r in reversed(reads.log(db, rule=name))]


# -- triggers ---------------------------------------------------------------------


def test_ticket_created_fires_in_the_creating_transaction(desk, db, new_ticket):
    desk.save_rule(rule("Welcome"))
    t = new_ticket()
    assert notes(db, t.number) == ["Welcome ran"]
    [event] = [e for e in queries.ticket_history(db, t.number) if e.kind == "note_added"]
    assert (event.actor, event.source) == ("automation:Welcome", "automation:Welcome")


def test_status_changed_fires_on_every_kind_of_move(desk, db, new_ticket):
    desk.save_rule(rule("Moved", "status_changed"))
    t = new_ticket()
    desk.change_status(t.number, Status.IN_PROGRESS)
    desk.change_status(t.number, Status.RESOLVED, resolution="done")
    assert notes(db, t.number) == ["Moved ran", "Moved ran"]


def test_reply_added_fires_for_customer_and_technician_replies(desk, db, new_ticket):
    desk.save_rule(rule("Heard", "reply_added", [("body", "contains", "urgent")]))
    t = new_ticket()
    desk.add_customer_reply(t.number, "This is URGENT now")
    desk.add_technician_reply(t.number, "Looking at it, not urgent")
    desk.add_customer_reply(t.number, "thanks")
    assert notes(db, t.number) == ["Heard ran", "Heard ran"]
    # body is the reply that fired the rule, not the description
    assert ran(db, "Heard") == ["matched", "matched", "no_match"]


def test_sla_at_risk_and_breached_fire_from_the_sweep(desk, db, new_ticket, clock, bob):
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    desk.set_target("Standard", Priority.MEDIUM, response_minutes=60, resolution_minutes=480)
    desk.save_rule(rule("Risk", "sla_at_risk", actions=[{"action": "assign", "to": "bob"}]))
    desk.save_rule(
        rule("Late", "sla_breached", actions=[{"action": "set_priority", "value": "critical"}])
    )
    t = new_ticket()
    clock.advance(minutes=50)
    desk.run_sla_sweep()
    assert queries.get_ticket(db, t.number).assignee == "bob"
    clock.advance(minutes=20)
    desk.run_sla_sweep()
    assert queries.get_ticket(db, t.number).priority == Priority.CRITICAL


def test_periodic_rules_act_once_until_the_ticket_changes(desk, db, new_ticket, clock):
    desk.save_rule(
        rule(
            "Stale",
            "periodic",
            [("hours_since_update", "gt", 48)],
            [
                {
                    "action": "notify",
                    "to": "lead@msp.example",
                    "subject": "#{number} is stale",
                    "body": "{subject} for {client}",
                }
            ],
        )
    )
    fresh = new_ticket(subject="Fresh")
    old = new_ticket(subject="Old")
    clock.advance(hours=49)
    desk.add_note(fresh.number, "still on it")
    report = desk.run_periodic_automations()
    assert report.matched == {"Stale": [old.number]}
    assert desk.run_periodic_automations().matched == {}  # nothing changed since
    with db.read() as s:
        [mail] = s.exec(select(OutboundMessage).where(OutboundMessage.kind == "notify")).all()
    assert (mail.recipient, mail.subject, mail.body) == (
        "lead@msp.example",
        f"#{old.number} is stale",
        "Old for Acme",
    )


# -- conditions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("channel", "is", "email", True),
        ("channel", "in", ["sms", "chat"], False),
        ("client", "is", "acme", True),
        ("client", "is_not", "Acme", False),
        ("vip", "is", False, True),
        ("contact_email", "contains", "@acme.", True),
        ("contact_email", "matches", r"^sam@", True),
        ("priority", "gt", "low", True),
        ("priority", "lt", "medium", False),
        ("priority", "in", ["high", "critical"], False),
        ("status", "is", "open", True),
        ("assignee", "is", "", True),
        ("subject", "contains", "PRINTER", True),
        ("subject", "matches", r"(?i)print(er)?\s+off", True),
        ("body", "contains", "floor 2", True),
        ("sla", "is", "on_track", False),
        ("hours_since_update", "lt", 1, True),
        ("hours_since_update", "gt", 1, False),
    ],
)
def test_each_condition_field_and_op(desk, db, new_ticket, field, op, value, expected, clock):
    t = new_ticket()
    desk.save_rule(rule("Probe", "periodic", [(field, op, value)]))
    result = reads.dry_run(db, "Probe", ticket=t.number, now=clock.now)
    assert result.verdict is not None and result.verdict.matched is expected


def test_every_field_is_exercised_above():
    tested = {
        "channel",
        "client",
        "vip",
        "contact_email",
        "priority",
        "status",
        "assignee",
        "subject",
        "body",
        "sla",
        "hours_since_update",
    }
    assert tested == set(FIELDS)


def test_a_runaway_pattern_gives_up_instead_of_stalling():
    r = rule("Slow", conditions=[("subject", "matches", r"(a|aa)+$")])
    verdict = evaluate(r, {"subject": "a" * 60 + "!"}.get)
    assert not verdict.matched and "gave up" in verdict.checks[0].note


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "colour", "op": "is", "value": "red"}, "unknown field 'colour'"),
        ({"field": "vip", "op": "contains", "value": "x"}, "vip takes is, is_not"),
        ({"field": "priority", "op": "is", "value": "urgent"}, "unknown priority"),
        ({"field": "subject", "op": "in", "value": "x"}, "takes a list"),
        ({"field": "subject", "op": "matches", "value": "(unclosed"}, "not valid"),
        ({"field": "hours_since_update", "op": "gt", "value": "soon"}, "number of hours"),
    ],
)
def test_bad_conditions_are_refused_by_name(condition, message):
    with pytest.raises(RuleError, match=message):
        rule_from(
            {
                "name": "X",
                "trigger": "periodic",
                "conditions": [condition],
                "actions": [{"action": "add_note", "body": "x"}],
            }
        )


# -- actions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"action": "teleport"}, "unknown action 'teleport'"),
        ({"action": "assign"}, "assign needs to"),
        ({"action": "assign", "to": "bob", "when": "now"}, "does not take when"),
        ({"action": "set_priority", "value": "urgent"}, "unknown priority"),
        ({"action": "notify", "to": "the boss", "subject": "s", "body": "b"}, "email address"),
        ({"action": "add_to_master", "master": "1001"}, "ticket number"),
    ],
)
def test_bad_actions_are_refused_by_name(action, message):
    with pytest.raises(RuleError, match=message):
        rule_from({"name": "X", "trigger": "periodic", "actions": [action]})


def test_every_action_runs_as_the_rule(desk, db, new_ticket, bob):
    master = new_ticket(subject="Outage master")
    desk.promote(master.number)
    desk.save_rule(
        rule(
            "All",
            conditions=[("subject", "contains", "vpn")],
            actions=[
                {"action": "assign", "to": "bob"},
                {"action": "set_priority", "value": "low"},
                {"action": "set_status", "value": "in_progress"},
                {"action": "add_note", "body": "Auto: #{number} {priority}"},
                {"action": "notify", "to": "contact", "subject": "Got it", "body": "We are on it"},
                {"action": "add_to_master", "master": master.number},
            ],
        )
    )
    t = new_ticket(subject="VPN broken")
    detail = queries.get_ticket(db, t.number)
    assert (detail.assignee, detail.priority, detail.status) == (
        "bob",
        Priority.LOW,
        Status.IN_PROGRESS,
    )
    assert notes(db, t.number) == [f"Auto: #{t.number} Low"]
    assert detail.master == master.number
    with db.read() as s:
        kinds = s.exec(select(OutboundMessage.kind, OutboundMessage.recipient)).all()
    assert ("notify", "sam@acme.example") in kinds
    [run] = reads.log(db, rule="All")
    assert run.outcome == "matched" and "refused" not in run.detail


def test_change_priority_by_a_rule_is_audited_with_the_rule_name(desk, db, new_ticket):
    desk.save_rule(rule("Lower noise", actions=[{"action": "set_priority", "value": "low"}]))
    t = new_ticket(priority=Priority.HIGH)
    [change] = [e for e in queries.ticket_history(db, t.number) if e.kind == "priority_changed"]
    assert (change.from_value, change.to_value) == ("high", "low")
    assert change.source == "automation:Lower noise"
    assert "rule Lower noise" in (change.detail or "")


def test_a_refused_status_move_is_logged_not_forced(desk, db, new_ticket):
    desk.save_rule(
        rule(
            "Close",
            actions=[
                {"action": "set_status", "value": "closed"},
                {"action": "add_note", "body": "after"},
            ],
        )
    )
    t = new_ticket()
    assert queries.get_ticket(db, t.number).status == Status.OPEN
    [run] = reads.log(db, rule="Close")
    assert "set_status refused: cannot move a ticket from Open to Closed" in run.detail
    assert notes(db, t.number) == ["after"]  # the other actions still ran


# -- order, stop, disabled, loop guard ---------------------------------------------


def test_rules_run_in_order_and_stop_after_match_stops(desk, db, new_ticket):
    desk.save_rule(rule("B", order=20, stop_after_match=True))
    desk.save_rule(rule("A", order=10))
    desk.save_rule(rule("C", order=30))
    t = new_ticket()
    assert notes(db, t.number) == ["A ran", "B ran"]
    assert ran(db, "C") == []


def test_disabled_rules_do_not_run(desk, db, new_ticket):
    desk.save_rule(rule("Off", enabled=False))
    t = new_ticket()
    desk.set_rule_enabled("Off", True)
    u = new_ticket()
    desk.set_rule_enabled("Off", False)
    assert (notes(db, t.number), notes(db, u.number)) == ([], ["Off ran"])
    with pytest.raises(NoChange):
        desk.set_rule_enabled("Off", False)


def test_the_loop_guard_stops_rules_that_trigger_each_other(desk, db, new_ticket):
    desk.save_rule(
        rule(
            "Work",
            "status_changed",
            [("status", "is", "open")],
            [{"action": "set_status", "value": "in_progress"}],
        )
    )
    desk.save_rule(
        rule(
            "Back",
            "status_changed",
            [("status", "is", "in_progress")],
            [{"action": "set_status", "value": "open"}],
        )
    )
    t = new_ticket()
    desk.change_status(t.number, Status.IN_PROGRESS)  # Back -> open -> Work -> ...
    assert queries.get_ticket(db, t.number).status == Status.IN_PROGRESS
    assert "loop_guard" in ran(db, "Back")
    guard = [r for r in reads.log(db, rule="Back") if r.outcome == "loop_guard"][0]
    assert "a rule's change" in guard.detail


def test_move_rule_renumbers_the_running_order(desk, db):
    for name in "ABC":
        desk.save_rule(rule(name))
    assert desk.move_rule("C", -2) == ["C", "A", "B"]
    assert [(s.rule.name, s.rule.order) for s in reads.rules(db)] == [
        ("C", 10),
        ("A", 20),
        ("B", 30),
    ]


# -- TOML, dry run ------------------------------------------------------------------

ISSUE_EXAMPLE = """[[rule]]
name = "Acme outages to Alice"
description = "..."
trigger = "ticket_created"
order = 10
enabled = true
stop_after_match = false
conditions = [{ field = "client", op = "is", value = "Acme" },
              { field = "subject", op = "contains", value = "outage" }]
actions = [{ action = "assign", to = "alice" },
           { action = "set_priority", value = "high" }]
"""


def test_the_issue_example_round_trips_exactly():
    assert dump_rules(parse_rules(ISSUE_EXAMPLE)) == ISSUE_EXAMPLE


def test_export_then_import_gives_the_same_rules(desk, db, new_ticket):
    desk.import_rules(ISSUE_EXAMPLE)
    desk.save_rule(
        rule(
            "Night",
            "periodic",
            [("sla", "in", ["at_risk", "breached"])],
            [
                {
                    "action": "notify",
                    "to": "oncall@msp.example",
                    "subject": 'S "q"',
                    "body": "line\nbreak",
                }
            ],
            description="ünïcode",
        )
    )
    exported = dump_rules(s.rule for s in reads.rules(db))
    assert desk.import_rules(exported) == ([], [])  # nothing differs
    assert [s.rule for s in reads.rules(db)] == parse_rules(exported)
    t = new_ticket(subject="Big outage")
    assert queries.get_ticket(db, t.number).assignee == "alice"


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (('op = "contains"', 'op = "has"'), 9, "unknown op 'has'"),
        (('trigger = "ticket_created"', 'trigger = "hourly"'), 4, "trigger 'hourly'"),
        (("order = 10", "order = ten"), None, "not valid TOML"),
        (('action = "assign", to', 'action = "assign", who'), 10, "assign needs to"),
    ],
)
def test_a_bad_file_changes_nothing_and_names_the_line(desk, db, change, line, message):
    good = ISSUE_EXAMPLE.replace("Acme outages", "Other")
    bad = ISSUE_EXAMPLE.replace(*change)
    with pytest.raises(RuleError, match=message) as info:
        desk.import_rules(good + "\n" + bad)
    if line is not None:
        assert str(info.value).startswith(f"line {line + 12}:")
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(AutomationRule)).one() == 0


@pytest.mark.parametrize("desk_config", [NO_SPIKE])  # six tickets at once would be a spike
def test_dry_run_counts_equal_a_real_run(desk, db, new_ticket, clock):
    for n in range(6):
        new_ticket(subject=f"Disk full {n}", priority=[Priority.LOW, Priority.HIGH][n % 2])
    desk.save_rule(
        rule("Low disk", "periodic", [("priority", "is", "low"), ("subject", "contains", "disk")])
    )
    dry = reads.dry_run(db, "Low disk", now=clock.now)
    real = desk.run_periodic_automations()
    assert dry.matching == real.matched["Low disk"] and len(dry.matching) == 3


def test_a_rule_change_is_an_event_and_a_rename_keeps_the_rule(desk, db):
    desk.save_rule(rule("Old"))
    desk.save_rule(rule("New"), replacing="Old")
    assert [s.rule.name for s in reads.rules(db)] == ["New"]
    with pytest.raises(NoChange):
        desk.save_rule(rule("New"), replacing="New")


def test_a_rule_desk_from_a_channel_fires_rules_too(db, desk, clients):
    desk.save_rule(rule("Mail", conditions=[("channel", "is", "email")]))
    from regentra_core.identity import Actor

    intake = Desk(db, Actor.system("email"), source="email")
    t = intake.create_ticket(
        subject="Hi",
        description="",
        priority=Priority.LOW,
        channel=Channel.EMAIL,
        contact_email="sam@acme.example",
    )
    assert notes(db, t.number) == ["Mail ran"]


def test_a_rule_changed_by_another_process_is_seen_at_its_next_change(
    desk, db, db_path, alice, clock, clients
):
    """Each process keeps its checked rules while the desk's rules counter stays."""
    from regentra_core.store import Database

    other_db = Database(db_path)
    try:
        other = Desk(other_db, alice, source="other", clock=clock)
        desk.save_rule(rule("Tag"))
        made = other.create_ticket(
            subject="One",
            description="",
            priority=Priority.LOW,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
        )
        assert notes(db, made.number) == ["Tag ran"]
        desk.set_rule_enabled("Tag", False)  # this process; the other cached "on"
        again = other.create_ticket(
            subject="Two",
            description="",
            priority=Priority.LOW,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
        )
        assert notes(db, again.number) == []
    finally:
        other_db.close()


def test_a_rolled_back_rule_change_leaves_no_cached_rules_behind(desk, db, new_ticket):
    from regentra_core.desk.automations import _rules_by_trigger

    desk.save_rule(rule("Kept"))
    with pytest.raises(RuntimeError), db.write() as s:
        row = s.exec(select(AutomationRule)).one()
        row.enabled = False
        s.flush()
        assert "ticket_created" not in _rules_by_trigger(s)  # seen inside, not kept
        raise RuntimeError("the transaction fails")
    desk.save_rule(rule("Second"))  # the counter reaches the rolled-back value again
    t = new_ticket()
    assert notes(db, t.number) == ["Kept ran", "Second ran"]
