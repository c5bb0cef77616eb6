"""The rules' vocabulary as one registry (issue #29, "Automations are stringly typed"):
every field and action has its entry and its effect, triggers are an enum whose
values are what rule files store, a rule's notification is threaded like every
other message, and the checked-rule cache is bounded."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlmodel import select

from regentra_core import automation
from regentra_core.ai import assistant
from regentra_core.automation import ACTIONS, FIELDS, Trigger, rule_from, trigger_of
from regentra_core.channels.delivery import deliver_due
from regentra_core.channels.mail import parse_mail
from regentra_core.channels.smtp import SmtpTransport
from regentra_core.desk import Desk, automations
from regentra_core.desk_config import DeskConfig
from regentra_core.enums import Channel
from regentra_core.events import EventKind
from regentra_core.identity import Actor
from regentra_core.lifecycle import TransitionKind
from regentra_core.mail_identity import MailIdentity
from regentra_core.sla import Badge
from regentra_core.store.models import OutboundMessage
from tests.helpers.smtp import SUPPORT


def test_every_condition_field_is_read_and_every_action_carried_out_by_the_desk():
    assert list(automations.READERS) == list(FIELDS)
    assert list(automations.EFFECTS) == list(ACTIONS)


def test_triggers_keep_the_strings_rule_files_and_the_table_store():
    assert [t.value for t in Trigger] == [
        "ticket_created",
        "status_changed",
        "reply_added",
        "sla_at_risk",
        "sla_breached",
        "periodic",
    ]
    r = rule_from(
        {"name": "R", "trigger": "sla_breached", "actions": [{"action": "add_note", "body": "x"}]}
    )
    assert r.trigger is Trigger.SLA_BREACHED
    assert 'trigger = "sla_breached"' in automation.dump_rules([r])


@pytest.mark.parametrize(
    ("kind", "to", "trigger"),
    [
        (EventKind.CREATED, None, Trigger.TICKET_CREATED),
        (TransitionKind.MOVE, "in_progress", Trigger.STATUS_CHANGED),
        (TransitionKind.REOPEN, "in_progress", Trigger.STATUS_CHANGED),
        (TransitionKind.RESOLVE, "resolved", Trigger.STATUS_CHANGED),
        (TransitionKind.CLOSE, "closed", Trigger.STATUS_CHANGED),
        (EventKind.CUSTOMER_REPLY, None, Trigger.REPLY_ADDED),
        (EventKind.TECHNICIAN_REPLY, None, Trigger.REPLY_ADDED),
        (EventKind.SLA_BADGE_CHANGED, Badge.AT_RISK, Trigger.SLA_AT_RISK),
        (EventKind.SLA_BADGE_CHANGED, Badge.BREACHED, Trigger.SLA_BREACHED),
        (EventKind.SLA_BADGE_CHANGED, Badge.ON_TRACK, None),
        (EventKind.NOTE_ADDED, None, None),
    ],
)
def test_which_events_fire_which_trigger(kind, to, trigger):
    assert trigger_of(kind, to) == trigger


def test_the_daemon_analyses_after_events_named_by_their_kind():
    assert all(isinstance(kind, EventKind) for kind in assistant.ANALYSE_ON)
    assert set(assistant.ANALYSE_ON) == {EventKind.CREATED, EventKind.CUSTOMER_REPLY}


def test_the_checked_rule_cache_keeps_a_bounded_number_of_rules():
    """A worker that runs for months sees every version of every rule: the cache of
    checked rules must not keep them all."""
    automations._rule_from_columns.cache_clear()
    for n in range(automations.RULE_CACHE_SIZE + 50):
        automations._rule_from_columns(
            (f"R{n}", "", "periodic", n, True, False, "[]", '[{"action": "add_note", "body": "x"}]')
        )
    assert automations._rule_from_columns.cache_info().currsize == automations.RULE_CACHE_SIZE


def test_a_rules_notification_is_threaded_into_the_tickets_conversation(desk, db, clock, smtp):
    """A rule's notification used to leave without In-Reply-To and References, so a
    lead's mail client showed it apart from the customer's thread."""
    desk.save_rule(
        rule_from(
            {
                "name": "Tell the lead",
                "trigger": "ticket_created",
                "actions": [
                    {
                        "action": "notify",
                        "to": "lead@msp.example",
                        "subject": "New: #{number}",
                        "body": "{subject} from {client}",
                    }
                ],
            }
        )
    )
    mail = EmailMessage()
    mail["From"] = "Pat Doe <pat@acme.example>"
    mail["To"] = SUPPORT
    mail["Subject"] = "VPN down"
    mail["Message-ID"] = "<c1@acme.example>"
    mail.set_content("Cannot connect since 9.")
    ours = DeskConfig(mail=MailIdentity(SUPPORT))
    intake = Desk(db, Actor.system("email"), source="email", clock=clock, config=ours)
    number = intake.receive(parse_mail(mail.as_bytes(), received_at=clock())).ticket
    with db.read() as s:
        [queued] = s.exec(select(OutboundMessage).where(OutboundMessage.kind == "notify")).all()
    assert (queued.recipient, queued.subject) == ("lead@msp.example", f"New: #{number}")
    worker = Desk(db, Actor.system("mail"), source="worker", clock=clock)
    transport = SmtpTransport("127.0.0.1", smtp.port, "none", SUPPORT, timeout=5)
    assert deliver_due(worker, Channel.EMAIL, transport.send) == "sent 1, failed 0"
    [(sent, _)] = smtp.inbox.received
    assert sent["To"] == "lead@msp.example"
    assert sent["In-Reply-To"] == "<c1@acme.example>"
    assert "<c1@acme.example>" in str(sent["References"]).split()
