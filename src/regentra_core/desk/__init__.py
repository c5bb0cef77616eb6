"""The one write path: every use case as one ``Desk`` method.

Each method runs in one write transaction (``BEGIN IMMEDIATE`` on SQLite), consults
the pure rules (``lifecycle``, ``priority``, ``hierarchy``, ``sla``) before it
changes anything, and appends at least one Event. The TUI, the CLI, the channels
and the worker all call these methods, so the same action behaves the same from
every door. Methods take ticket *numbers* (what people see), never row ids.

Each use case is a plain function over an explicit transaction context
(``desk.tx.Tx``: its session, the Events it queues, its typed memos, the rules
already fired), in a module named after its subject (work, links, intake,
channels, contacts, spikes, cc, attachments, time entries, people, clients,
views, KB, portal, delivery, AI, SLA, automations); ``Desk`` lists them.
"""

from __future__ import annotations

from ..clock import Clock, utcnow
from ..desk_config import DeskConfig
from ..identity import Actor
from ..store.engine import Database
from . import (
    ai,
    attachments,
    automations,
    cc,
    channels,
    clients,
    contacts,
    delivery,
    intake,
    kb,
    links,
    people,
    portal,
    sla,
    spikes,
    time_entries,
    views,
    work,
)
from .attachments import Upload
from .automations import PeriodicReport
from .channels import ChannelStep, CursorStep, ReceiveResult, Step
from .contacts import MergeResult
from .delivery import Outgoing
from .intake import CustomerReplyResult
from .links import CascadeResult
from .moves import clean_text
from .people import resolve_os_technician
from .sla_sweep_rows import SweepReport
from .spikes import SpikeMasterResult
from .tx import Door, OnDoor
from .use_case import at_door, in_transaction


