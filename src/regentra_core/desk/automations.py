"""Automation rules at work: written by operators, run in the change that fires them.

Every Desk use case ends by looking at the events it recorded (``settle``, the
hook the Desk's ``Door`` carries): a ticket created, a status moved, a reply added,
an SLA badge turning At Risk or Breached. Each is a ``Trigger``; the enabled rules
for it are evaluated on that ticket, in ``order``, in the same transaction, and a
match's actions run as the rule (actor and source ``automation:<rule name>``, in
the same ``Tx``), through the same moves a technician's action is made of. The
chain's state is the transaction's own: ``tx.chain`` (events looked at, rules
fired) and the typed memos below. What the actions change is looked at in turn (a
chain), but a rule runs at most once per ticket in one chain: the loop guard,
logged when it holds a rule back.

Every evaluation is logged (``automation_run``): matched or not, and what it did.
``periodic`` rules are evaluated by the worker every few minutes on the tickets
not yet Resolved or Closed; there only matches are logged (with one summary row a
rule and run), and a rule acts on a ticket again only after the ticket changed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import automation, lifecycle
from ..automation import Action, Rule, Trigger
from ..enums import ActorKind, Channel, Priority, PriorityChangeSource, Status
from ..errors import NoChange, NotFoundError, RegentraError, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..priority import check_priority_change
from ..queries.hierarchy import cascade_candidates
from ..records import RuleRecord
from ..sla_book import SlaBook, inputs_of
from ..store import config_version
from ..store.models import (
    AutomationRule,
    AutomationRun,
    Client,
    Contact,
    DeskState,
    InternalNote,
    Reply,
    Technician,
    Ticket,
)
from . import moves, outgoing
from .tx import Door, Tx, transaction

PERIODIC_CHUNK = 500
"""Tickets evaluated per write transaction by a periodic run."""

RULE_CACHE_SIZE = 512
"""Checked rules kept per process (a desk has tens; old versions fall out)."""


@dataclass
class PeriodicReport:
    """What one periodic run did, for the worker's log and the CLI."""

    rules: int = 0
    checked: int = 0
    matched: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredRule:
    """A rule as stored: its row id and its checked form."""

    id: int
    rule: Rule


@dataclass(slots=True)
class RulesMemo:
    """The enabled rules by trigger, read once a transaction (every event asks)."""

    by_trigger: dict[Trigger, list[StoredRule]] | None = None


@dataclass(slots=True)
class RunLog:
    """This change's evaluations, written in one INSERT when the rules have settled."""

    rows: list[dict[str, Any]] = field(default_factory=list)


_COLUMNS = (
    "name",
    "description",
    "trigger",
    "position",
    "enabled",
    "stop_after_match",
    "conditions",
    "actions",
)


def rule_of(row: AutomationRule) -> Rule:
    return _rule_from_columns(tuple(getattr(row, c) for c in _COLUMNS))


@functools.lru_cache(maxsize=RULE_CACHE_SIZE)
def _rule_from_columns(key: tuple[object, ...]) -> Rule:
    """A stored row's checked rule, parsed once per process while the row stays as it
    is (the key is every column, so an edited rule is parsed afresh; a bounded cache,
    so the versions a long-running worker has seen do not pile up)."""
    name, description, trigger, position, enabled, stop, conditions, actions = key
    raw = {
        "name": name,
        "description": description,
        "trigger": trigger,
        "order": position,
        "enabled": enabled,
        "stop_after_match": stop,
        "conditions": json.loads(str(conditions)),
        "actions": json.loads(str(actions)),
    }
    return automation.rule_from(raw)


def stored_rules(s: Session, *, trigger: Trigger | None = None) -> list[StoredRule]:
    """Rules in the order they run (``order``, then name); all of them, or one trigger's.

    Read as plain rows, not ORM objects: every change of every ticket asks, and the
    checked rules come from the cache unless a row changed.
    """
    table = AutomationRule.__table__  # type: ignore[attr-defined]  # SQLModel's table
    query = sa_select(table.c.id, *(table.c[c] for c in _COLUMNS)).order_by(
        col(AutomationRule.position), col(AutomationRule.name)
    )
    if trigger is not None:
        query = query.where(col(AutomationRule.trigger) == str(trigger))
    return [
        StoredRule(row[0], _rule_from_columns(tuple(row[1:])))
        for row in s.connection().execute(query)
    ]


