"""The quick filter keys' rule (pure): each switches its filter, the rest kept."""

from __future__ import annotations

from regentra_core import UNASSIGNED, Badge, Priority, Status, TicketFilter
from regentra_tui.quick_filters import URGENT, toggled

OPEN = TicketFilter(statuses=(Status.OPEN,), text="vpn", client="Acme")


def test_urgent_goes_on_then_off_and_replaces_a_partial_priority_filter():
    on = toggled(OPEN, "urgent", "alice")
    assert on.priorities == URGENT and on.statuses == OPEN.statuses and on.text == "vpn"
    assert toggled(on, "urgent", "alice") == OPEN
    high_only = TicketFilter(priorities=(Priority.HIGH,))
    assert toggled(high_only, "urgent", "alice").priorities == URGENT


def test_mine_and_unassigned_share_the_assignee_and_each_clears_only_itself():
    mine = toggled(OPEN, "mine", "alice")
    assert mine.assignee == "alice"
    unassigned = toggled(mine, "unassigned", "alice")
    assert unassigned.assignee == UNASSIGNED
    assert toggled(unassigned, "unassigned", "alice") == OPEN
    assert toggled(mine, "mine", "alice") == OPEN


def test_breached_replaces_another_sla_filter_and_goes_off_again():
    at_risk = TicketFilter(sla=(Badge.AT_RISK,))
    breached = toggled(at_risk, "breached", "alice")
    assert breached.sla == (Badge.BREACHED,)
    assert toggled(breached, "breached", "alice").sla == ()