class Desk(OnDoor):
    """Use cases, each in one transaction with its audit Events.

    ``actor`` is whoever the interface acts for (usually the OS account's
    technician); ``source`` names the door (``cli``, ``tui``, ``email``,
    ``worker``...) and is stored on every Event.

    A Desk is its ``door`` (what every use case's transaction is opened with, the
    automation rules as what a change triggers) and a table of use cases: each
    entry below names the function that holds it, in the module of its subject.
    """

    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        source: str,
        clock: Clock = utcnow,
        config: DeskConfig | None = None,
    ) -> None:
        self.door = Door(
            db, actor, source, clock, settle=automations.settle, config=config or DeskConfig()
        )

    @property
    def actor(self) -> Actor:
        return self.door.actor

    @property
    def source(self) -> str:
        return self.door.source

    # -- working a ticket (desk/work.py)
    add_technician_reply = at_door(work.reply_with_files)
    add_note = in_transaction(work.add_note)
    log_time = in_transaction(work.log_time)
    change_status = in_transaction(work.change_status)
    reopen = in_transaction(work.reopen)
    change_priority = in_transaction(work.change_priority)
    escalate_priority = in_transaction(work.escalate_priority)
    assign = in_transaction(work.assign)
    # -- the timer jobs' traces (desk/work.py)
    run_auto_close = in_transaction(work.run_auto_close)
    record_worker_once = in_transaction(work.record_worker_once)
    # -- files (desk/attachments.py), kept where ``config.shelf`` says
    attach_files = at_door(attachments.attach_files)
    # -- master and children (desk/links.py)
    promote = in_transaction(links.promote)
    link = in_transaction(links.link)
    unlink = in_transaction(links.unlink)
    cascade = in_transaction(links.cascade)
    # -- who else a ticket's public replies go to (desk/cc.py)
    change_cc = in_transaction(cc.change_cc)
    # -- correcting time entries (desk/time_entries.py)
    edit_time = in_transaction(time_entries.edit_time)
    remove_time = in_transaction(time_entries.remove_time)
    # -- technicians, clients, saved views, the knowledge base
    add_technician = in_transaction(people.add_technician)
    add_client = in_transaction(clients.add_client)
    edit_client = in_transaction(clients.edit_client)
    save_view = in_transaction(views.save_view)
    remove_view = in_transaction(views.remove_view)
    add_article = in_transaction(kb.add_article)
    edit_article = in_transaction(kb.edit_article)
    import_articles = in_transaction(kb.import_articles)
    # -- the portal's sign-in and its sessions (desk/portal.py: a request reads who
    #    the address is before it takes the write lock)
    request_portal_signin = at_door(portal.request_portal_signin)
    use_portal_signin = in_transaction(portal.use_portal_signin)
    set_portal_admin = in_transaction(portal.set_portal_admin)
    end_portal_session = in_transaction(portal.end_portal_session)
    end_portal_sessions = in_transaction(portal.end_portal_sessions)
    accept_replies = in_transaction(portal.accept_replies)
    # -- what arrives through a channel (desk/channels.py: a batch retries one
    #    message a transaction, so receive and receive_many open their own)
    receive = at_door(channels.receive)
    receive_many = at_door(channels.receive_many)
    accept_skipped = in_transaction(channels.accept_skipped)
    purge_skipped_mail = in_transaction(channels.purge_skipped_mail)
    # -- new tickets and customers' replies (desk/intake.py)
    create_ticket = in_transaction(intake.create_ticket)
    add_customer_reply = in_transaction(intake.add_customer_reply)
    # -- contacts (desk/contacts.py)
    add_contact = in_transaction(contacts.add_contact)
    edit_contact = in_transaction(contacts.edit_contact)
    merge_contacts = in_transaction(contacts.merge_contacts)
    # -- ticket spikes (desk/spikes.py)
    make_spike_master = in_transaction(spikes.make_spike_master)
    # -- the outbox's bookkeeping around a send (desk/delivery.py)
    start_delivery = in_transaction(delivery.start_delivery)
    finish_delivery = in_transaction(delivery.finish_delivery)
    # -- AI suggestions, drafts and requests (desk/ai.py)
    record_analysis = in_transaction(ai.record_analysis)
    record_draft = in_transaction(ai.record_draft)
    request_ai = in_transaction(ai.request_ai)
    fail_ai_request = in_transaction(ai.fail_ai_request)
    review_suggestion = in_transaction(ai.review_suggestion)
    discard_draft = in_transaction(ai.discard_draft)
    # -- SLA calendars, policies and the sweep (desk/sla.py; the sweep writes in
    #    chunks, a transaction each)
    add_calendar = in_transaction(sla.add_calendar)
    set_calendar_hours = in_transaction(sla.set_calendar_hours)
    add_holiday = in_transaction(sla.add_holiday)
    seed_holidays = in_transaction(sla.seed_holidays)
    add_policy = in_transaction(sla.add_policy)
    set_policy = in_transaction(sla.set_policy)
    set_target = in_transaction(sla.set_target)
    assign_policy = in_transaction(sla.assign_policy)
    run_sla_sweep = at_door(sla.run_sla_sweep)

    # -- automation rules (desk/automations.py; the rules a change fires run in its
    # settle hook, automations.settle, which the Door carries)
    save_rule = in_transaction(automations.save_rule)
    set_rule_enabled = in_transaction(automations.set_rule_enabled)
    move_rule = in_transaction(automations.move_rule)
    import_rules = in_transaction(automations.import_rules)
    run_periodic_automations = at_door(automations.run_periodic_automations)

    @classmethod
    def for_os_user(cls, db: Database, *, source: str, clock: Clock = utcnow) -> Desk:
        """A Desk acting as the technician mapped to this process's OS account."""
        return cls(db, resolve_os_technician(db), source=source, clock=clock)


__all__ = [
    "CascadeResult",
    "MergeResult",
    "ChannelStep",
    "CursorStep",
    "Step",
    "CustomerReplyResult",
    "PeriodicReport",
    "SpikeMasterResult",
    "Desk",
    "Outgoing",
    "Upload",
    "ReceiveResult",
    "clean_text",
    "SweepReport",
    "resolve_os_technician",
]
