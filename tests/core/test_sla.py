"""SLA clocks and badges: pure rules, then through the Desk and the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regentra_core import queries, sla
from regentra_core.calendar import BusinessCalendar, parse_hours
from regentra_core.desk import Desk
from regentra_core.enums import Priority, Status
from regentra_core.errors import PermissionDenied, ValidationError
from regentra_core.identity import Actor
from regentra_core.sla import Badge, Policy, Targets, clock_badge
from regentra_core.ticket_records import sla_key
from tests.conftest import T0
from tests.core.test_calendar import calendars, instants

HOUR = 3600.0
TWENTY_FOUR_SEVEN = BusinessCalendar.twenty_four_seven()


# -- badges at their edges ------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "stopped", "badge"),
    [
        (0, False, Badge.ON_TRACK),
        (74.999, False, Badge.ON_TRACK),
        (75, False, Badge.AT_RISK),
        (100, False, Badge.AT_RISK),
        (100.001, False, Badge.BREACHED),
        (100, True, Badge.MET),
        (100.001, True, Badge.BREACHED),
    ],
)
def test_badge_thresholds_at_their_edges(elapsed, stopped, badge):
    assert clock_badge(elapsed, 100, stopped=stopped, share=0.75) == badge


def test_a_recorded_breach_stays_breached():
    assert clock_badge(1, 100, stopped=True, share=0.75, breached=True) == Badge.BREACHED


_WORSE = [Badge.ON_TRACK, Badge.AT_RISK, Badge.BREACHED]


@settings(max_examples=300)
@given(
    st.lists(st.floats(0, 1e7, allow_nan=False), min_size=2, max_size=8),
    st.floats(1, 1e7, allow_nan=False),
    st.floats(0.01, 0.99),
)
def test_a_running_clock_only_gets_worse_as_time_passes(moments, target, share):
    """Whatever the target and the at-risk share: later never looks better, the
    first badge of a fresh clock is On Track, and past the target is Breached."""
    badges = [clock_badge(t, target, stopped=False, share=share) for t in sorted(moments)]
    ranks = [_WORSE.index(b) for b in badges]
    assert ranks == sorted(ranks)
    assert clock_badge(0, target, stopped=False, share=share) == Badge.ON_TRACK
    assert clock_badge(target * 1.01 + 1, target, stopped=False, share=share) == Badge.BREACHED


@settings(max_examples=200)
@given(st.floats(0, 1e7, allow_nan=False), st.floats(1, 1e7, allow_nan=False))
def test_a_stopped_clock_is_met_or_breached_never_at_risk(elapsed, target):
    badge = clock_badge(elapsed, target, stopped=True, share=0.75)
    assert badge in (Badge.MET, Badge.BREACHED)
    assert (badge == Badge.BREACHED) == (elapsed > target)


# -- clocks as pure functions ------------------------------------------------------------


@st.composite
def pauses_after(draw, start: datetime):
    """Ordered, non-overlapping pauses after ``start``; the last may be open."""
    result = []
    cursor = start
    for _ in range(draw(st.integers(0, 4))):
        begin = cursor + timedelta(minutes=draw(st.integers(1, 5000)))
        if draw(st.integers(0, 5)) == 0:
            result.append((begin, None))
            break
        end = begin + timedelta(minutes=draw(st.integers(1, 5000)))
        result.append((begin, end))
        cursor = end
    return result


@settings(max_examples=150, deadline=None)
@given(st.data(), calendars(), instants)
def test_elapsed_is_monotone_never_negative_and_pauses_never_count(data, cal, created):
    pauses = data.draw(pauses_after(created))
    nows = sorted(data.draw(st.lists(st.integers(-100, 40_000), min_size=2, max_size=6)))
    values = [
        sla.running_business_seconds(cal, created, pauses, created + timedelta(minutes=m))
        for m in nows
    ]
    assert all(v >= 0 for v in values)
    assert values == sorted(values)
    # Inside a pause the clock does not move.
    for begin, end in pauses:
        stop = end or begin + timedelta(days=30)
        at_begin = sla.running_business_seconds(cal, created, pauses, begin)
        inside = begin + (stop - begin) / 2
        assert sla.running_business_seconds(cal, created, pauses, inside) == pytest.approx(
            at_begin, abs=1e-3
        )
    # Total = business time minus the business time of each pause.
    now = created + timedelta(days=60)
    paused = sum(cal.business_seconds(b, min(e or now, now)) for b, e in pauses)
    expected = max(cal.business_seconds(created, now) - paused, 0.0)
    assert sla.running_business_seconds(cal, created, pauses, now) == pytest.approx(
        expected, abs=1e-3
    )


@settings(max_examples=100, deadline=None)
@given(st.data(), calendars(), instants, st.integers(1, 20_000))
def test_due_time_is_when_the_running_clock_reaches_its_target(data, cal, created, minutes):
    pauses = [(b, e) for b, e in data.draw(pauses_after(created)) if e is not None]
    due = sla.due_with_pauses(cal, created, minutes * 60, pauses)
    assert due is not None
    assert sla.running_business_seconds(cal, created, pauses, due) == pytest.approx(
        minutes * 60, abs=1e-3
    )


def test_two_waiting_intervals_pause_the_resolution_clock():
    created = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    pauses = [
        (created + timedelta(hours=1), created + timedelta(hours=3)),
        (created + timedelta(hours=4), created + timedelta(hours=10)),
    ]
    now = created + timedelta(hours=12)
    assert sla.running_business_seconds(TWENTY_FOUR_SEVEN, created, pauses, now) == 4 * HOUR


def test_pauses_follow_status_moves_and_can_be_rebuilt_from_history():
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    moves = [
        (t + timedelta(hours=1), Status.OPEN, Status.WAITING_ON_CUSTOMER),
        (t + timedelta(hours=2), Status.WAITING_ON_CUSTOMER, Status.IN_PROGRESS),
        (t + timedelta(hours=3), Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER),
        (t + timedelta(hours=4), Status.WAITING_ON_CUSTOMER, Status.RESOLVED),
        (t + timedelta(hours=5), Status.RESOLVED, Status.IN_PROGRESS),
    ]
    assert sla.pauses_from_history(moves) == [
        (t + timedelta(hours=1), t + timedelta(hours=2)),
        (t + timedelta(hours=3), t + timedelta(hours=5)),
    ]


def test_remaining_time_reads_like_a_person_would_say_it():
    assert sla.format_remaining(2 * HOUR + 600) == "2h 10m left"
    assert sla.format_remaining(45 * 60) == "45m left"
    assert sla.format_remaining(-(27 * HOUR)) == "1d 3h over"


# -- through the Desk --------------------------------------------------------------------


@pytest.fixture
def standard(desk) -> None:
    """A 24x7 default policy: MEDIUM answers in 1 h and resolves in 8 h."""
    desk.add_calendar("24x7", always_open=True)
    desk.add_policy("Standard", calendar="24x7", default=True)
    for p, (resp, res) in {
        Priority.LOW: (240, 1440),
        Priority.MEDIUM: (60, 480),
        Priority.HIGH: (30, 240),
        Priority.CRITICAL: (15, 120),
    }.items():
        desk.set_target("Standard", p, response_minutes=resp, resolution_minutes=res)


def _sla(db, number, now):
    state = queries.get_ticket(db, number, now=now).sla
    assert state is not None
    return state


def test_first_internal_note_does_not_stop_the_response_clock_first_reply_does(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket()
    clock.advance(minutes=10)
    desk.add_note(t.number, "Looking into it")
    state = _sla(db, t.number, clock.advance(minutes=5))
    assert not state.response.stopped and state.response.elapsed_seconds == 15 * 60
    desk.add_technician_reply(t.number, "We are on it")
    state = _sla(db, t.number, clock.advance(hours=5))
    assert state.response.stopped and state.response.badge == Badge.MET
    assert state.response.elapsed_seconds == 15 * 60


def test_system_and_customer_messages_do_not_stop_the_response_clock(
    db, standard, new_ticket, clock
):
    t = new_ticket()
    bot = Desk(db, Actor.system("email"), source="email", clock=clock)
    bot.add_customer_reply(t.number, "any news?")
    assert not _sla(db, t.number, clock.advance(minutes=1)).response.stopped


def test_waiting_intervals_pause_the_resolution_clock_through_the_desk(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket()
    clock.advance(hours=1)
    desk.change_status(t.number, Status.WAITING_ON_CUSTOMER)
    clock.advance(hours=5)
    desk.add_customer_reply(t.number, "photo attached")  # resumes to In Progress
    clock.advance(hours=1)
    desk.change_status(t.number, Status.WAITING_ON_CUSTOMER)
    clock.advance(hours=20)
    state = _sla(db, t.number, clock.now)
    assert state.resolution.paused and state.resolution.due_at is None
    assert state.resolution.elapsed_seconds == 2 * HOUR
    desk.change_status(t.number, Status.IN_PROGRESS)
    state = _sla(db, t.number, clock.advance(hours=1))
    assert state.resolution.elapsed_seconds == 3 * HOUR
    assert state.resolution.due_at == clock.now + timedelta(hours=5)


def test_stored_pauses_match_the_event_history(desk, db, standard, new_ticket, clock):
    t = new_ticket()
    for status, hours in [
        (Status.IN_PROGRESS, 1),
        (Status.WAITING_ON_CUSTOMER, 2),
        (Status.IN_PROGRESS, 3),
        (Status.RESOLVED, 1),
        (Status.IN_PROGRESS, 2),
        (Status.RESOLVED, 1),
    ]:
        clock.advance(hours=hours)
        desk.change_status(t.number, status)
    moves = [
        (e.at, Status(e.from_value), Status(e.to_value))
        for e in queries.ticket_history(db, t.number)
        if e.from_value in set(Status) and e.to_value in set(Status)
    ]
    from sqlmodel import select

    from regentra_core.store.models import Ticket

    with db.read() as s:
        stored = s.exec(select(Ticket).where(Ticket.number == t.number)).one().sla_pauses
    assert sla.load_pauses(stored) == sla.pauses_from_history(moves)


def test_resolving_in_time_is_met_and_late_is_breached(desk, db, standard, new_ticket, clock):
    on_time, late = new_ticket(), new_ticket()
    for n in (on_time.number, late.number):
        desk.add_technician_reply(n, "hi")
    clock.advance(hours=7)
    desk.change_status(on_time.number, Status.RESOLVED)
    clock.advance(hours=2)
    desk.change_status(late.number, Status.RESOLVED)
    later = clock.advance(hours=1)
    assert _sla(db, on_time.number, later).badge == Badge.MET
    assert _sla(db, late.number, later).badge == Badge.BREACHED


def test_a_breach_is_permanent_after_a_late_answer(desk, db, standard, new_ticket, clock):
    t = new_ticket()
    clock.advance(hours=2)  # response target was 1 h
    Desk(db, desk.actor, source="worker", clock=clock).run_sla_sweep()
    desk.add_technician_reply(t.number, "Sorry for the wait")
    state = _sla(db, t.number, clock.advance(minutes=1))
    assert state.response.badge == Badge.BREACHED and state.badge == Badge.BREACHED


def test_priority_change_retargets_from_creation_and_records_it(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket(priority=Priority.MEDIUM)
    clock.advance(minutes=20)
    desk.change_priority(t.number, Priority.CRITICAL)
    state = _sla(db, t.number, clock.now)
    assert state.response.target_seconds == 15 * 60
    assert state.response.badge == Badge.BREACHED
    assert state.response.due_at == T0 + timedelta(minutes=15)
    last = queries.ticket_history(db, t.number)[-1]
    assert "SLA re-targeted" in (last.detail or "")


def test_lowering_priority_after_a_breach_keeps_it_breached(desk, db, standard, new_ticket, clock):
    t = new_ticket(priority=Priority.CRITICAL)
    clock.advance(minutes=20)
    desk.change_priority(t.number, Priority.LOW)
    assert _sla(db, t.number, clock.now).response.badge == Badge.BREACHED


def test_client_policy_overrides_the_default(desk, db, standard, new_ticket, clock):
    desk.add_policy("Tight", calendar="24x7")
    desk.set_target("Tight", Priority.MEDIUM, response_minutes=5, resolution_minutes=60)
    desk.assign_policy("Acme", "Tight")
    t = new_ticket()
    state = _sla(db, t.number, clock.now)
    assert state.policy == "Tight" and state.response.target_seconds == 300
    desk.assign_policy("Acme", None)
    assert _sla(db, t.number, clock.now).policy == "Standard"


def test_master_and_child_keep_their_own_clocks(desk, db, standard, new_ticket, clock):
    master = new_ticket()
    clock.advance(minutes=50)
    child = new_ticket()
    desk.promote(master.number)
    desk.link(master.number, child.number)
    now = clock.advance(minutes=15)
    assert _sla(db, master.number, now).response.badge == Badge.BREACHED
    assert _sla(db, child.number, now).response.badge == Badge.ON_TRACK


def test_sweep_records_each_change_once(desk, db, standard, new_ticket, clock):
    t = new_ticket()
    worker = Desk(db, desk.actor, source="worker", clock=clock)
    # A ticket is born On Track: the first sweep has nothing to record (no write,
    # no event, no reindex for every new ticket).
    assert worker.run_sla_sweep(clock.now).changed == []
    assert worker.run_sla_sweep(clock.now).changed == []
    clock.advance(minutes=50)
    at_risk = worker.run_sla_sweep()
    assert at_risk.changed == [(t.number, "on_track", "at_risk")]
    assert at_risk.flagged == [t.number] and at_risk.escalated == []
    kinds = [e.kind for e in queries.ticket_history(db, t.number)]
    assert kinds.count("sla_badge_changed") == 1 and "sla_escalation_flagged" in kinds
    assert worker.run_sla_sweep().changed == []
    assert queries.get_ticket(db, t.number).status == Status.OPEN


def test_sweep_moves_to_escalated_only_when_the_policy_says_so(
    desk, db, standard, new_ticket, clock
):
    desk.set_policy("Standard", escalate_status=True)
    t = new_ticket()
    clock.advance(hours=2)
    report = Desk(db, desk.actor, source="worker", clock=clock).run_sla_sweep()
    assert report.escalated == [t.number]
    assert queries.get_ticket(db, t.number).status == Status.ESCALATED


def test_sla_list_filter_and_sort(desk, db, standard, new_ticket, clock):
    from regentra_core.queries import SortKey, TicketFilter

    breached = new_ticket(priority=Priority.CRITICAL)
    clock.advance(minutes=20)
    fresh = new_ticket(priority=Priority.LOW)
    rows = queries.list_tickets(db, TicketFilter(sla=(Badge.BREACHED,)), now=clock.now)
    assert [r.number for r in rows] == [breached.number]
    ordered = queries.list_tickets(db, sort=SortKey.SLA, now=clock.now)
    assert [r.number for r in ordered] == [breached.number, fresh.number]


def test_no_policy_means_no_badge(db, new_ticket):
    assert queries.get_ticket(db, new_ticket().number).sla is None


def test_sla_settings_need_a_lead(db, bob, clock):
    with pytest.raises(PermissionDenied):
        Desk(db, bob, source="test", clock=clock).add_calendar("x", always_open=True)


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.2])
def test_at_risk_share_must_be_a_fraction(desk, standard, share):
    with pytest.raises(ValidationError):
        desk.set_policy("Standard", at_risk_share=share)


def test_targets_must_be_positive():
    with pytest.raises(ValidationError):
        Targets(0, 10)
    with pytest.raises(ValidationError):
        Policy("x", TWENTY_FOUR_SEVEN, {}, at_risk_share=1.0)


def test_a_sweep_with_nothing_to_record_touches_no_ticket(desk, db, standard, new_ticket, clock):
    from sqlalchemy import func
    from sqlmodel import select

    from regentra_core.store.models import IndexOutbox

    t = new_ticket()
    worker = Desk(db, desk.actor, source="worker", clock=clock)
    worker.run_sla_sweep()
    with db.read() as s:
        queued = s.exec(select(func.count()).select_from(IndexOutbox)).one()
    version = queries.get_ticket(db, t.number).version
    again = worker.run_sla_sweep()
    assert again.checked == 1 and again.changed == []
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(IndexOutbox)).one() == queued
    assert queries.get_ticket(db, t.number).version == version


def _count(db, model) -> int:
    from sqlalchemy import func
    from sqlmodel import select

    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_a_sweep_that_changes_nothing_writes_no_event(desk, db, standard, new_ticket, clock):
    # Every open app reloads its board when it sees a new event: a sweep a minute
    # that wrote one regardless reloaded every board once a minute.
    from regentra_core.store.models import Event

    new_ticket()
    worker = Desk(db, desk.actor, source="worker", clock=clock)
    worker.run_sla_sweep()
    before = _count(db, Event)
    clock.advance(minutes=5)
    assert worker.run_sla_sweep().changed == []
    assert _count(db, Event) == before


def test_a_badge_change_queues_no_index_work(desk, db, standard, new_ticket, clock):
    # The badge is not in the search document; re-indexing every open ticket at the
    # first sweep of a big desk took ten minutes and doubled the index.
    from regentra_core.store.models import IndexOutbox

    t = new_ticket(priority=Priority.HIGH)  # HIGH: the flag raises nothing further
    worker = Desk(db, desk.actor, source="worker", clock=clock)
    queued = _count(db, IndexOutbox)
    clock.advance(minutes=25)
    report = worker.run_sla_sweep()
    assert report.changed == [(t.number, "on_track", "at_risk")]
    clock.advance(minutes=10)
    assert worker.run_sla_sweep().changed == [(t.number, "at_risk", "breached")]
    assert _count(db, IndexOutbox) == queued


def test_the_words_never_contradict_the_badge():
    from regentra_core.sla import Badge, ClockState, SlaState, describe

    def clock(badge, target, elapsed, *, stopped=False, paused=False):
        return ClockState(badge, target * 60, elapsed * 60, None, stopped, paused)

    # response breached (stopped late), resolution still running with time left
    late_reply = SlaState(
        "Standard",
        clock(Badge.BREACHED, 60, 90, stopped=True),
        clock(Badge.ON_TRACK, 960, 180),
    )
    assert late_reply.badge == Badge.BREACHED and describe(late_reply) == "(response)"
    overdue = SlaState(
        "Standard", clock(Badge.MET, 60, 10, stopped=True), clock(Badge.BREACHED, 480, 670)
    )
    assert describe(overdue) == "3h 10m ago (resolution)"
    running = SlaState("Standard", clock(Badge.ON_TRACK, 60, 10), clock(Badge.ON_TRACK, 960, 10))
    assert describe(running) == "50m left (response)"
    met = SlaState(
        "Standard", clock(Badge.MET, 60, 5, stopped=True), clock(Badge.MET, 960, 100, stopped=True)
    )
    assert describe(met) == ""
    waiting = SlaState(
        "Standard",
        clock(Badge.MET, 60, 5, stopped=True),
        clock(Badge.ON_TRACK, 960, 100, paused=True),
    )
    assert describe(waiting) == "paused (resolution)"


def test_resolving_without_a_reply_holds_the_response_clock_unmet(
    desk, db, standard, new_ticket, clock
):
    t = new_ticket()
    clock.advance(minutes=20)
    desk.change_status(t.number, Status.IN_PROGRESS)
    desk.change_status(t.number, Status.RESOLVED, resolution="Fixed on site")
    stopped = _sla(db, t.number, clock.now)
    clock.advance(minutes=600)
    later = _sla(db, t.number, clock.now)
    assert later.response.stopped and later.response.badge == Badge.NO_REPLY
    assert later.response.elapsed_seconds == stopped.response.elapsed_seconds


def test_the_sla_order_reads_in_its_own_words_across_calendars():
    # Lists order by the instant a clock is due (wall-clock, so calendars compare);
    # the words beside the badge must say that same span. An office-hours ticket
    # due at Monday 16:00 and still open at Tuesday 08:00 is 16 hours late, not
    # the business minutes since (none); a round-the-clock ticket due at 23:00 is 9.
    office = BusinessCalendar(week=parse_hours("mon-fri 09:00-17:00"), name="office")
    targets = {p: Targets(response_minutes=60, resolution_minutes=420) for p in Priority}
    office_policy = Policy("Office", office, targets)
    always = Policy("Always", TWENTY_FOUR_SEVEN, targets)
    monday = datetime(2026, 3, 2, tzinfo=UTC)
    now = monday + timedelta(days=1, hours=8)

    def state(policy: Policy, created: datetime) -> sla.SlaState:
        return sla.compute(
            policy=policy,
            priority=Priority.HIGH,
            status=Status.IN_PROGRESS,
            created_at=created,
            first_response_at=created + timedelta(minutes=5),
            pauses=[],
            now=now,
        )

    office_late = state(office_policy, monday + timedelta(hours=9))  # due Mon 16:00
    always_late = state(always, monday + timedelta(hours=16))  # due Mon 23:00
    assert office_late.badge == always_late.badge == Badge.BREACHED
    assert sla.describe(office_late, named=False) == "16h 00m ago"
    assert sla.describe(always_late, named=False) == "9h 00m ago"
    order = sorted([always_late, office_late], key=sla_key)
    assert order == [office_late, always_late]  # later words never above earlier ones

    soon = state(always, now - timedelta(hours=5))  # due in 2 hours
    assert sla.describe(soon) == "2h 00m left (resolution)"
    assert sla.wall_remaining(soon.resolution) == 2 * HOUR