# -- conditions: each field read off a ticket ---------------------------------------


class TicketFacts:
    """A ticket's values for rule conditions, each read only when a rule asks.

    ``book`` gives the SLA set-up (the transaction's, or a dry run's own read).
    """

    def __init__(
        self,
        s: Session,
        ticket: Ticket,
        now: datetime,
        *,
        trigger: Trigger | None = None,
        book: Callable[[], SlaBook] | None = None,
    ) -> None:
        self.s = s
        self.ticket = ticket
        self.now = now
        self.trigger = trigger
        self.book = book or functools.cache(lambda: SlaBook.load(s))
        self._cache: dict[str, Any] = {}
        self._people: dict[str, Any] | None = None

    def __call__(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = READERS[name](self)
        return self._cache[name]

    def forget(self) -> None:
        """An action changed the ticket: read its values afresh for the next rule."""
        self._cache.clear()
        self._people = None

    def people(self) -> dict[str, Any]:
        """Client, contact and assignee in one query (the session's identity map does
        not keep them: it holds rows only while something refers to them)."""
        if self._people is None:
            t = self.ticket
            row = (
                self.s.connection()
                .execute(
                    _PEOPLE,
                    {"client": t.client_id, "contact": t.contact_id, "assignee": t.assignee_id},
                )
                .one()
            )
            self._people = {
                "client": row[0] or "",
                "vip": bool(row[1]),
                "contact_email": row[2] or "",
                "assignee": row[3] or "",
            }
        return self._people

    def placeholders(self) -> dict[str, object]:
        return {
            "number": self.ticket.number,
            "subject": self.ticket.subject,
            "client": self("client"),
            "priority": self.ticket.priority.label,
            "status": self.ticket.status.label,
            "assignee": self("assignee") or "nobody",
            "channel": self.ticket.channel.label,
        }


def _body(f: TicketFacts) -> Any:
    """The reply that fired a ``reply_added`` rule; otherwise the description."""
    if f.trigger == Trigger.REPLY_ADDED:
        latest = f.s.exec(
            select(Reply.body)
            .where(Reply.ticket_id == f.ticket.id)
            .order_by(col(Reply.created_at).desc(), col(Reply.id).desc())
            .limit(1)
        ).first()
        if latest is not None:
            return latest
    return f.ticket.description


def _sla(f: TicketFacts) -> Any:
    state = f.book().state(inputs_of(f.ticket), f.now, with_due=False)
    return state.badge.value if state is not None else ""


READERS: dict[str, Callable[[TicketFacts], Any]] = {
    "channel": lambda f: f.ticket.channel.value,
    "client": lambda f: f.people()["client"],
    "vip": lambda f: f.people()["vip"],
    "contact_email": lambda f: f.people()["contact_email"],
    "priority": lambda f: f.ticket.priority.value,
    "status": lambda f: f.ticket.status.value,
    "assignee": lambda f: f.people()["assignee"],
    "subject": lambda f: f.ticket.subject,
    "body": _body,
    "sla": _sla,
    "hours_since_update": lambda f: max(0.0, (f.now - f.ticket.updated_at).total_seconds() / 3600),
}
"""Each condition field's value on a ticket (``automation.FIELDS`` says what a rule
may write about it)."""


# -- actions: each carried out as the rule --------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """A matched rule about to act on one ticket: its transaction (acting as the rule),
    the ticket, its facts (for placeholders) and the run's time."""

    tx: Tx
    rule: str
    ticket: Ticket
    facts: TicketFacts
    now: datetime


def _assign(step: Step, action: Action) -> str:
    to = action.arg("to")
    tech = None if to.lower() in ("nobody", "none") else moves.technician(step.tx, to)
    moves.assign(step.tx, step.ticket, tech)
    return f"assigned to {tech.username if tech else 'nobody'}"


def _set_priority(step: Step, action: Action) -> str:
    ticket = step.ticket
    new = check_priority_change(
        ticket.priority, Priority(action.arg("value")), PriorityChangeSource.AUTOMATION
    )
    if new == ticket.priority:
        raise NoChange(f"already {new.label}")
    before = ticket.priority
    moves.set_priority(step.tx, ticket, new, f"source automation, rule {step.rule}", step.now)
    return f"priority {before.value} -> {new.value}"


def _set_status(step: Step, action: Action) -> str:
    tx, ticket = step.tx, step.ticket
    target = Status(action.arg("value"))
    before = ticket.status
    lifecycle.check_transition(ticket.status, target, ActorKind.AUTOMATION)
    if target == Status.RESOLVED and not ticket.resolution:
        ticket.resolution = f"Resolved by the automation rule {step.rule!r}"
    moves.transition(tx, ticket, target, actor=tx.actor, at=step.now)
    moved = f"status {before.value} -> {target.value}"
    # A rule sees one ticket, never cascades: which children share the master's
    # outcome is a technician's call. The log says who was left.
    left = cascade_candidates(tx.session, ticket, target)
    if left:
        named = ", ".join(f"#{n}" for n in left)
        tx.event(
            ticket,
            EventKind.CASCADE_NOT_APPLIED,
            to=named,
            detail=f"rule {step.rule}: automation rules never cascade "
            f"(regentra ticket cascade {ticket.number} --status {target.cli}, "
            "or C on the ticket)",
        )
        moved += f"; children left open: {named}"
    return moved


def _add_note(step: Step, action: Action) -> str:
    tx, ticket = step.tx, step.ticket
    body = automation.fill(action.arg("body"), step.facts.placeholders())
    tx.session.add(
        InternalNote(
            ticket_id=ticket.id or 0, author_name=tx.actor.name, body=body, created_at=step.now
        )
    )
    moves.touch(ticket, step.now)
    tx.event(ticket, EventKind.NOTE_ADDED, detail=moves.excerpt(body))
    return "note added"


def _notify(step: Step, action: Action) -> str:
    """Mail the rule's own subject and text to an address (or the ticket's contact),
    threaded into the ticket's conversation like every message about it."""
    tx, ticket = step.tx, step.ticket
    to = action.arg("to")
    if to.lower() == "contact":
        contact = tx.session.get(Contact, ticket.contact_id) if ticket.contact_id else None
        if contact is None or not contact.email:
            raise ValidationError("the ticket's contact has no email address")
        to = contact.email
    values = step.facts.placeholders()
    queued = outgoing.queue_message(
        tx,
        ticket,
        channel=Channel.EMAIL,
        recipient=to,
        kind="notify",
        subject=automation.fill(action.arg("subject"), values),
        body=automation.fill(action.arg("body"), values),
        now=step.now,
    )
    if queued is None:
        return "notify skipped: automatic mail cap reached"
    return f"notified {to}"


def _add_to_master(step: Step, action: Action) -> str:
    tx, ticket = step.tx, step.ticket
    number = int(action.arg("master"))
    master = tx.session.exec(select(Ticket).where(Ticket.number == number)).first()
    if master is None:
        raise NotFoundError(f"no ticket #{number}")
    if ticket.master_id is not None and ticket.master_id == master.id:
        raise NoChange(f"already a child of #{number}")
    moves.link(tx, master, ticket, step.now)
    return f"linked under #{number}"


EFFECTS: dict[str, Callable[[Step, Action], str]] = {
    "assign": _assign,
    "set_priority": _set_priority,
    "set_status": _set_status,
    "add_note": _add_note,
    "notify": _notify,
    "add_to_master": _add_to_master,
}
"""Each action carried out as the rule, returning what it did for the log
(``automation.ACTIONS`` says what a rule may write for it)."""


# -- writing rules ----------------------------------------------------------------


def save_rule(tx: Tx, rule: Rule, *, replacing: str | None = None) -> RuleRecord:
    """Add ``rule``, or replace the rule named ``replacing`` (a rename keeps its log)."""
    tx.require_technician()
    s, now = tx.session, tx.now()
    row = _rule_row(s, replacing) if replacing is not None else None
    clash = _find_rule(s, rule.name)
    if clash is not None and clash is not row:
        raise ValidationError(f"there is already a rule named {rule.name!r}")
    before = None if row is None else rule_of(row)
    if row is None:
        row = AutomationRule(
            name=rule.name, trigger=str(rule.trigger), created_at=now, updated_at=now
        )
        s.add(row)
    _fill(row, rule, now)
    s.flush()
    if before is None:
        tx.event(None, EventKind.AUTOMATION_ADDED, to=rule.name, detail=rule.trigger)
    elif before == rule:
        raise NoChange(f"rule {rule.name!r} is unchanged")
    else:
        tx.event(
            None,
            EventKind.AUTOMATION_CHANGED,
            before.name,
            rule.name,
            detail=_changes(before, rule),
        )
    tx.settle()
    return RuleRecord.of(row)


def set_rule_enabled(tx: Tx, name: str, enabled: bool) -> RuleRecord:
    tx.require_technician()
    row = _rule_row(tx.session, name)
    if row.enabled == enabled:
        raise NoChange(f"rule {row.name!r} is already {'on' if enabled else 'off'}")
    row.enabled = enabled
    row.updated_at = max(tx.now(), row.updated_at)
    tx.event(
        None,
        EventKind.AUTOMATION_ENABLED if enabled else EventKind.AUTOMATION_DISABLED,
        to=row.name,
    )
    tx.settle()
    return RuleRecord.of(row)


def move_rule(tx: Tx, name: str, step: int) -> list[str]:
    """Move a rule ``step`` places earlier (negative) or later in the running order.

    Orders are renumbered 10, 20, 30... so the list reads as it runs; returns
    the names in their new order.
    """
    tx.require_technician()
    s = tx.session
    rows = list(
        s.exec(
            select(AutomationRule).order_by(col(AutomationRule.position), col(AutomationRule.name))
        ).all()
    )
    row = _rule_row(s, name)
    at = rows.index(row)
    to = max(0, min(len(rows) - 1, at + step))
    if to == at:
        raise NoChange(f"rule {row.name!r} is already {'first' if at == 0 else 'last'}")
    rows.insert(to, rows.pop(at))
    now = tx.now()
    for n, each in enumerate(rows, start=1):
        if each.position != n * 10:
            each.position = n * 10
            each.updated_at = max(now, each.updated_at)
    tx.event(None, EventKind.AUTOMATION_MOVED, str(at + 1), str(to + 1), detail=row.name)
    return [r.name for r in rows]


def import_rules(tx: Tx, text: str) -> tuple[list[str], list[str]]:
    """Add or replace (by name) every rule of a rule file: all of them, or none.

    Returns the names added and the names changed; rules not in the file stay.
    """
    tx.require_technician()
    rules = automation.parse_rules(text)
    if not rules:
        raise ValidationError("the file holds no [[rule]] tables")
    added: list[str] = []
    changed: list[str] = []
    s, now = tx.session, tx.now()
    for rule in rules:
        row = _find_rule(s, rule.name)
        if row is None:
            row = AutomationRule(
                name=rule.name, trigger=str(rule.trigger), created_at=now, updated_at=now
            )
            s.add(row)
            added.append(rule.name)
        elif rule_of(row) != rule:
            changed.append(rule.name)
        else:
            continue
        _fill(row, rule, now)
    tx.event(
        None,
        EventKind.AUTOMATIONS_IMPORTED,
        to=f"{len(added)} added",
        detail=f"{len(changed)} changed, {len(rules)} in the file",
    )
    return added, changed


def _find_rule(s: Session, name: str) -> AutomationRule | None:
    return s.exec(
        select(AutomationRule).where(func.lower(AutomationRule.name) == name.strip().lower())
    ).first()


def _rule_row(s: Session, name: str) -> AutomationRule:
    row = _find_rule(s, name)
    if row is None:
        raise NotFoundError(f"no automation rule named {name!r}")
    return row


# -- periodic -------------------------------------------------------------------------


def run_periodic_automations(door: Door, now: datetime | None = None) -> PeriodicReport:
    """Evaluate the ``periodic`` rules on every ticket not yet Resolved or Closed.

    One transaction per ``PERIODIC_CHUNK`` tickets (a desk of thousands of open
    tickets never holds the write lock for the whole run), then one for the summary.
    """
    now = now or door.clock()
    report = PeriodicReport()
    with door.db.read() as s:
        rules = [r for r in stored_rules(s, trigger=Trigger.PERIODIC) if r.rule.enabled]
        if not rules:
            return report
        numbers = list(
            s.exec(
                select(Ticket.number)
                .where(col(Ticket.status).not_in([Status.RESOLVED, Status.CLOSED]))
                .order_by(col(Ticket.number))
            ).all()
        )
    report.rules = len(rules)
    for start in range(0, len(numbers), PERIODIC_CHUNK):
        chunk = numbers[start : start + PERIODIC_CHUNK]
        with transaction(door) as tx:
            _periodic_chunk(tx, rules, chunk, now, report)
    with transaction(door) as tx:
        for stored in rules:
            hits = report.matched.get(stored.rule.name, [])
            _log(
                tx,
                stored,
                None,
                Trigger.PERIODIC,
                "summary",
                f"checked {report.checked} tickets, {len(hits)} matched",
                now,
            )
    return report


def _periodic_chunk(
    tx: Tx, rules: list[StoredRule], chunk: list[int], now: datetime, report: PeriodicReport
) -> None:
    s = tx.session
    last = _last_periodic_matches(s, [r.id for r in rules])
    tickets = s.exec(
        select(Ticket)
        .where(col(Ticket.number).in_(chunk))
        .order_by(col(Ticket.number))
        .with_for_update()
    ).all()
    for ticket in tickets:
        if ticket.status.is_done:
            continue
        report.checked += 1
        facts = _facts(tx, ticket, now, Trigger.PERIODIC)
        for stored in rules:
            acted = last.get((stored.id, ticket.id or 0))
            if acted is not None and acted >= ticket.updated_at:
                continue  # it already acted on the ticket as it is
            if not automation.matches(stored.rule, facts):
                continue
            report.matched.setdefault(stored.rule.name, []).append(ticket.number)
            _act(tx, stored, ticket, facts, Trigger.PERIODIC, now)
            if stored.rule.stop_after_match:
                break


# -- running: the settle hook of every change --------------------------------------------


def settle(tx: Tx) -> None:
    """Run the rules the events recorded in this transaction trigger (a chain).

    ``Desk`` puts this on its ``Door``: it runs before every change commits (and when
    a use case settles early to build its record), looking only at the events it has
    not seen (``tx.chain.looked_at``), so running it again is free.
    """
    pending, chain = tx.events, tx.chain
    if chain.looked_at >= len(pending):
        _flush_log(tx)
        return
    rules = _rules(tx)
    if not rules:
        chain.looked_at = len(pending)
        _flush_log(tx)
        return
    now = tx.now()
    while chain.looked_at < len(pending):
        row = pending[chain.looked_at]
        chain.looked_at += 1
        ticket = row.ticket
        if not isinstance(ticket, Ticket):
            continue
        trigger = automation.trigger_of(row.kind, row.to_value)
        if trigger is None or trigger not in rules:
            continue
        by_rule = row.source.startswith("automation:")
        _evaluate(tx, rules[trigger], ticket, trigger, by_rule, now)
    _flush_log(tx)


def _evaluate(
    tx: Tx,
    rules: list[StoredRule],
    ticket: Ticket,
    trigger: Trigger,
    by_rule: bool,
    now: datetime,
) -> None:
    tx.session.flush()  # the ticket has its id
    facts = _facts(tx, ticket, now, trigger)
    misses: list[tuple[StoredRule, str]] = []
    try:
        _evaluate_rules(tx, rules, ticket, facts, misses, by_rule)
    finally:  # what was evaluated is logged, even if an action failed
        if misses:
            _log_misses(tx, misses, ticket, trigger, now)


def _evaluate_rules(
    tx: Tx,
    rules: list[StoredRule],
    ticket: Ticket,
    facts: TicketFacts,
    misses: list[tuple[StoredRule, str]],
    by_rule: bool,
) -> None:
    assert facts.trigger is not None
    trigger, now, fired = facts.trigger, facts.now, tx.chain.fired
    for stored in rules:
        failed = automation.first_failure(stored.rule, facts)
        if failed is not None:
            note = f" ({failed.note})" if failed.note else ""
            misses.append((stored, f"not {failed.condition.describe()}{note}"))
            continue
        key = (stored.id, ticket.id or 0)
        if key in fired:
            why = "a rule's change" if by_rule else "this change"
            _log(
                tx,
                stored,
                ticket,
                trigger,
                "loop_guard",
                f"already ran on #{ticket.number} in this chain; not run again for {why}",
                now,
            )
            continue
        fired.add(key)
        _act(tx, stored, ticket, facts, trigger, now)
        facts.forget()
        if stored.rule.stop_after_match:
            break


def _facts(tx: Tx, ticket: Ticket, now: datetime, trigger: Trigger) -> TicketFacts:
    return TicketFacts(tx.session, ticket, now, trigger=trigger, book=lambda: moves.sla_book(tx))


def _act(
    tx: Tx,
    stored: StoredRule,
    ticket: Ticket,
    facts: TicketFacts,
    trigger: Trigger,
    now: datetime,
) -> None:
    """Carry out a matched rule's actions as the rule (its own actor and source, the
    same transaction), each through the moves a technician's action is made of; one
    refused action is logged and the others still run."""
    rule = stored.rule
    name = f"automation:{rule.name}"
    step = Step(
        tx.acting_as(Actor(ActorKind.AUTOMATION, name), name), rule.name, ticket, facts, now
    )
    done: list[str] = []
    # Everything is flushed when the change commits; a flush before each of the
    # actions' lookups would only repeat the work.
    with tx.session.no_autoflush:
        for action in rule.actions:
            try:
                done.append(EFFECTS[action.action](step, action))
            except NoChange as exc:
                done.append(f"{action.action}: nothing to do ({exc})")
            except RegentraError as exc:
                done.append(f"{action.action} refused: {exc}")
    _log(tx, stored, ticket, trigger, "matched", "; ".join(done), now)


def _scalar(column: Any, key: Any, name: str) -> Any:
    return sa_select(col(column)).where(col(key) == bindparam(name)).scalar_subquery()


_PEOPLE = sa_select(
    _scalar(Client.name, Client.id, "client"),
    _scalar(Client.vip, Client.id, "client"),
    _scalar(Contact.email, Contact.id, "contact"),
    _scalar(Technician.username, Technician.id, "assignee"),
)
"""Built once: the statement every rule evaluation that asks about people runs."""

_RULES_COUNTER = sa_select(col(DeskState.desk_id), col(DeskState.rules_version)).where(
    col(DeskState.id) == 1
)
"""Which desk this is and its rules counter (bumped by every rule change)."""

_BY_TRIGGER: dict[tuple[str, int], dict[Trigger, list[StoredRule]]] = {}
"""Enabled rules by trigger, per (desk, rules version): one small read per change."""


def triggers_with_rules(tx: Tx) -> frozenset[Trigger]:
    """The triggers enabled rules wait for (the SLA sweep writes badge changes no
    rule waits for in bulk, without a Ticket object each)."""
    return frozenset(_rules(tx))


def _rules(tx: Tx) -> dict[Trigger, list[StoredRule]]:
    memo = tx.memo(RulesMemo)
    if memo.by_trigger is None:
        memo.by_trigger = _rules_by_trigger(tx.session)
    return memo.by_trigger


def _rules_by_trigger(s: Session) -> dict[Trigger, list[StoredRule]]:
    state = s.connection().execute(_RULES_COUNTER).first()
    own_change = config_version.bumped(s, config_version.RULES_BUMPED)
    key = (state[0], state[1]) if state is not None and not own_change else None
    if key is not None and key in _BY_TRIGGER:
        return _BY_TRIGGER[key]
    grouped: dict[Trigger, list[StoredRule]] = {}
    for stored in stored_rules(s):
        if stored.rule.enabled and stored.rule.trigger != Trigger.PERIODIC:
            grouped.setdefault(stored.rule.trigger, []).append(stored)
    if key is not None:
        if len(_BY_TRIGGER) > 16:
            _BY_TRIGGER.clear()
        _BY_TRIGGER[key] = grouped
    return grouped


def _log(
    tx: Tx,
    stored: StoredRule,
    ticket: Ticket | None,
    trigger: Trigger,
    outcome: str,
    detail: str,
    at: datetime,
) -> None:
    tx.memo(RunLog).rows.append(
        {
            "at": at,
            "rule_id": stored.id,
            "rule_name": stored.rule.name,
            "trigger": str(trigger),
            "ticket_id": ticket.id if ticket is not None else None,
            "outcome": outcome,
            "detail": detail,
            "rules": "",
        }
    )


MISS_SEPARATOR = "\n"


def _log_misses(
    tx: Tx,
    misses: list[tuple[StoredRule, str]],
    ticket: Ticket,
    trigger: Trigger,
    at: datetime,
) -> None:
    """The rules that did not match one change, in one row: their ids (to find them by
    rule) and, a line each, the rule and the first condition that failed.

    A row a rule made a desk with fifty rules write fifty rows on every change of
    every ticket; this keeps every verdict at a fiftieth of the rows."""
    tx.memo(RunLog).rows.append(
        {
            "at": at,
            "rule_id": None,
            "rule_name": f"{len(misses)} rule{'s' if len(misses) != 1 else ''}",
            "trigger": str(trigger),
            "ticket_id": ticket.id,
            "outcome": "no_match",
            "detail": MISS_SEPARATOR.join(f"{m.rule.name}: {why}" for m, why in misses),
            "rules": "," + ",".join(str(m.id) for m, _ in misses) + ",",
        }
    )


_INSERT_RUNS = insert(AutomationRun.__table__)  # type: ignore[attr-defined]  # SQLModel's table
"""The log's INSERT, built once: Core (not the ORM), so a batch is one executemany."""


def _flush_log(tx: Tx) -> None:
    """Write the log rows of this change in one ``executemany`` with bound parameters.

    Fifty rules log fifty rows on every ticket creation: the table's Core INSERT,
    not an ORM object a row, keeps that cheaper than evaluating the rules.
    """
    log = tx.memo(RunLog)
    if not log.rows:
        return
    rows, log.rows = log.rows, []
    tx.session.connection().execute(_INSERT_RUNS, rows)


def _last_periodic_matches(s: Session, rule_ids: list[int]) -> dict[tuple[int, int], datetime]:
    rows = s.exec(
        select(AutomationRun.rule_id, AutomationRun.ticket_id, func.max(AutomationRun.at))
        .where(
            col(AutomationRun.rule_id).in_(rule_ids),
            AutomationRun.trigger == str(Trigger.PERIODIC),
            AutomationRun.outcome == "matched",
        )
        .group_by(col(AutomationRun.rule_id), col(AutomationRun.ticket_id))
    ).all()
    return {(rid or 0, tid or 0): at for rid, tid, at in rows}


def _fill(row: AutomationRule, rule: Rule, now: datetime) -> None:
    raw = rule.raw()
    row.name = rule.name
    row.description = rule.description
    row.trigger = str(rule.trigger)
    row.position = rule.order
    row.enabled = rule.enabled
    row.stop_after_match = rule.stop_after_match
    row.conditions = json.dumps(raw["conditions"], ensure_ascii=False)
    row.actions = json.dumps(raw["actions"], ensure_ascii=False)
    row.updated_at = max(now, row.updated_at) if row.updated_at else now


def _changes(before: Rule, after: Rule) -> str:
    old, new = before.raw(), after.raw()
    parts = [key for key in automation.RULE_KEYS if old[key] != new[key]]
    return "changed " + ", ".join(parts)
