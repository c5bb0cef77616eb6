"""The Desk: one transaction and at least one Event per call; bad input loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from regentra_core import queries
from regentra_core.ai.analysis import Analysis
from regentra_core.automation import Rule, dump_rules, rule_from
from regentra_core.channels import Inbound
from regentra_core.channels.mail import parse_mail
from regentra_core.desk import Desk
from regentra_core.desk.use_case import at_door, in_transaction
from regentra_core.enums import Channel, EscalationReason, Priority, Role, Status
from regentra_core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from regentra_core.queries import TicketFilter
from regentra_core.store.models import Event, OutboundMessage, Ticket
from tests.conftest import T0, with_config


def _event_count(db) -> int:
    with db.read() as s:
        return s.exec(select(func.count()).select_from(Event)).one()


@pytest.fixture
def ready(desk, new_ticket, bob):
    """Two tickets, one a master, for every Desk call to act on."""
    master = new_ticket(subject="Master")
    child = new_ticket(subject="Child")
    other = new_ticket(subject="Other")
    desk.promote(master.number)
    return master.number, child.number, other.number


def _queued(d: Desk, t: tuple[int, int, int]) -> int:
    """The outbound message of a technician reply on an email ticket (made once)."""
    with d.db.read() as s:
        found = s.exec(select(OutboundMessage.id)).first()
    if found is None:
        d.add_technician_reply(t[2], "on its way")
        with d.db.read() as s:
            found = s.exec(select(OutboundMessage.id)).one()
    return found


def _draft(d: Desk, t: tuple[int, int, int]) -> int:
    row = d.record_draft(t[2], "Hi", source="extractive", articles=[], confidence=0.2)
    assert row.id is not None
    return row.id


def _attached(d: Desk, t: tuple[int, int, int]) -> object:
    """A file added to a ticket's opening message, kept in the desk's folder."""
    from regentra_core.config import load_settings
    from regentra_core.desk import Upload

    d = with_config(d, shelf=load_settings().desk_config().shelf)
    return d.attach_files(t[2], [Upload("notes.txt", b"notes")])


DESK_CALLS: dict[str, Callable[[Desk, tuple[int, int, int]], object]] = {
    "create_ticket": lambda d, t: d.create_ticket(
        subject="New",
        description="",
        priority=Priority.LOW,
        channel=Channel.SMS,
        contact_phone="+15550001111",
    ),
    "add_customer_reply": lambda d, t: d.add_customer_reply(t[2], "thanks"),
    "receive_many": lambda d, t: d.receive_many(
        [(Inbound(Channel.EMAIL, "<m2@x.example>", "b@x.example", T0, subject="Yo"), None)]
    ),
    "receive": lambda d, t: d.receive(
        Inbound(Channel.EMAIL, "<m1@x.example>", "new@x.example", T0, subject="Hi", body="x")
    ),
    "add_technician_reply": lambda d, t: d.add_technician_reply(t[2], "on it"),
    "start_delivery": lambda d, t: d.start_delivery(_queued(d, t)),
    "finish_delivery": lambda d, t: (
        d.start_delivery(_queued(d, t)),
        d.finish_delivery(_queued(d, t), error="421 try later"),
    ),
    "add_note": lambda d, t: d.add_note(t[2], "private"),
    "attach_files": _attached,
    "change_cc": lambda d, t: d.change_cc(t[0], add=["pat@acme.example"]),
    "add_client": lambda d, t: d.add_client("Initech", domains=["initech.example"]),
    "edit_client": lambda d, t: d.edit_client("Acme", domains=["acme.example"]),
    "add_contact": lambda d, t: d.add_contact("Kim", phone="+15550100777", client="Acme"),
    "edit_contact": lambda d, t: d.edit_contact("sam@acme.example", phone="+15550100778"),
    "merge_contacts": lambda d, t: d.merge_contacts(
        f"#{d.add_contact('Kim', email='kim@acme.example').id}", "sam@acme.example"
    ),
    "log_time": lambda d, t: d.log_time(t[2], 15),
    "edit_time": lambda d, t: d.edit_time(d.log_time(t[2], 15).id, minutes=30),
    "remove_time": lambda d, t: d.remove_time(d.log_time(t[2], 15).id),
    "change_status": lambda d, t: d.change_status(t[2], Status.IN_PROGRESS),
    "reopen": lambda d, t: (d.change_status(t[2], Status.RESOLVED), d.reopen(t[2])),
    "change_priority": lambda d, t: d.change_priority(t[2], Priority.CRITICAL),
    "escalate_priority": lambda d, t: d.escalate_priority(t[2], EscalationReason.TICKET_SPIKE),
    "record_analysis": lambda d, t: d.record_analysis(
        t[2], Analysis(Priority.HIGH, True, False, 0.8, "phishing", "rules")
    ),
    "record_draft": lambda d, t: d.record_draft(
        t[2], "Hi", source="extractive", articles=[], confidence=0.2
    ),
    "review_suggestion": lambda d, t: d.review_suggestion(_draft(d, t), "correct"),
    "discard_draft": lambda d, t: d.discard_draft(_draft(d, t)),
    "request_ai": lambda d, t: d.request_ai(t[2], "draft"),
    "fail_ai_request": lambda d, t: d.fail_ai_request(d.request_ai(t[2], "draft").id, "gone"),
    "add_article": lambda d, t: d.add_article("VPN", "1. Reconnect"),
    "edit_article": lambda d, t: (
        d.add_article("VPN", "1. Reconnect"),
        d.edit_article("vpn", tags="x"),
    ),
    "import_articles": lambda d, t: d.import_articles([("vpn", "# VPN\n\n1. Reconnect")]),
    "assign": lambda d, t: d.assign(t[2], "bob"),
    "promote": lambda d, t: d.promote(t[2]),
    "link": lambda d, t: d.link(t[0], t[1]),
    "unlink": lambda d, t: (d.link(t[0], t[1]), d.unlink(t[1])),
    "cascade": lambda d, t: (d.link(t[0], t[1]), d.cascade(t[0], reply="update")),
    "run_auto_close": lambda d, t: _auto_closed(d, t),
    "record_worker_once": lambda d, t: d.record_worker_once("auto-closed 0"),
    "accept_skipped": lambda d, t: _accept_held(d),
    "purge_skipped_mail": lambda d, t: (_held(d), d.purge_skipped_mail(d.clock() + _DAY)),
    "add_technician": lambda d, t: d.add_technician("dave"),
    "add_calendar": lambda d, t: _calendar(d),
    "set_calendar_hours": lambda d, t: (
        _calendar(d),
        d.set_calendar_hours("Office", "mon-thu 08:00-16:00", timezone="Europe/Vienna"),
    ),
    "add_holiday": lambda d, t: (_calendar(d), d.add_holiday("Office", date(2026, 12, 24))),
    "seed_holidays": lambda d, t: (_calendar(d), d.seed_holidays("Office", "DE", [2026])),
    "add_policy": lambda d, t: _policy(d),
    "set_policy": lambda d, t: (_policy(d), d.set_policy("Gold", at_risk_share=0.5)),
    "set_target": lambda d, t: (
        _policy(d),
        d.set_target("Gold", Priority.HIGH, response_minutes=30, resolution_minutes=240),
    ),
    "assign_policy": lambda d, t: (_policy(d), d.assign_policy("Acme", "Gold")),
    "run_sla_sweep": lambda d, t: (_policy(d), d.run_sla_sweep()),
    "request_portal_signin": lambda d, t: d.request_portal_signin(
        "sam@acme.example", "0" * 64, "https://help.example/signin/x"
    ),
    "use_portal_signin": lambda d, t: d.use_portal_signin("f" * 64),
    "set_portal_admin": lambda d, t: d.set_portal_admin("sam@acme.example", True),
    "end_portal_session": lambda d, t: d.end_portal_session(_portal_session(d)),
    "end_portal_sessions": lambda d, t: d.end_portal_sessions("sam@acme.example"),
    "accept_replies": lambda d, t: (
        d.receive(
            Inbound(
                Channel.EMAIL,
                "<stranger@evil.example>",
                "stranger@evil.example",
                T0,
                subject=f"Re: [#{t[2]}]",
                body="click here",
            )
        ),
        d.accept_replies(t[2]),
    ),
    "save_view": lambda d, t: d.save_view("Mine", TicketFilter(assignee="alice")),
    "save_rule": lambda d, t: d.save_rule(_rule()),
    "set_rule_enabled": lambda d, t: (d.save_rule(_rule()), d.set_rule_enabled("Tag", False)),
    "move_rule": lambda d, t: (
        d.save_rule(_rule()),
        d.save_rule(_rule("Second")),
        d.move_rule("Tag", -1),
    ),
    "import_rules": lambda d, t: d.import_rules(dump_rules([_rule()])),
    "run_periodic_automations": lambda d, t: (
        d.save_rule(_rule(trigger="periodic")),
        d.run_periodic_automations(),
    ),
    "make_spike_master": lambda d, t: _spike(d),
    "remove_view": lambda d, t: (
        d.save_view("Mine", TicketFilter(assignee="alice")),
        d.remove_view("Mine"),
    ),
}


def _rule(name: str = "Tag", trigger: str = "ticket_created") -> Rule:
    return rule_from(
        {
            "name": name,
            "trigger": trigger,
            "conditions": [{"field": "subject", "op": "contains", "value": "new"}],
            "actions": [{"action": "add_note", "body": "seen by a rule"}],
        }
    )


def _portal_session(d: Desk) -> int:
    d.request_portal_signin("sam@acme.example", "1" * 64, "https://help.example/signin/x")
    session = d.use_portal_signin("1" * 64)
    assert session is not None
    return session.id


def _spike(d: Desk) -> None:
    made = [
        d.create_ticket(
            subject=f"VPN down {n}",
            description="",
            priority=Priority.LOW,
            channel=Channel.EMAIL,
            contact_email="sam@acme.example",
            client_name="Acme",
        )
        for n in range(5)
    ]
    d.make_spike_master(made[-1].number)


_DAY = timedelta(days=1)


def _held(d: Desk) -> int:
    """A mail held back by the rate limit (its source kept); its record's id."""
    from regentra_core.desk.channels import held_messages

    raw = b"From: flood@evil.example\r\nSubject: x\r\nMessage-ID: <held@x>\r\n\r\nbody\r\n"
    d.receive(parse_mail(raw, received_at=d.clock()), rate_limit=0)
    return held_messages(d.db)[0].id


