"""Many processes on one SQLite file: conflicts are loud, nothing is lost."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func
from sqlmodel import col, select

from regentra_core import queries
from regentra_core.store.models import InternalNote
from tests.helpers import concurrency

SPAWN = multiprocessing.get_context("spawn")


def _run(target, args_list, timeout=120):
    barrier = SPAWN.Barrier(len(args_list))
    out = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*args, barrier, out)) for args in args_list]
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return results


def test_two_processes_on_one_ticket_one_wins_one_conflicts(db, db_path, alice, new_ticket):
    t = new_ticket()
    results = _run(
        concurrency.race_same_ticket,
        [(db_path, t.number, "in-progress"), (db_path, t.number, "waiting")],
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["conflict", "won"], results
    winner = next(r[1] for r in results if r[0] == "won")
    loser_message = next(r[1] for r in results if r[0] == "conflict")
    assert "changed by someone else" in loser_message
    row = queries.get_ticket(db, t.number)
    assert row.status.cli == ("in-progress" if winner == "in-progress" else "waiting-on-customer")
    assert row.version == t.version + 1


def test_four_processes_times_200_writes_lose_nothing(db, db_path, alice, new_ticket):
    tickets = [new_ticket(subject=f"load {i}") for i in range(4)]
    results = _run(concurrency.many_writes, [(db_path, t.number, 200) for t in tickets])
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors[0][2]
    assert sorted(r[2] for r in results) == [200] * 4
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(InternalNote)).one() == 800
    for t in tickets:
        assert queries.get_ticket(db, t.number).version == t.version + 200


def test_eight_processes_of_mixed_writes_lose_nothing_and_number_without_gaps(
    db, db_path, alice, new_ticket
):
    """Issue #15's test, on PostgreSQL (where writers really run side by side) with
    1,000 writes a process; on SQLite, whose writers queue, with 200."""
    from regentra_core.store.models import Contact, Event, Ticket, TimeEntry

    per_process = 1000 if db.url.startswith("postgresql") else 200
    shared = [new_ticket(subject=f"shared {i}").number for i in range(4)]
    with db.read() as s:
        last_event = s.exec(select(func.max(Event.id))).one()
        versions = {t.number: t.version for t in s.exec(select(Ticket)).all()}
    results = _run(
        concurrency.mixed_writes,
        [(db_path, p, per_process, shared) for p in range(8)],
        timeout=900,
    )
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors[0][2]
    done: dict[str, int] = {}
    for _, _, kinds, _ in results:
        for kind, n in kinds.items():
            done[kind] = done.get(kind, 0) + n
    assert sum(done.values()) == 8 * per_process

    with db.read() as s:
        numbers = sorted(s.exec(select(Ticket.number)).all())
        # Unique and without gaps: every typed and every mailed message made a ticket.
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        assert len(numbers) == len(versions) + done["typed"] + done["mailed"]
        # One contact per customer, however many processes met them first at once.
        emails = s.exec(select(Contact.email).where(col(Contact.email).like("%@%"))).all()
        assert sorted(e for e in emails if e in concurrency.MIXED_ADDRESSES) == sorted(
            concurrency.MIXED_ADDRESSES
        )
        notes = s.exec(select(func.count()).select_from(InternalNote)).one()
        assert notes == done["note"]
        minutes = s.exec(select(func.sum(TimeEntry.minutes))).one()
        assert minutes == done["time"]
        # No lost update: each shared ticket's version counts every write it took.
        for number in shared:
            ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
            took = s.exec(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.ticket_id == ticket.id,
                    Event.id > last_event,
                    col(Event.kind).in_(_VERSIONED),
                )
            ).one()
            assert ticket.version == versions[number] + took
        # Every write left its event.
        kinds = dict(
            s.exec(select(Event.kind, func.count()).where(Event.id > 0).group_by(Event.kind)).all()
        )
        assert kinds.get("note_added", 0) == done["note"]
        assert kinds.get("time_logged", 0) == done["time"]
        assert kinds.get("created", 0) == len(numbers)
        changed_shared = s.exec(
            select(func.count())
            .select_from(Event)
            .join(Ticket, Ticket.id == Event.ticket_id)
            .where(
                Event.id > last_event,
                Event.kind == "priority_changed",
                col(Ticket.number).in_(shared),
            )
        ).one()
        # (New tickets may have theirs raised too: so many alike subjects are a spike.)
        assert changed_shared == done.get("priority", 0)


_VERSIONED = ("note_added", "time_logged", "priority_changed")
