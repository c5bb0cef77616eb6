"""The ticket-spike policy: a burst raises LOW/MEDIUM to HIGH and suggests a master."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regentra_core import queries
from regentra_core.enums import Channel, Priority
from regentra_core.errors import NotFoundError
from regentra_core.spike import Arrival, SpikePolicy, find_spike, similar, subject_key
from tests.conftest import T0


def test_subjects_are_compared_without_prefixes_numbers_or_case():
    assert subject_key("RE: [Acme] Outlook down since 9:05!") == "outlook down since"
    assert similar(subject_key("Outlook is down"), subject_key("outlook is down!!"))
    assert similar(subject_key("Outlook is dow"), subject_key("Outlook is down"))
    assert not similar(subject_key("Outlook is down"), subject_key("Printer is down"))


def test_five_in_the_window_make_a_spike_four_do_not():
    policy = SpikePolicy(count=5, minutes=30)
    old = [Arrival(n, 1000 + n, 7, "vpn", T0 + timedelta(minutes=n)) for n in range(4)]
    new = Arrival(9, 1009, 7, "vpn", T0 + timedelta(minutes=10))
    assert find_spike(new, old, policy) is not None
    late = Arrival(9, 1009, 7, "vpn", T0 + timedelta(minutes=31))
    assert find_spike(late, old, policy) is None  # the first has left the window
    assert find_spike(new, old[:3], policy) is None
    assert find_spike(new, old, SpikePolicy(enabled=False)) is None


def test_five_low_tickets_from_one_client_in_ten_minutes_become_high(desk, db, new_ticket, clock):
    made = []
    for n in range(5):
        made.append(new_ticket(subject=f"Issue {n}", priority=Priority.LOW))
        clock.advance(minutes=2)
    assert [queries.get_ticket(db, t.number).priority for t in made] == [Priority.HIGH] * 5
    history = queries.ticket_history(db, made[0].number)
    change = next(e for e in history if e.kind == "priority_changed")
    assert "ticket_spike" in (change.detail or "") and change.source == "test"
    assert any(e.kind == "spike_detected" and e.to_value == str(made[0].number) for e in history)


def test_a_critical_one_stays_critical_and_later_ones_join(desk, db, new_ticket):
    first = new_ticket(priority=Priority.CRITICAL)
    rest = [new_ticket(priority=Priority.MEDIUM) for _ in range(4)]
    sixth = new_ticket(priority=Priority.LOW)
    assert queries.get_ticket(db, first.number).priority == Priority.CRITICAL
    assert {queries.get_ticket(db, t.number).priority for t in [*rest, sixth]} == {Priority.HIGH}
    kinds = [e.kind for e in queries.ticket_history(db, first.number)]
    assert "priority_escalation_skipped" in kinds


def test_near_identical_subjects_across_clients_are_a_spike(desk, db, clients, clock):
    made = []
    for n, client in enumerate(["Acme", "Bigwig", "Acme", "Bigwig", "Acme"]):
        made.append(
            desk.create_ticket(
                subject=f"RE: Email is down ({n})",
                description="",
                priority=Priority.LOW,
                channel=Channel.EMAIL,
                contact_email=f"u{n}@{client.lower()}.example",
                client_name=client,
            )
        )
    assert all(queries.get_ticket(db, t.number).priority == Priority.HIGH for t in made)


def test_the_master_suggestion_links_them(desk, db, new_ticket):
    made = [new_ticket(subject=f"VPN {n}", priority=Priority.LOW) for n in range(5)]
    result = desk.make_spike_master(made[3].number)
    assert result.master == made[0].number
    assert result.linked == [t.number for t in made[1:]]
    children = queries.ticket_detail(db, made[0].number).children
    assert [c.number for c in children] == result.linked
    late = new_ticket(subject="VPN 6")
    assert desk.make_spike_master(late.number).linked == [late.number]


def test_a_ticket_outside_any_spike_says_so(desk, new_ticket):
    t = new_ticket()
    with pytest.raises(NotFoundError, match="not part of a ticket spike"):
        desk.make_spike_master(t.number)