def _accept_held(d: Desk) -> None:
    from regentra_core.desk.channels import held_source

    record = _held(d)
    d.accept_skipped(record, parse_mail(held_source(d.db, record), received_at=d.clock()))


def _auto_closed(d: Desk, t: tuple[int, int, int]) -> None:
    """A run that closes a ticket writes its Events (one that closes nothing writes
    none: tests/core/test_auto_close_quiet.py)."""
    d.change_status(t[2], Status.RESOLVED)
    before = _event_count(d.db)
    assert d.run_auto_close(d.clock() + _DAY) == [t[2]]
    assert _event_count(d.db) > before


def _calendar(d: Desk) -> None:
    d.add_calendar("Office", timezone="Europe/Berlin", hours="mon-fri 09:00-17:00")


def _policy(d: Desk) -> None:
    _calendar(d)
    d.add_policy("Gold", calendar="Office", default=True)


def test_every_public_desk_method_is_covered_here():
    public = {
        name
        for name in dir(Desk)
        if not name.startswith("_")
        and (callable(attr := getattr(Desk, name)) or isinstance(attr, in_transaction | at_door))
    }
    assert public - {"for_os_user"} == set(DESK_CALLS)


@pytest.mark.parametrize("name", sorted(DESK_CALLS))
def test_every_desk_call_writes_an_event(name, desk, db, ready):
    before = _event_count(db)
    DESK_CALLS[name](desk, ready)
    assert _event_count(db) > before


