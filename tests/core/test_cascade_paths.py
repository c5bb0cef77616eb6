"""One rule decides which children a master's cascade would move, on every door."""

from __future__ import annotations

from regentra_core import queries
from regentra_core.automation import rule_from
from regentra_core.enums import Status
from regentra_core.hierarchy import Node, cascade_offer


def _node(number: int, status: Status) -> Node:
    return Node(number, False, 1, status)


def test_only_a_move_to_resolved_or_closed_offers_a_cascade():
    children = [_node(2, Status.OPEN), _node(3, Status.IN_PROGRESS)]
    assert cascade_offer(Status.WAITING_ON_CUSTOMER, children) == []
    assert [c.number for c in cascade_offer(Status.RESOLVED, children)] == [2, 3]
    assert [c.number for c in cascade_offer(Status.CLOSED, children)] == [2, 3]


def test_the_offer_leaves_out_children_whose_work_is_done():
    children = [_node(2, Status.RESOLVED), _node(3, Status.CLOSED), _node(4, Status.OPEN)]
    assert [c.number for c in cascade_offer(Status.CLOSED, children)] == [4]


def _family(desk, new_ticket):
    master, open_child, done_child = new_ticket(), new_ticket(), new_ticket()
    desk.promote(master.number)
    desk.link(master.number, open_child.number)
    desk.link(master.number, done_child.number)
    desk.change_status(done_child.number, Status.RESOLVED, resolution="fixed alone")
    return master.number, open_child.number


def test_the_desk_names_the_children_a_resolving_reply_would_leave_open(desk, db, new_ticket):
    master, child = _family(desk, new_ticket)
    desk.add_technician_reply(master, "All fixed", then=Status.RESOLVED)
    assert queries.cascade_offer(db, master, Status.RESOLVED) == [child]
    assert queries.cascade_offer(db, child, Status.RESOLVED) == []  # not a master


def test_an_automation_that_resolves_a_master_names_the_children_it_left_open(desk, db, new_ticket):
    master, child = _family(desk, new_ticket)
    desk.save_rule(
        rule_from(
            {
                "name": "Tidy",
                "trigger": "status_changed",
                "conditions": [{"field": "status", "op": "is", "value": "waiting_on_customer"}],
                "actions": [{"action": "set_status", "value": "resolved"}],
            }
        )
    )
    desk.change_status(master, Status.WAITING_ON_CUSTOMER)
    assert queries.get_ticket(db, master).status == Status.RESOLVED
    assert queries.get_ticket(db, child).status == Status.OPEN  # rules never cascade
    left = [e for e in queries.ticket_history(db, master) if e.kind == "cascade_not_applied"]
    assert len(left) == 1
    assert left[0].to_value == f"#{child}"
    assert "automation rules never cascade" in (left[0].detail or "")
    assert left[0].actor.startswith("automation")


def test_a_child_the_cascade_cannot_move_keeps_no_event_of_what_was_rolled_back(
    desk, db, new_ticket
):
    """A refused child's part of a cascade rolls back, and so do the Events it had
    queued: its history never tells of an assignment it does not have."""
    master, child = new_ticket(), new_ticket()
    desk.promote(master.number)
    desk.link(master.number, child.number)
    desk.change_status(child.number, Status.WAITING_ON_CUSTOMER)  # Waiting -> Open is refused
    result = desk.cascade(master.number, status=Status.OPEN, assignee="alice")
    assert [number for number, _ in result.refused] == [child.number]
    assert queries.get_ticket(db, child.number).assignee is None
    kinds = [e.kind for e in queries.ticket_history(db, child.number)]
    assert "assigned" not in kinds
    assert "cascade_applied" not in kinds
