"""SLA badges for 100k open tickets: target under 1 s on this machine.

Generates a seeded desk of 100k open tickets over three policies (two 24x7, one
business-hours calendar with holidays), a third of them with Waiting pauses, and
measures, median of 5 runs:

- compute: badges for all 100k from clock inputs already in memory;
- query + compute: the ``--sla`` list-filter path, reading the clock inputs of
  every open ticket from SQLite and computing their badges.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import col, select

from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority, Status
from regentra_core.identity import Actor
from regentra_core.seed import seed_sla
from regentra_core.sla import dump_pauses
from regentra_core.sla_book import ClockInputs, SlaBook, clock_columns, clock_inputs
from regentra_core.store import Database, upgrade
from regentra_core.store.models import Client, SlaPolicy, Ticket

N = 100_000
RUNS = 5
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def build(path: Path, n: int = N) -> Database:
    db = Database(str(path))
    upgrade(db)
    seed_sla(Desk(db, Actor.system("bench"), source="bench", clock=lambda: NOW))
    rng = random.Random(20261125)
    with db.write() as s:
        policies = {p.name: p.id for p in s.exec(select(SlaPolicy)).all()}
        clients = []
        for i, policy in enumerate([None, "Premium", "Business hours"] * 10):
            client = Client(
                name=f"Client {i}",
                vip=False,
                sla_policy_id=policies.get(policy or ""),
                created_at=NOW,
            )
            s.add(client)
            s.flush()
            clients.append(client.id)
    rows = []
    statuses = [Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED, Status.WAITING_ON_CUSTOMER]
    for i in range(n):
        created = NOW - timedelta(minutes=rng.randint(1, 60 * 24 * 14))
        status = rng.choice(statuses)
        pauses: list[tuple[datetime, datetime | None]] = []
        if status == Status.WAITING_ON_CUSTOMER or rng.random() < 0.2:
            start = created + (NOW - created) * rng.random() * 0.5
            end = start + (NOW - start) * rng.random() * 0.5
            pauses.append((start, end))
            if status == Status.WAITING_ON_CUSTOMER:
                pauses.append((end + (NOW - end) * rng.random(), None))
        responded = created + timedelta(minutes=rng.randint(1, 600)) if rng.random() < 0.6 else None
        rows.append(
            {
                "number": 1001 + i,
                "subject": f"Generated ticket {i}",
                "description": "",
                "status": status.value,
                "priority": rng.choice(list(Priority)).value,
                "channel": Channel.EMAIL.value,
                "client_id": rng.choice(clients),
                "is_master": False,
                "version": 1,
                "created_at": created,
                "updated_at": created,
                "first_response_at": responded if responded and responded < NOW else None,
                "sla_pauses": dump_pauses(pauses),
                "response_breached": False,
                "resolution_breached": False,
            }
        )
    with db.write() as s:
        s.execute(insert(Ticket.__table__), rows)  # type: ignore[attr-defined]
    return db


def load_inputs(db: Database) -> list[ClockInputs]:
    with db.read() as s:
        result = (
            s.connection()
            .execute(
                select(*clock_columns()).where(
                    col(Ticket.status).not_in([Status.RESOLVED.value, Status.CLOSED.value])
                )
            )
            .all()
        )
    return [clock_inputs(r)[1] for r in result]


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db = build(Path(tmp) / "bench.db")
        print(f"built {N:,} open tickets in {time.perf_counter() - started:.1f} s")
        with db.read() as s:
            book = SlaBook.load(s)
        inputs = load_inputs(db)
        for ticket in inputs[:1000]:  # warm the calendar tables once, like a running TUI
            book.state(ticket, NOW)
        compute: list[float] = []
        end_to_end: list[float] = []
        badges: Counter[str] = Counter()
        for _ in range(RUNS):
            t0 = time.perf_counter()
            states = [book.state(t, NOW, with_due=False) for t in inputs]
            compute.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with db.read() as s:
                fresh_book = SlaBook.load(s)
            fresh = load_inputs(db)
            counted = Counter(
                st.badge.value
                for st in (fresh_book.state(t, NOW, with_due=False) for t in fresh)
                if st
            )
            end_to_end.append(time.perf_counter() - t0)
            badges = counted
        assert len(states) == N
        sweeper = Desk(db, Actor.system("bench"), source="bench", clock=lambda: NOW)
        t0 = time.perf_counter()
        first = sweeper.run_sla_sweep(NOW)
        first_sweep = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = sweeper.run_sla_sweep(NOW)
        second_sweep = time.perf_counter() - t0
        db.close()
    print(f"badges: {dict(sorted(badges.items()))}")
    print(
        f"compute {N:,} badges: median {statistics.median(compute):.3f} s "
        f"(min {min(compute):.3f}, max {max(compute):.3f}) over {RUNS} runs"
    )
    print(
        f"query + compute: median {statistics.median(end_to_end):.3f} s "
        f"(min {min(end_to_end):.3f}, max {max(end_to_end):.3f})"
    )
    print(
        f"SLA sweep: first {first_sweep:.1f} s ({len(first.changed):,} badges recorded), "
        f"next {second_sweep:.2f} s ({len(second.changed)} changes)"
    )