def test_events_carry_actor_source_and_time(desk, db, new_ticket, clock):
    t = new_ticket()
    clock.advance(minutes=5)
    desk.add_note(t.number, "checked the logs")
    last = queries.ticket_history(db, t.number)[-1]
    assert (last.actor, last.source, last.kind, last.at) == (
        "alice",
        "test",
        "note_added",
        clock.now,
    )


def test_stale_version_is_a_conflict_not_an_overwrite(desk, db, new_ticket, bob, clock):
    t = new_ticket()
    loaded = queries.get_ticket(db, t.number).version
    other = Desk(db, bob, source="test", clock=clock)
    other.change_status(t.number, Status.IN_PROGRESS, expected_version=loaded)
    with pytest.raises(ConflictError) as info:
        desk.change_status(t.number, Status.WAITING_ON_CUSTOMER, expected_version=loaded)
    assert "changed by someone else" in str(info.value)
    row = queries.get_ticket(db, t.number)
    assert row.status == Status.IN_PROGRESS and row.version == loaded + 1


@pytest.mark.parametrize(
    "call",
    [
        lambda d, n, v: d.change_priority(n, Priority.HIGH, expected_version=v),
        lambda d, n, v: d.assign(n, "alice", expected_version=v),
        lambda d, n, v: d.add_technician_reply(n, "hi", expected_version=v),
    ],
)
def test_every_versioned_write_checks_the_version(desk, db, new_ticket, call):
    t = new_ticket()
    desk.add_note(t.number, "bumps the version")
    with pytest.raises(ConflictError):
        call(desk, t.number, t.version)


