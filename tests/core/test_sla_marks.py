"""Stored SLA marks: kept by every change, read by the SLA filters, order and sweep.

The badges and the order SQL reads from the marks must be exactly what the clocks
computed live say, on a varied desk (24x7 and business-hours calendars with a
holiday, paused, answered, resolved-without-reply and closed tickets, a priority
without targets) at several moments.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from regentra_core import queries
from regentra_core.desk import Desk
from regentra_core.desk import sla as desk_sla
from regentra_core.enums import Priority, Status
from regentra_core.queries.tickets import SortKey, TicketFilter, _sla_key
from regentra_core.sla import Badge
from regentra_core.sla_book import SlaBook, inputs_of
from regentra_core.sla_marks import marks_of
from regentra_core.store import Database, clock_writes, upgrade
from regentra_core.store.models import Ticket

TICK = timedelta(microseconds=1)


@pytest.fixture
def setup(desk, clients) -> None:
    """A 24x7 default policy and office hours in Berlin (with a holiday) for Bigwig,
    whose LOW tickets have no target."""
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    desk.add_calendar("Office", timezone="Europe/Berlin", hours="mon-fri 09:00-17:00")
    desk.add_holiday("Office", date(2026, 3, 4), "closed")
    desk.add_policy("Office", calendar="Office", at_risk_share=0.5)
    for p, (resp, res) in {
        Priority.LOW: (240, 1440),
        Priority.MEDIUM: (60, 480),
        Priority.HIGH: (30, 240),
        Priority.CRITICAL: (15, 120),
    }.items():
        desk.set_target("Standard", p, response_minutes=resp, resolution_minutes=res)
        if p != Priority.LOW:
            desk.set_target("Office", p, response_minutes=resp, resolution_minutes=res)
    desk.assign_policy("Bigwig", "Office")


@pytest.fixture
def varied(desk, setup, new_ticket, clock) -> list[int]:
    """Tickets in every kind of clock state, created over a few minutes: LOW, MEDIUM,
    HIGH and CRITICAL for Acme (24x7) and for Bigwig (office hours; LOW: no SLA)."""
    numbers: list[int] = []
    for i, priority in enumerate(Priority):
        for client in ("Acme", "Bigwig"):
            t = new_ticket(
                priority=priority,
                client_name=client,
                contact_email=f"sam@{client.lower()}.example",
                subject=f"t{i} {client}",
            )
            numbers.append(t.number)
            clock.advance(minutes=1)
    low, _, medium, medium_office, high, high_office, critical, critical_office = numbers
    desk.add_technician_reply(low, "On it.")
    desk.change_status(low, Status.RESOLVED, resolution="fixed")  # Met
    desk.change_status(medium, Status.RESOLVED, resolution="fixed")  # no reply
    desk.change_status(medium_office, Status.WAITING_ON_CUSTOMER)
    desk.change_status(critical, Status.WAITING_ON_CUSTOMER)  # stays paused
    desk.add_technician_reply(critical_office, "Done?")
    desk.change_status(critical_office, Status.RESOLVED, resolution="fixed")
    desk.change_status(critical_office, Status.CLOSED)
    clock.advance(minutes=3)
    desk.change_status(high, Status.IN_PROGRESS)
    desk.change_status(medium_office, Status.IN_PROGRESS)  # resumed: a closed pause
    desk.change_priority(high_office, Priority.CRITICAL)
    return numbers


def _worker(desk: Desk, db: Database, clock) -> Desk:
    return Desk(db, desk.actor, source="worker", clock=clock)


def _moments(clock) -> list[datetime]:
    start = clock()
    return [
        start + delta
        for delta in (
            timedelta(0),
            timedelta(minutes=10),
            timedelta(minutes=20),
            timedelta(hours=2),
            timedelta(hours=9, minutes=3),
            timedelta(days=2, hours=1),
            timedelta(days=9),
        )
    ]


def _computed(db: Database, now: datetime) -> dict[int, object]:
    with db.read() as s:
        book = SlaBook.load(s)
        tickets = s.exec(select(Ticket)).all()
        return {t.number: book.state(inputs_of(t), now) for t in tickets}


def test_sql_badges_counts_and_order_match_the_computed_clocks(desk, db, varied, clock):
    _worker(desk, db, clock).run_sla_sweep()
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
    seen: set[Badge] = set()
    for now in _moments(clock):
        states = _computed(db, now)
        seen |= {st.badge for st in states.values() if st is not None}  # type: ignore[attr-defined]
        for badge in Badge:
            want = sorted(n for n, st in states.items() if st is not None and st.badge == badge)
            f = TicketFilter(sla=(badge,))
            got = [r.number for r in queries.list_tickets(db, f, now=now, limit=1000)]
            assert got == want, (badge, now)
            assert queries.count_tickets(db, f, now=now) == len(want)
            by_status = queries.count_by_status(db, f, now=now)
            assert sum(by_status.values()) == len(want)
        expected = sorted(states, key=lambda n: (_sla_key(states[n]), n))  # type: ignore[arg-type]
        rows = queries.list_tickets(db, sort=SortKey.SLA, now=now, limit=1000)
        assert [r.number for r in rows] == expected, now
        rows = queries.list_tickets(db, sort=SortKey.SLA, descending=True, now=now, limit=1000)
        assert [r.number for r in rows] == expected[::-1]
    assert seen == set(Badge)  # every badge was compared


def test_the_marks_are_the_exact_instants_the_badge_changes(desk, db, varied, clock):
    with db.read() as s:
        book = SlaBook.load(s)
        tickets = s.exec(select(Ticket)).all()
    now = clock()
    for t in tickets:
        marks = marks_of(book, inputs_of(t), now)
        for instant in (marks.risk_at, marks.breach_at):
            if instant is None or instant <= now:
                continue
            for at in (instant - TICK, instant, instant + TICK):
                state = book.state(inputs_of(t), at)
                assert state is not None and marks.badge(at) == state.badge, (t.number, at)


def test_every_kind_of_change_marks_the_ticket_in_its_own_transaction(
    desk, db, setup, new_ticket, clock
):
    def stored(number: int) -> Ticket:
        with db.read() as s:
            return s.exec(select(Ticket).where(Ticket.number == number)).one()

    t = new_ticket(priority=Priority.MEDIUM)
    created = stored(t.number)
    assert created.sla_rest == Badge.ON_TRACK.value
    assert created.sla_due_at == created.created_at + timedelta(hours=1)
    assert created.sla_risk_at == created.created_at + timedelta(minutes=45)
    assert created.sla_breach_at == created.created_at + timedelta(hours=1) + TICK

    desk.change_priority(t.number, Priority.HIGH)
    assert stored(t.number).sla_due_at == created.created_at + timedelta(minutes=30)

    clock.advance(minutes=10)
    desk.add_technician_reply(t.number, "Looking.")  # the response clock stops
    answered = stored(t.number)
    assert answered.sla_due_at == created.created_at + timedelta(hours=4)

    clock.advance(minutes=10)
    desk.change_status(t.number, Status.WAITING_ON_CUSTOMER)
    paused = stored(t.number)
    assert (paused.sla_due_at, paused.sla_risk_at, paused.sla_breach_at) == (None, None, None)
    assert paused.sla_rest == Badge.ON_TRACK.value

    clock.advance(hours=1)
    desk.change_status(t.number, Status.IN_PROGRESS)
    assert stored(t.number).sla_due_at == created.created_at + timedelta(hours=5)

    desk.change_status(t.number, Status.RESOLVED, resolution="fixed")
    done = stored(t.number)
    assert (done.sla_rest, done.sla_due_at, done.sla_breach_at) == (Badge.MET.value, None, None)


def test_a_changed_sla_setup_makes_marks_stale_until_the_sweep_marks_them_again(
    desk, db, setup, new_ticket, clock
):
    worker = _worker(desk, db, clock)
    t = new_ticket(priority=Priority.MEDIUM)
    worker.run_sla_sweep()
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
    desk.edit_client("Acme", vip=True)  # nothing the clocks read
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
    desk.set_target("Standard", Priority.MEDIUM, response_minutes=5, resolution_minutes=480)
    with db.read() as s:
        assert not clock_writes.marks_are_current(s)
    later = clock() + timedelta(minutes=6)
    breached = TicketFilter(sla=(Badge.BREACHED,))
    # Stale marks are not read: the list computes the clocks.
    assert [r.number for r in queries.list_tickets(db, breached, now=later)] == [t.number]
    worker.run_sla_sweep()
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
    assert [r.number for r in queries.list_tickets(db, breached, now=later)] == [t.number]


@pytest.mark.empty_database
def test_a_migrated_desk_is_marked_by_its_first_sweep(db_path):
    from alembic import command

    from regentra_core.identity import Actor
    from regentra_core.store.migrate import alembic_config

    db = Database(db_path)
    config = alembic_config()
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0020")
    with db.write_engine.begin() as conn:
        for number, created in ((1001, "09:00"), (1002, "10:05"), (1003, "10:40")):
            conn.execute(
                text(
                    "INSERT INTO ticket (number, subject, description, status, priority, "
                    "channel, is_master, version, created_at, updated_at, response_breached, "
                    "resolution_breached) VALUES (:n, 's', 'd', 'open', 'medium', 'email', "
                    "FALSE, 1, :at, :at, FALSE, FALSE)"
                ),
                {"n": number, "at": f"2026-03-02 {created}:00"},
            )
    upgrade(db)
    now = datetime(2026, 3, 2, 10, 55, tzinfo=UTC)
    system = Desk(db, Actor.system("test"), source="test", clock=lambda: now)
    system.add_calendar("24x7", always_open=True)
    system.add_policy("Standard", calendar="24x7", default=True)
    system.set_target("Standard", Priority.MEDIUM, response_minutes=60, resolution_minutes=480)
    with db.read() as s:
        assert not clock_writes.marks_are_current(s)
        unmarked = text("SELECT count(*) FROM ticket WHERE sla_rest IS NULL")
        assert s.connection().execute(unmarked).scalar() == 3
    # Until the first sweep, the list computes the clocks.
    breached = TicketFilter(sla=(Badge.BREACHED,))
    assert [r.number for r in queries.list_tickets(db, breached, now=now)] == [1001]
    Desk(db, Actor.system("sla"), source="worker", clock=lambda: now).run_sla_sweep()
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
        assert s.connection().execute(unmarked).scalar() == 0
    for badge, numbers in (
        (Badge.BREACHED, [1001]),
        (Badge.AT_RISK, [1002]),
        (Badge.ON_TRACK, [1003]),
    ):
        rows = queries.list_tickets(db, TicketFilter(sla=(badge,)), now=now)
        assert [r.number for r in rows] == numbers
    db.close()


def test_the_sweep_loads_only_the_tickets_whose_marks_are_due(
    desk, db, setup, new_ticket, clock, monkeypatch
):
    worker = _worker(desk, db, clock)
    urgent = new_ticket(priority=Priority.CRITICAL)
    calm = [new_ticket(priority=Priority.LOW) for _ in range(3)]
    worker.run_sla_sweep()
    loaded: list[int] = []
    real = desk_sla.sweep_chunk

    def spy(tx, numbers, sweep):
        loaded.extend(numbers)
        return real(tx, numbers, sweep)

    monkeypatch.setattr(desk_sla, "sweep_chunk", spy)
    clock.advance(minutes=5)
    assert worker.run_sla_sweep().changed == []
    assert loaded == []
    clock.advance(minutes=7)  # 12 of the critical ticket's 15 minutes: At Risk
    report = worker.run_sla_sweep()
    assert loaded == [urgent.number]
    assert report.changed == [(urgent.number, "on_track", "at_risk")]
    assert report.checked == 1 + len(calm)
    loaded.clear()
    assert worker.run_sla_sweep().changed == []
    assert loaded == []


def test_a_stopping_worker_stops_a_first_sweep_between_chunks(
    desk, db, setup, new_ticket, clock, monkeypatch
):
    from regentra_core.desk import sla_sweep_rows

    monkeypatch.setattr(sla_sweep_rows, "REMARK_CHUNK", 2)
    for _ in range(7):
        new_ticket()
    with db.write() as s:
        s.connection().execute(update(Ticket).values(sla_marks_gen=0))
    stop = threading.Event()
    chunks: list[int] = []

    def halted() -> bool:
        chunks.append(1)
        if len(chunks) > 2:
            stop.set()
        return stop.is_set()

    _worker(desk, db, clock).run_sla_sweep(halted=halted)
    with db.read() as s:
        assert not clock_writes.marks_are_current(s)
        marked = s.exec(select(Ticket).where(col(Ticket.sla_marks_gen) > 0)).all()
    assert len(marked) == 4  # two chunks of two, then it stopped
    _worker(desk, db, clock).run_sla_sweep()
    with db.read() as s:
        assert clock_writes.marks_are_current(s)


def test_quitting_during_a_first_sweep_returns_within_one_chunk(
    db, desk, setup, new_ticket, monkeypatch
):
    """The app's embedded worker stops when asked: ``q`` during the first sweep of a
    big desk must not wait for every ticket to be marked."""
    import time

    from regentra_core.worker.runner import WorkerRunner

    for _ in range(5):
        new_ticket()
    with db.write() as s:
        s.connection().execute(update(Ticket).values(sla_marks_gen=0))
    runner = WorkerRunner(
        db,
        lease_seconds=5.0,
        heartbeat_seconds=0.2,
        sla_seconds=3600,
        auto_close_seconds=3600,
        automation_seconds=3600,
    )
    started = threading.Event()
    chunks: list[int] = []
    real = desk_sla.remark_chunk

    def long_chunk(tx, sweep=None):
        chunks.append(1)
        started.set()
        runner.wait(30)  # a chunk that lasts until the worker is asked to stop
        return real(tx, sweep)

    monkeypatch.setattr(desk_sla, "remark_chunk", long_chunk)
    runner.start()
    assert started.wait(30)
    began = time.monotonic()
    runner.stop()
    assert time.monotonic() - began < 5
    assert chunks == [1]


def test_the_sweep_comes_back_for_each_clock_s_breach(desk, db, setup, new_ticket, clock):
    """After the response clock breached (the badge is Breached from then on), the
    sweep must still come back when the resolution clock breaches, to record it."""
    worker = _worker(desk, db, clock)
    t = new_ticket(priority=Priority.CRITICAL)  # 15 min to answer, 120 to resolve

    def flags() -> tuple[str | None, bool, bool]:
        with db.read() as s:
            row = s.exec(select(Ticket).where(Ticket.number == t.number)).one()
            return row.sla_badge, row.response_breached, row.resolution_breached

    steps = [
        (12, ("at_risk", False, False)),
        (4, ("breached", True, False)),
        (80, ("breached", True, False)),
        (25, ("breached", True, True)),
    ]
    for minutes, expected in steps:
        clock.advance(minutes=minutes)
        worker.run_sla_sweep()
        assert flags() == expected, minutes
    with db.read() as s:
        row = s.exec(select(Ticket).where(Ticket.number == t.number)).one()
    assert row.sla_sweep_at is None  # nothing is left to record


def _ticket_rows(db: Database) -> dict[int, dict[str, object]]:
    table = Ticket.__table__  # type: ignore[attr-defined]
    with db.read() as s:
        rows = s.connection().execute(select(table)).mappings().all()
    return {row["id"]: dict(row) for row in rows}


def _events_after(db: Database, last: int) -> list[tuple[object, ...]]:
    from regentra_core.store.models import Event

    with db.read() as s:
        rows = s.exec(
            select(Event, Ticket.number)
            .join(Ticket, col(Ticket.id) == col(Event.ticket_id), isouter=True)
            .where(col(Event.id) > last)
        ).all()
    return sorted(
        (
            (number or 0, e.kind, e.from_value, e.to_value, e.detail, e.actor, e.actor_kind),
            (e.source, e.at),
        )
        for e, number in rows
    )


def _last_event(db: Database) -> int:
    from sqlalchemy import func

    from regentra_core.store.models import Event

    with db.read() as s:
        return int(s.connection().execute(select(func.max(Event.id))).scalar() or 0)


def _restore(db: Database, rows: dict[int, dict[str, object]], last: int) -> None:
    from sqlalchemy import bindparam, delete

    from regentra_core.store.models import Event

    table = Ticket.__table__  # type: ignore[attr-defined]
    names = [c.name for c in table.columns if c.name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in names})
    )
    with db.write() as s:
        conn = s.connection()
        conn.execute(delete(Event).where(col(Event.id) > last))
        conn.execute(
            statement,
            [{"b_id": i, **{f"b_{n}": row[n] for n in names}} for i, row in rows.items()],
        )


def test_the_bulk_sweep_records_what_the_per_ticket_sweep_records(
    desk, db, varied, clock, monkeypatch
):
    """The set-based sweep (plain rows, bulk UPDATEs) against the per-ticket one
    (every ticket under an SLA through the ORM), from the same desk at each moment:
    the same ticket rows (badges, breach flags, marks, next sweep, status) and the
    same Events, on the first sweep of a migrated desk and on the steady ones after,
    with one policy that moves flagged tickets to Escalated."""
    from regentra_core.desk import sla_sweep_rows

    desk.set_policy("Office", escalate_status=True)
    worker = _worker(desk, db, clock)
    with db.write() as s:  # as a migrated desk: unmarked, nothing recorded
        s.connection().execute(update(Ticket).values(sla_marks_gen=0, sla_badge=None))
    changed = escalated = 0
    for now in _moments(clock):
        before, last = _ticket_rows(db), _last_event(db)
        with monkeypatch.context() as m:
            m.setattr(sla_sweep_rows._Chunk, "_needs_orm", lambda *_: True)
            by_orm = worker.run_sla_sweep(now)
        rows_by_orm, events_by_orm = _ticket_rows(db), _events_after(db, last)
        _restore(db, before, last)
        assert _ticket_rows(db) == before
        in_bulk = worker.run_sla_sweep(now)
        assert _ticket_rows(db) == rows_by_orm, now
        assert _events_after(db, last) == events_by_orm, now
        assert sorted(in_bulk.changed) == sorted(by_orm.changed)
        assert sorted(in_bulk.flagged) == sorted(by_orm.flagged)
        assert in_bulk.escalated == by_orm.escalated
        assert in_bulk.checked == by_orm.checked
        changed += len(in_bulk.changed)
        escalated += len(in_bulk.escalated)
    assert changed >= len(varied)  # the moments saw badges change
    assert escalated  # and the per-ticket path ran beside the bulk one


def test_a_bulk_sweep_stopped_between_chunks_has_recorded_only_what_it_marked(
    desk, db, varied, clock, monkeypatch
):
    """A stop between chunks of a first sweep leaves each ticket either marked with
    its badge recorded (and its Events written) or untouched; the next sweep does
    the rest, ending where an uninterrupted sweep would."""
    from regentra_core.desk import sla_sweep_rows

    monkeypatch.setattr(sla_sweep_rows, "REMARK_CHUNK", 3)
    with db.write() as s:
        s.connection().execute(update(Ticket).values(sla_marks_gen=0, sla_badge=None))
    last = _last_event(db)
    asked: list[int] = []

    def halted() -> bool:
        asked.append(1)
        return len(asked) > 2

    now = clock() + timedelta(hours=2)
    _worker(desk, db, clock).run_sla_sweep(now, halted=halted)
    rows = _ticket_rows(db)
    marked = {r["number"] for r in rows.values() if r["sla_marks_gen"]}
    assert len(marked) == 6  # two chunks of three, then it stopped
    events = _events_after(db, last)
    assert events and {e[0][0] for e in events} - {0} <= marked
    recorded = {r["number"] for r in rows.values() if r["sla_badge"] is not None}
    assert recorded <= marked
    _worker(desk, db, clock).run_sla_sweep(now)
    states = _computed(db, now)
    with db.read() as s:
        assert clock_writes.marks_are_current(s)
        for t in s.exec(select(Ticket)).all():
            state = states[t.number]
            want = state.badge.value if state is not None else None  # type: ignore[attr-defined]
            assert (t.sla_badge or "on_track") == (want or "on_track"), t.number


def test_a_first_sweep_computes_a_stopped_ticket_s_clocks_once(
    desk, db, varied, clock, monkeypatch
):
    """A done ticket whose clocks stopped before the sweep's instant reads the same
    then as when its marks are made: the sweep takes the marks' computation instead
    of computing the clocks a second time (most of a first sweep's tickets)."""
    from regentra_core.sla_marks import still_since

    with db.write() as s:
        s.connection().execute(update(Ticket).values(sla_marks_gen=0, sla_badge=None))
    now = clock() + timedelta(hours=2)
    with db.read() as s:
        stopped = {
            t.number
            for t in s.exec(select(Ticket)).all()
            if (since := still_since(inputs_of(t))) is not None and since <= clock()
        }
    assert stopped  # the varied desk has resolved and closed tickets
    asked: list[int] = []
    real = SlaBook.state

    def spy(self, ticket, at, **kwargs):
        if at == now:
            asked.append(ticket.created_at)
        return real(self, ticket, at, **kwargs)

    monkeypatch.setattr(SlaBook, "state", spy)
    report = _worker(desk, db, clock).run_sla_sweep(now)
    monkeypatch.undo()
    with db.read() as s:
        numbers = {t.created_at: t.number for t in s.exec(select(Ticket)).all()}
    assert stopped & {n for n, _, _ in report.changed}  # they were swept
    assert not stopped & {numbers.get(i) for i in asked}
