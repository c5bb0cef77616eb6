"""Master/child links stay one level deep, and cascades leave finished children alone."""

from __future__ import annotations

import pytest

from regentra_core import queries
from regentra_core.enums import Status
from regentra_core.errors import LinkError, ValidationError


@pytest.fixture
def family(desk, new_ticket):
    """A master with three children; the last one is already Resolved."""
    master = new_ticket(subject="Mail down for everyone")
    kids = [new_ticket(subject=f"Cannot send mail ({i})") for i in range(3)]
    desk.promote(master.number)
    for kid in kids:
        desk.link(master.number, kid.number)
    desk.change_status(kids[2].number, Status.RESOLVED, resolution="User fixed it themselves")
    return master.number, [k.number for k in kids]


def test_promote_and_link_show_up_on_both_sides(db, family):
    master, kids = family
    detail = queries.ticket_detail(db, master)
    assert detail.ticket.is_master
    assert [c.number for c in detail.children] == kids
    assert queries.get_ticket(db, kids[0]).master == master


def test_link_requires_a_promoted_master(desk, new_ticket):
    a, b = new_ticket(), new_ticket()
    with pytest.raises(LinkError, match="promote"):
        desk.link(a.number, b.number)


def test_a_master_cannot_become_a_child(desk, family, new_ticket):
    master, _ = family
    other = new_ticket()
    desk.promote(other.number)
    with pytest.raises(LinkError, match="master ticket and cannot become a child"):
        desk.link(other.number, master)


def test_a_child_cannot_be_promoted_or_linked_twice(desk, family, new_ticket):
    master, kids = family
    with pytest.raises(LinkError):
        desk.promote(kids[0])
    other = new_ticket()
    desk.promote(other.number)
    with pytest.raises(LinkError, match="already a child"):
        desk.link(other.number, kids[0])


def test_a_ticket_cannot_be_its_own_child(desk, family):
    master, _ = family
    with pytest.raises(LinkError):
        desk.link(master, master)


def test_unlink_detaches_and_refuses_when_not_linked(desk, db, family):
    master, kids = family
    desk.unlink(kids[0])
    assert queries.get_ticket(db, kids[0]).master is None
    assert kids[0] not in [c.number for c in queries.ticket_detail(db, master).children]
    with pytest.raises(LinkError):
        desk.unlink(kids[0])


def test_status_cascade_skips_resolved_children(desk, db, family):
    master, kids = family
    desk.change_status(master, Status.RESOLVED, resolution="Exchange restarted")
    result = desk.cascade(master, status=Status.RESOLVED, resolution=True)
    assert result.changed == kids[:2]
    assert result.skipped == [kids[2]]
    for n in kids[:2]:
        d = queries.ticket_detail(db, n)
        assert d.ticket.status == Status.RESOLVED and d.resolution == "Exchange restarted"
    untouched = queries.ticket_detail(db, kids[2])
    assert untouched.resolution == "User fixed it themselves"
    assert not any(e.kind == "cascade_applied" for e in queries.ticket_history(db, kids[2]))


def test_closing_cascade_resolves_then_closes_open_children(desk, db, family):
    master, kids = family
    desk.change_status(master, Status.RESOLVED)
    desk.change_status(master, Status.CLOSED)
    result = desk.cascade(master, status=Status.CLOSED)
    assert result.changed == kids[:2] and result.refused == []
    kinds = [e.kind for e in queries.ticket_history(db, kids[0])]
    assert kinds[-3:] == ["resolved", "closed", "cascade_applied"]
    assert queries.get_ticket(db, kids[2]).status == Status.RESOLVED


def test_a_child_that_cannot_move_is_listed_and_the_rest_go_ahead(desk, db, family):
    master, kids = family
    desk.change_status(kids[0], Status.WAITING_ON_CUSTOMER)
    result = desk.cascade(master, status=Status.OPEN)
    assert [n for n, _ in result.refused] == [kids[0]]
    assert result.changed == []
    assert result.skipped == [kids[1], kids[2]]
    assert queries.get_ticket(db, kids[0]).status == Status.WAITING_ON_CUSTOMER


def test_reply_cascade_posts_one_public_reply_on_each_open_child(desk, db, family):
    master, kids = family
    desk.cascade(master, reply="Mail is flowing again; please check.")
    for n in kids[:2]:
        thread = queries.ticket_detail(db, n).thread
        assert [i.body for i in thread if i.author_kind == "technician"] == [
            "Mail is flowing again; please check."
        ]
        assert queries.get_ticket(db, n).first_response_at is not None
    assert not any(i.author_kind == "technician" for i in queries.ticket_detail(db, kids[2]).thread)


def test_assignee_cascade(desk, db, family, bob):
    master, kids = family
    desk.cascade(master, assignee="bob")
    assert [queries.get_ticket(db, n).assignee for n in kids] == ["bob", "bob", None]


def test_cascade_needs_something_to_do_and_a_master(desk, family, new_ticket):
    master, kids = family
    with pytest.raises(ValidationError):
        desk.cascade(master)
    with pytest.raises(ValidationError, match="not a master"):
        desk.cascade(kids[0], status=Status.RESOLVED)
    with pytest.raises(ValidationError, match="no resolution"):
        desk.cascade(master, resolution=True)


def test_a_cascade_skips_done_children_and_a_status_they_already_have():
    from regentra_core.enums import Status
    from regentra_core.hierarchy import Node, cascade_skips, cascade_targets

    kids = [
        Node(2, False, 1, Status.OPEN),
        Node(3, False, 1, Status.RESOLVED),
        Node(4, False, 1, Status.IN_PROGRESS),
        Node(5, False, 1, Status.CLOSED),
    ]
    todo, skipped = cascade_targets(kids, Status.IN_PROGRESS, only_status=True)
    assert [k.number for k in todo] == [2] and [k.number for k in skipped] == [3, 4, 5]
    todo, skipped = cascade_targets(kids, Status.IN_PROGRESS, only_status=False)
    assert [k.number for k in todo] == [2, 4]  # an assignee or reply still reaches #4
    assert cascade_skips(Status.CLOSED, None, only_status=False)