def test_every_write_bumps_the_version(desk, db, new_ticket):
    t = new_ticket()
    versions = [queries.get_ticket(db, t.number).version]
    desk.add_note(t.number, "a")
    versions.append(queries.get_ticket(db, t.number).version)
    desk.change_status(t.number, Status.IN_PROGRESS)
    versions.append(queries.get_ticket(db, t.number).version)
    assert versions == sorted(set(versions))


def test_first_public_reply_sets_first_response_but_a_note_does_not(desk, db, new_ticket, clock):
    t = new_ticket()
    clock.advance(minutes=3)
    desk.add_note(t.number, "looking")
    assert queries.get_ticket(db, t.number).first_response_at is None
    clock.advance(minutes=7)
    desk.add_technician_reply(t.number, "Hello")
    first = clock.now
    clock.advance(minutes=7)
    desk.add_technician_reply(t.number, "Again")
    assert queries.get_ticket(db, t.number).first_response_at == first


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subject": "   "}, "subject cannot be empty"),
        ({"contact_email": "not-an-address"}, "not an email address"),
        ({"contact_email": None}, "needs a contact"),
        ({"client_name": "Nope Inc"}, "no client named"),
    ],
)
def test_bad_ticket_input_is_refused_and_nothing_is_written(desk, db, new_ticket, kwargs, message):
    with db.read() as s:
        before = s.exec(select(func.count()).select_from(Ticket)).one()
    events = _event_count(db)
    with pytest.raises((ValidationError, NotFoundError), match=message):
        new_ticket(**kwargs)
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Ticket)).one() == before
    assert _event_count(db) == events


def test_contact_of_another_client_is_refused(desk, new_ticket):
    new_ticket(contact_email="pat@acme.example")
    with pytest.raises(ValidationError, match="another client"):
        new_ticket(contact_email="pat@acme.example", client_name="Bigwig")


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_time_entry_must_be_a_sane_length(desk, new_ticket, minutes):
    t = new_ticket()
    with pytest.raises(ValidationError):
        desk.log_time(t.number, minutes)


def test_time_entries_total_billable_and_non_billable(desk, db, new_ticket):
    t = new_ticket()
    desk.log_time(t.number, 30)
    desk.log_time(t.number, 15, billable=False, note="travel")
    detail = queries.ticket_detail(db, t.number)
    assert (detail.total_minutes, detail.billable_minutes) == (45, 30)


def test_unknown_ticket_is_a_clear_not_found(desk):
    with pytest.raises(NotFoundError, match="no ticket #999"):
        desk.add_note(999, "hello")


def test_huge_bodies_and_subjects_are_kept_whole(desk, db, new_ticket):
    t = new_ticket(subject="s" * 5000)
    desk.add_customer_reply(t.number, "x" * 2_000_000)
    assert queries.ticket_detail(db, t.number).thread[-1].body == "x" * 2_000_000
    assert queries.get_ticket(db, t.number).subject == "s" * 5000


def test_names_people_type_have_limits(desk):
    with pytest.raises(ValidationError, match="longer than 64"):
        desk.add_technician("u" * 65)


