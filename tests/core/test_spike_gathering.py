"""A spike gathers open tickets about one thing: never resolved or closed tickets,
children or masters with children, nor a busy client's unrelated requests."""

from __future__ import annotations

from regentra_core import queries
from regentra_core.enums import Priority, Status
from regentra_core.spike_reads import spike_of


def _priorities(db, tickets):
    return [queries.get_ticket(db, t.number).priority for t in tickets]


def test_a_client_s_unrelated_requests_are_no_spike(db, new_ticket, clock):
    subjects = ["X-ray PC will not boot", "Calendar invite", "Printer jam", "New starter", "VPN"]
    made = []
    for subject in subjects:
        made.append(new_ticket(subject=subject, priority=Priority.LOW))
        clock.advance(minutes=2)
    assert _priorities(db, made) == [Priority.LOW] * 5
    assert spike_of(db, made[-1].number) is None


def test_resolved_tickets_masters_and_children_do_not_count_towards_a_spike(
    desk, db, new_ticket, clock
):
    done = new_ticket(subject="Outlook down", priority=Priority.LOW)
    desk.change_status(done.number, Status.RESOLVED, resolution="Restarted")
    master = new_ticket(subject="Outlook down", priority=Priority.LOW)
    child = new_ticket(subject="Outlook down", priority=Priority.LOW)
    desk.promote(master.number)
    desk.link(master.number, child.number)
    fresh = [new_ticket(subject="Outlook down", priority=Priority.LOW) for _ in range(2)]
    assert _priorities(db, fresh) == [Priority.LOW] * 2
    assert spike_of(db, fresh[-1].number) is None


def test_an_unrelated_ticket_does_not_join_a_client_s_spike(db, new_ticket):
    burst = [new_ticket(subject="Outlook down", priority=Priority.LOW) for _ in range(5)]
    assert _priorities(db, burst) == [Priority.HIGH] * 5
    other = new_ticket(subject="Calendar request for Monday", priority=Priority.LOW)
    assert queries.get_ticket(db, other.number).priority == Priority.LOW
    assert spike_of(db, other.number) is None


def test_the_spike_master_is_its_first_open_ticket_and_links_only_what_it_may(desk, db, new_ticket):
    burst = [new_ticket(subject="Outlook down", priority=Priority.LOW) for _ in range(5)]
    desk.change_status(burst[0].number, Status.RESOLVED, resolution="Restarted")
    elsewhere = new_ticket(subject="Phishing mail", priority=Priority.LOW)
    desk.promote(elsewhere.number)
    desk.link(elsewhere.number, burst[1].number)

    view = spike_of(db, burst[4].number)
    assert view is not None
    assert view.suggested == burst[2].number
    assert view.unlinked == [burst[3].number, burst[4].number]
    assert [t.number for t in view.gathered] == [t.number for t in burst[2:]]
    assert all(t.subject == "Outlook down" for t in view.gathered)

    result = desk.make_spike_master(burst[4].number)
    assert result.master == burst[2].number
    assert result.linked == [burst[3].number, burst[4].number]
    assert [n for n, _ in result.skipped] == [burst[0].number, burst[1].number]
    detail = queries.ticket_detail(db, burst[0].number)
    assert detail.ticket.status == Status.RESOLVED and detail.ticket.master is None
    assert queries.get_ticket(db, burst[1].number).master == elsewhere.number
