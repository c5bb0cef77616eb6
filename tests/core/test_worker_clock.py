"""One clock: a worker whose clock disagrees with the database's runs nothing.

A second worker on a host whose clock was a day ahead made the lease change hands
every few seconds, both workers ran jobs, a ticket was auto-closed a day early and
tickets were flagged Breached with Events dated tomorrow. These run on SQLite and,
in the PostgreSQL pass, on PostgreSQL (the database's clock is read from each).
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import col, select

from regentra_core import queries
from regentra_core.clock import utcnow
from regentra_core.config import load_settings
from regentra_core.desk import Desk
from regentra_core.doctor import examine
from regentra_core.enums import Channel, Priority, Status
from regentra_core.store.models import Event, Ticket
from regentra_core.worker import Job, WorkerRunner, current_lease
from tests.conftest import FakeClock
from tests.helpers.waiting import wait_for

DAY = timedelta(days=1)


def test_the_database_clock_is_the_servers_not_the_process(db):
    """SQLite's 'now' comes from the OS; PostgreSQL's from the server: both agree
    with the real time here, whatever clock a process was handed."""
    assert abs(db.server_now() - utcnow()) < timedelta(seconds=5)


def _runner(db, label: str, clock, ran: list[str], **kw) -> WorkerRunner:
    lock = threading.Lock()

    def probe() -> str:
        with lock:
            ran.append(label)
        return "ok"

    options = dict(
        lease_seconds=1.0,
        heartbeat_seconds=0.2,
        sla_seconds=0.2,
        auto_close_seconds=0.2,
        automation_seconds=3600,
        clock=clock,
        label=label,
        extra_jobs=(Job("probe", 0.1, probe),),
    )
    options.update(kw)
    return WorkerRunner(db, **options)


def _lease_events(db) -> list[Event]:
    with db.read() as s:
        return list(
            s.exec(
                select(Event).where(col(Event.kind).startswith("worker_lease")).order_by(Event.id)
            ).all()
        )


def _sla_desk(db, alice, clients) -> tuple[int, int]:
    """A ticket resolved 23 h ago (auto-closes in an hour) and a fresh HIGH ticket
    with a 30-minute response target: a clock a day ahead closes the first and
    breaches the second."""
    clock = FakeClock(utcnow() - timedelta(hours=25))
    desk = Desk(db, alice, source="test", clock=clock)
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    for priority in Priority:
        desk.set_target("Standard", priority, response_minutes=30, resolution_minutes=240)
    resolved = desk.create_ticket(
        subject="Printer offline",
        description="Floor 2",
        priority=Priority.MEDIUM,
        channel=Channel.EMAIL,
        contact_email="sam@acme.example",
        client_name="Acme",
    )
    clock.advance(hours=2)
    desk.change_status(resolved.number, Status.RESOLVED)
    clock.now = utcnow()
    fresh = desk.create_ticket(
        subject="Server down",
        description="All of it",
        priority=Priority.HIGH,
        channel=Channel.EMAIL,
        contact_email="sam@acme.example",
        client_name="Acme",
    )
    return resolved.number, fresh.number


@pytest.mark.parametrize("skew", [DAY, -DAY], ids=["a-day-ahead", "a-day-behind"])
def test_a_worker_whose_clock_is_a_day_off_never_holds_the_lease_nor_runs_a_job(
    db, alice, clients, skew
):
    resolved, fresh = _sla_desk(db, alice, clients)
    ran: list[str] = []
    skewed = _runner(db, "skewed", lambda: utcnow() + skew, ran)
    good = _runner(db, "good", utcnow, ran)
    skewed.start()  # first, with the lease free: it must still not take it
    try:
        assert wait_for(lambda: skewed.health.last_heartbeat is not None, 20)
        good.start()
        try:
            assert wait_for(
                lambda: (
                    ran.count("good") >= 10
                    and "auto-close" in good.health.last_results
                    and "sla-sweep" in good.health.last_results
                ),
                30,
            )
            beats = skewed.health.last_heartbeat
            assert wait_for(lambda: skewed.health.last_heartbeat != beats, 20)
        finally:
            good.stop()
    finally:
        skewed.stop()
    assert "skewed" not in ran
    assert not any("skewed" in (e.to_value or "") for e in _lease_events(db))
    # Nothing dated from the skewed clock: no auto-close a day early, no breach
    # flagged for tomorrow, no Event in the future.
    assert queries.get_ticket(db, resolved).status == Status.RESOLVED
    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == fresh)).one()
        assert not ticket.response_breached and not ticket.resolution_breached
        future = s.exec(select(Event).where(Event.at > utcnow() + timedelta(minutes=1))).all()
    assert future == []
    direction = "ahead of" if skew > timedelta(0) else "behind"
    assert f"24 h {direction} the database's" in skewed.health.refusing
    assert "runs no jobs" in skewed.health.refusing


def test_a_holder_whose_clock_jumps_ahead_hands_the_lease_back_before_its_next_job(db, tmp_path):
    """The check before each job catches a clock stepped between two heartbeats; the
    log says why the worker stopped, once."""
    from regentra_core.worker.logs import close_worker_logging, configure_worker_logging

    log_file = configure_worker_logging(tmp_path, also_stderr=False)
    offset = [timedelta(0)]
    ran: list[str] = []
    worker = _runner(
        db, "jumpy", lambda: utcnow() + offset[0], ran, heartbeat_seconds=60, lease_seconds=120
    )
    worker.start()
    try:
        assert wait_for(lambda: ran.count("jumpy") >= 2, 20)
        offset[0] = DAY
        count = len(ran)
        assert wait_for(lambda: not current_lease(db).alive(utcnow()), 20)  # handed back at once
        assert len(ran) <= count + 1  # at most the run already under way
    finally:
        worker.stop()
        close_worker_logging()
    assert not worker.health.holding
    # A step between the two local reads around the database's is caught halfway
    # (12 h of the day), which still stops the worker: the size is not the point.
    assert re.search(r"(12|24) h ahead of the database's", worker.health.refusing)
    logged = log_file.read_text()
    assert len(re.findall(r"h ahead of the database's", logged)) == 1, logged
    assert "runs no jobs until the clock is fixed" in logged


def test_doctor_says_this_hosts_clock_is_off_and_ages_the_lease_by_the_database(db_path, db):
    """Run on a host a day ahead, doctor said "last heartbeat 23 h ago"."""
    from regentra_core.worker.lease import acquire_or_renew, holder_id

    assert acquire_or_renew(db, holder_id("worker"), 15)  # by the database's clock
    exam = examine(load_settings(), db_path, utcnow() + DAY)
    problems = [f.problem for f in exam.findings]
    assert any("clock is 24 h ahead of the database's" in p for p in problems), problems
    worker = dict(exam.facts)["worker"]
    assert "last heartbeat 0 s ago" in worker or "last heartbeat 1 s ago" in worker, worker
    assert not any("no worker holds the lease" in p for p in problems), problems
