"""Many processes on one SQLite file: conflicts are loud, nothing is lost."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func
from sqlmodel import select

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
