"""Priority moves only along the allowed paths, and every change says why."""

from __future__ import annotations

import pytest

from regentra_core import queries
from regentra_core.ai.analysis import Analysis
from regentra_core.desk import Desk
from regentra_core.enums import EscalationReason, Priority, PriorityChangeSource
from regentra_core.errors import PermissionDenied, PriorityRuleError
from regentra_core.identity import Actor
from regentra_core.priority import check_priority_change

L, M, H, C = Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL
S = PriorityChangeSource


@pytest.mark.parametrize("current", list(Priority))
@pytest.mark.parametrize("new", list(Priority))
@pytest.mark.parametrize("source", [S.OPERATOR, S.AUTOMATION])
def test_operators_and_automation_may_set_any_priority(current, new, source):
    assert check_priority_change(current, new, source) == new


@pytest.mark.parametrize(("current", "after"), [(L, H), (M, H), (H, H), (C, C)])
def test_policy_escalation_raises_low_and_medium_to_high_and_never_lowers(current, after):
    assert check_priority_change(current, H, S.POLICY) == after


@pytest.mark.parametrize("target", [L, M, C])
def test_policy_escalation_to_anything_but_high_is_refused(target):
    with pytest.raises(PriorityRuleError):
        check_priority_change(L, target, S.POLICY)


@pytest.mark.parametrize("source", [S.AI, S.CUSTOMER])
def test_ai_and_customer_cannot_change_priority(source):
    with pytest.raises(PriorityRuleError):
        check_priority_change(L, H, source)


def test_customer_priority_is_kept_at_creation(db, new_ticket):
    t = new_ticket(priority=Priority.LOW)
    assert queries.get_ticket(db, t.number).priority == L


def test_operator_edit_is_recorded_with_its_source(desk, db, new_ticket):
    t = new_ticket(priority=Priority.LOW)
    desk.change_priority(t.number, C)
    last = queries.ticket_history(db, t.number)[-1]
    assert (last.kind, last.from_value, last.to_value) == ("priority_changed", "low", "critical")
    assert last.actor == "alice" and "operator" in (last.detail or "")


def test_automation_change_names_its_rule(db, new_ticket, clock):
    t = new_ticket(priority=Priority.HIGH)
    bot = Desk(db, Actor.system("automation"), source="automation", clock=clock)
    bot.change_priority(t.number, L, source=S.AUTOMATION, rule="Newsletters are low")
    last = queries.ticket_history(db, t.number)[-1]
    assert last.to_value == "low" and "rule Newsletters are low" in (last.detail or "")


def test_operator_edit_needs_a_technician(db, new_ticket, clock):
    t = new_ticket()
    bot = Desk(db, Actor.system("email"), source="email", clock=clock)
    with pytest.raises(PermissionDenied):
        bot.change_priority(t.number, H)


@pytest.mark.parametrize(("given", "after"), [(L, H), (M, H), (H, H), (C, C)])
def test_escalation_by_policy_through_the_desk(desk, db, new_ticket, given, after):
    t = new_ticket(priority=given)
    desk.escalate_priority(t.number, EscalationReason.AI_SECURITY)
    assert queries.get_ticket(db, t.number).priority == after
    last = queries.ticket_history(db, t.number)[-1]
    assert "ai_security" in (last.detail or "")
    expected_kind = "priority_changed" if given != after else "priority_escalation_skipped"
    assert last.kind == expected_kind


def test_vip_client_low_ticket_is_escalated_at_creation(db, new_ticket):
    t = new_ticket(priority=Priority.LOW, client_name="Bigwig", contact_email="ceo@bigwig.example")
    assert queries.get_ticket(db, t.number).priority == H
    kinds = [(e.kind, e.from_value, e.to_value) for e in queries.ticket_history(db, t.number)]
    assert ("priority_changed", "low", "high") in kinds


def test_ai_may_only_suggest(desk, db, new_ticket, clock):
    t = new_ticket(priority=Priority.LOW)
    ai = Desk(db, Actor.system("ai"), source="ai", clock=clock)
    ai.record_analysis(
        t.number, Analysis(C, False, False, 0.9, "mentions ransomware", "model"), model="m"
    )
    row = queries.get_ticket(db, t.number)
    assert row.priority == L and row.suggested_priority == C
    with pytest.raises(PriorityRuleError):
        ai.change_priority(t.number, C, source=S.AI)
    assert queries.get_ticket(db, t.number).priority == L
