"""Reports: figures equal hand-computed values on a fixed fixture."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from regentra_core import reports
from regentra_core.desk import Desk
from regentra_core.enums import Channel, Priority, Status
from regentra_core.errors import NotFoundError, ValidationError
from regentra_core.reports import Period
from tests.conftest import NO_SPIKE, T0

WEEK = Period(T0.date(), T0.date() + timedelta(days=6))


@pytest.fixture
def desk_config():
    """Many tickets at once here are a test's setting, not a spike."""
    return NO_SPIKE


@pytest.fixture
def fixture_desk(db, desk, clients, clock, bob):
    """Monday 09:00: a 24x7 policy (MEDIUM: respond 60 min, resolve 480 min) and:

    #1001 Acme email MEDIUM, answered after 30 min, resolved after 2 h   -> met, met
    #1002 Acme sms   MEDIUM, answered after 90 min, open past 8 h         -> breached, breached
    #1003 Bigwig portal HIGH (VIP), no answer                            -> breached, breached
    #1004 Acme email LOW, created Tuesday, untouched                      -> pending, pending
    Time: alice 30 billable + 15 non-billable on #1001; bob 45 billable on #1003.
    """
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    for p, (resp, res) in {
        Priority.LOW: (240, 1440),
        Priority.MEDIUM: (60, 480),
        Priority.HIGH: (30, 240),
        Priority.CRITICAL: (15, 120),
    }.items():
        desk.set_target("Standard", p, response_minutes=resp, resolution_minutes=res)

    def make(subject, channel, client, priority, **contact):
        return desk.create_ticket(
            subject=subject,
            description="",
            priority=priority,
            channel=channel,
            client_name=client,
            **contact,
        ).number

    a = make("One", Channel.EMAIL, "Acme", Priority.MEDIUM, contact_email="sam@acme.example")
    b = make("Two", Channel.SMS, "Acme", Priority.MEDIUM, contact_phone="+15550001111")
    c = make("Three", Channel.PORTAL, "Bigwig", Priority.MEDIUM, contact_email="ceo@big.example")
    clock.advance(minutes=30)
    desk.add_technician_reply(a, "on it")
    desk.log_time(a, 30, work_date=T0.date())
    desk.log_time(a, 15, billable=False, work_date=T0.date())
    clock.advance(minutes=60)
    desk.add_technician_reply(b, "looking")
    clock.advance(minutes=30)
    desk.change_status(a, Status.RESOLVED, resolution="fixed")
    Desk(db, bob, source="test", clock=clock).log_time(c, 45, work_date=T0.date() + timedelta(1))
    clock.advance(days=1)
    make("Four", Channel.EMAIL, "Acme", Priority.LOW, contact_email="sam@acme.example")
    clock.advance(hours=1)
    return db


def test_sla_report_counts_met_breached_and_pending(fixture_desk, clock):
    report = reports.build(fixture_desk, "sla", WEEK, now=clock.now)
    rows = {(r["by"], r["group"]): r for r in report.records()}
    medium = rows[("priority", "Medium")]
    assert (medium["response_met"], medium["response_breached"], medium["response_pending"]) == (
        1,
        1,
        0,
    )
    assert (medium["resolution_met"], medium["resolution_breached"]) == (1, 1)
    assert medium["response_met_pct"] == 50.0
    high = rows[("priority", "High")]  # the VIP ticket, raised by policy
    assert (high["response_breached"], high["resolution_breached"]) == (1, 1)
    acme = rows[("client", "Acme")]
    assert (acme["response_met"], acme["response_breached"], acme["response_pending"]) == (1, 1, 1)
    assert rows[("week of", "2026-03-02")]["response_breached"] == 2


def test_time_report_is_the_invoice_basis(fixture_desk):
    report = reports.build(fixture_desk, "time", WEEK)
    assert report.rows == [
        ["Acme", "alice", 30, 15, 45],
        ["Bigwig", "bob", 45, 0, 45],
        ["(total)", "", 75, 15, 90],
    ]
    assert report.series["billable"][:2] == [30, 45]
    only_acme = reports.build(fixture_desk, "time", WEEK, client="Acme")
    assert only_acme.rows[0] == ["Acme", "alice", 30, 15, 45]


def test_volume_report_by_channel_and_status(fixture_desk):
    report = reports.build(fixture_desk, "volume", WEEK)
    rows = {(r["by"], r["group"]): r["tickets"] for r in report.records()}
    assert (rows[("channel", "Email")], rows[("channel", "SMS")], rows[("channel", "Portal")]) == (
        2,
        1,
        1,
    )
    assert (rows[("status", "Open")], rows[("status", "Resolved")]) == (3, 1)
    assert rows[("total", "")] == 4
    assert report.series["Email"][:2] == [1, 1]
    monday_only = reports.build(fixture_desk, "volume", Period(T0.date(), T0.date()))
    assert {(r["by"], r["group"]): r["tickets"] for r in monday_only.records()}[("total", "")] == 3


def test_backlog_report_by_age_and_priority(fixture_desk, clock):
    report = reports.build(fixture_desk, "backlog", WEEK, now=clock.now)
    rows = {r["age"]: r for r in report.records()}
    assert (rows["< 1 day"]["low"], rows["< 1 day"]["total"]) == (1, 1)
    assert (rows["1-3 days"]["medium"], rows["1-3 days"]["high"]) == (1, 1)
    assert rows["(total)"]["total"] == 3


def test_csv_reads_back_with_the_stdlib(fixture_desk):
    report = reports.build(fixture_desk, "time", WEEK)
    out = io.StringIO()
    csv.writer(out).writerows(reports.as_csv_rows(report))
    back = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert back[0] == {
        "client": "Acme",
        "technician": "alice",
        "billable_minutes": "30",
        "non_billable_minutes": "15",
        "total_minutes": "45",
    }


def test_bad_periods_and_clients_are_refused(db):
    with pytest.raises(ValidationError, match="ends"):
        Period(date(2026, 3, 5), date(2026, 3, 1))
    with pytest.raises(NotFoundError, match="no client"):
        reports.build(db, "time", WEEK, client="Nobody")