def test_hostile_text_is_stored_exactly(desk, db, new_ticket):
    subject = "[bold red]pwn[/] \x1b[2J\x07 ‮evil"
    t = new_ticket(subject=subject)
    assert queries.get_ticket(db, t.number).subject == subject


def test_only_a_lead_registers_technicians(db, bob, clock):
    with pytest.raises(PermissionDenied):
        Desk(db, bob, source="test", clock=clock).add_technician("eve")


def test_lead_registers_and_reactivates(desk, db):
    desk.add_technician("dave", "Dave D", Role.TECHNICIAN)
    assert "dave" in [t.username for t in queries.technicians(db)]


def test_assign_to_unknown_technician_is_refused(desk, new_ticket):
    t = new_ticket()
    with pytest.raises(NotFoundError, match="no active technician 'ghost'"):
        desk.assign(t.number, "ghost")


def test_a_reply_that_moves_the_ticket_is_one_change_or_none(desk, new_ticket, db):
    from regentra_core.errors import IllegalTransition

    t = new_ticket()
    desk.add_technician_reply(t.number, "Please try again now.", then=Status.WAITING_ON_CUSTOMER)
    assert queries.get_ticket(db, t.number).status == Status.WAITING_ON_CUSTOMER
    desk.change_status(t.number, Status.RESOLVED, resolution="done")
    desk.change_status(t.number, Status.CLOSED)
    with pytest.raises(IllegalTransition):
        desk.add_technician_reply(t.number, "One more thing", then=Status.WAITING_ON_CUSTOMER)
    replies = [i.body for i in queries.ticket_detail(db, t.number).thread if i.kind == "reply"]
    assert replies == ["Please try again now."]  # the refused move sent nothing


@pytest.mark.parametrize("name", sorted(DESK_CALLS))
def test_every_event_a_desk_call_writes_is_a_known_kind(name, desk, db, ready):
    """Automation triggers and reports match kinds by name: a kind outside the enum
    would be an event nothing can match."""
    from regentra_core.events import EventKind
    from regentra_core.lifecycle import TransitionKind
    from regentra_core.store.models import Event

    with db.read() as s:
        before = max(e.id for e in s.exec(select(Event)).all())
    DESK_CALLS[name](desk, ready)
    with db.read() as s:
        kinds = {e.kind for e in s.exec(select(Event).where(Event.id > before)).all()}
    assert kinds and kinds <= {k.value for k in EventKind}
    assert {k.value for k in TransitionKind} <= {k.value for k in EventKind}


def test_the_desk_hands_back_frozen_records_of_what_it_committed(desk, new_ticket):
    """A returned row once looked writable: setting ``status`` on it stored nothing
    and wrote no Event. Records are frozen copies, taken after the commit."""
    import dataclasses

    from regentra_core.records import NoteRecord, TicketRecord

    t = new_ticket()
    moved = desk.change_status(t.number, Status.IN_PROGRESS)
    assert isinstance(t, TicketRecord) and isinstance(moved, TicketRecord)
    assert (moved.status, moved.version) == (Status.IN_PROGRESS, t.version + 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.status = Status.CLOSED  # type: ignore[misc]
    note = desk.add_note(t.number, "checked the cabling")
    assert isinstance(note, NoteRecord) and note.id is not None and note.ticket_id == t.id


def test_every_record_field_is_a_column_of_its_table():
    import dataclasses

    from regentra_core import records
    from regentra_core.store import models

    pairs = {
        records.TicketRecord: models.Ticket,
        records.ReplyRecord: models.Reply,
        records.NoteRecord: models.InternalNote,
        records.TimeRecord: models.TimeEntry,
        records.ClientRecord: models.Client,
        records.ContactRecord: models.Contact,
        records.TechnicianRecord: models.Technician,
        records.ArticleRecord: models.KBArticle,
        records.RuleRecord: models.AutomationRule,
        records.ViewRecord: models.SavedView,
        records.SuggestionRecord: models.AiSuggestion,
    }
    for record, table in pairs.items():
        columns = set(table.model_fields)
        assert {f.name for f in dataclasses.fields(record)} <= columns, record.__name__
