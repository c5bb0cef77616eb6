"""Automation rules at work: written by operators, run in the change that fires them.

Every Desk use case ends by looking at the events it recorded: a ticket created,
a status moved, a reply added, an SLA badge turning At Risk or Breached. Each is a
trigger; the enabled rules for it are evaluated on that ticket, in ``order``, in
the same transaction, and a match's actions run as the rule (actor and source
``automation:<rule name>``), through the same primitives a technician's action
uses. What the actions change is looked at in turn (a chain), but a rule runs at
most once per ticket in one chain: the loop guard, logged when it holds a rule back.

Every evaluation is logged (``automation_run``): matched or not, and what it did.
``periodic`` rules are evaluated by the worker every few minutes on the tickets
not yet Resolved or Closed; there only matches are logged (with one summary row a
rule and run), and a rule acts on a ticket again only after the ticket changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from .. import automation, lifecycle
from ..automation import Rule
from ..channels import outbound
from ..enums import ActorKind, Channel, DeliveryState, Priority, PriorityChangeSource, Status
from ..errors import NoChange, NotFoundError, RegentraError, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..priority import check_priority_change
from ..queries.hierarchy import cascade_candidates
from ..records import RuleRecord
from ..sla_book import SlaBook, inputs_of
from ..store import config_version
from ..store.journal import EventRow
from ..store.models import (
    AutomationRule,
    AutomationRun,
    Client,
    Contact,
    DeskState,
    InternalNote,
    OutboundMessage,
    Reply,
    Technician,
    Ticket,
)
from ._base import DeskBase, _excerpt, _memo, _tx

TRIGGER_OF_EVENT: dict[str, str] = {
    EventKind.CREATED: "ticket_created",
    EventKind.STATUS_CHANGED: "status_changed",
    EventKind.REOPENED: "status_changed",
    EventKind.RESOLVED: "status_changed",
    EventKind.CLOSED: "status_changed",
    EventKind.CUSTOMER_REPLY: "reply_added",
    EventKind.TECHNICIAN_REPLY: "reply_added",
}
"""Event kinds that fire a trigger (SLA badges are read from the event's new value)."""

PERIODIC_CHUNK = 500
"""Tickets evaluated per write transaction by a periodic run."""

_SEEN = "automation_seen"
_FIRED = "automation_fired"
_LOG = "automation_log"


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


_CACHE: dict[tuple[object, ...], Rule] = {}
"""Checked rules by their stored columns: a row is parsed once per process, not per change."""


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


def _rule_from_columns(key: tuple[object, ...]) -> Rule:
    cached = _CACHE.get(key)
    if cached is None:
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
        cached = _CACHE[key] = automation.rule_from(raw)
    return cached


def stored_rules(s: Session, *, trigger: str | None = None) -> list[StoredRule]:
    """Rules in the order they run (``order``, then name); all of them, or one trigger's.

    Read as plain rows, not ORM objects: every change of every ticket asks, and the
    checked rules come from the cache unless a row changed.
    """
    table = AutomationRule.__table__  # type: ignore[attr-defined]  # SQLModel's table
    query = sa_select(table.c.id, *(table.c[c] for c in _COLUMNS)).order_by(
        col(AutomationRule.position), col(AutomationRule.name)
    )
    if trigger is not None:
        query = query.where(col(AutomationRule.trigger) == trigger)
    return [
        StoredRule(row[0], _rule_from_columns(tuple(row[1:])))
        for row in s.connection().execute(query)
    ]


class TicketFacts:
    """A ticket's values for rule conditions, each read only when a rule asks."""

    def __init__(self, s: Session, ticket: Ticket, now: datetime, *, trigger: str = "") -> None:
        self.s = s
        self.ticket = ticket
        self.now = now
        self.trigger = trigger
        self._cache: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def forget(self) -> None:
        """An action changed the ticket: read its values afresh for the next rule."""
        self._cache.clear()

    def _read(self, name: str) -> Any:
        t, s = self.ticket, self.s
        if name == "channel":
            return t.channel.value
        if name == "priority":
            return t.priority.value
        if name == "status":
            return t.status.value
        if name == "subject":
            return t.subject
        if name in ("client", "vip", "contact_email", "assignee"):
            return self._people()[name]
        if name == "body":
            if self.trigger == "reply_added":
                latest = s.exec(
                    select(Reply.body)
                    .where(Reply.ticket_id == t.id)
                    .order_by(col(Reply.created_at).desc(), col(Reply.id).desc())
                    .limit(1)
                ).first()
                if latest is not None:
                    return latest
            return t.description
        if name == "sla":
            book = _memo(s, "sla_book", lambda: SlaBook.load(s))
            state = book.state(inputs_of(t), self.now, with_due=False)
            return state.badge.value if state is not None else ""
        if name == "hours_since_update":
            return max(0.0, (self.now - t.updated_at).total_seconds() / 3600)
        raise KeyError(name)

    def _people(self) -> dict[str, Any]:
        """Client, contact and assignee in one query (the session's identity map does
        not keep them: it holds rows only while something refers to them)."""
        if "_people" not in self._cache:
            t = self.ticket
            row = (
                self.s.connection()
                .execute(
                    _PEOPLE,
                    {"client": t.client_id, "contact": t.contact_id, "assignee": t.assignee_id},
                )
                .one()
            )
            self._cache["_people"] = {
                "client": row[0] or "",
                "vip": bool(row[1]),
                "contact_email": row[2] or "",
                "assignee": row[3] or "",
            }
        people: dict[str, Any] = self._cache["_people"]
        return people

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


class AutomationCases(DeskBase):
    """Operators' rules: writing them, and running them as part of every change."""

    # -- writing rules ------------------------------------------------------------

    def save_rule(self, rule: Rule, *, replacing: str | None = None) -> RuleRecord:
        """Add ``rule``, or replace the rule named ``replacing`` (a rename keeps its log)."""
        self._require_technician()
        with self._write() as s:
            now = self.clock()
            row = self._rule_row(s, replacing) if replacing is not None else None
            clash = self._find_rule(s, rule.name)
            if clash is not None and clash is not row:
                raise ValidationError(f"there is already a rule named {rule.name!r}")
            before = None if row is None else rule_of(row)
            if row is None:
                row = AutomationRule(
                    name=rule.name, trigger=rule.trigger, created_at=now, updated_at=now
                )
                s.add(row)
            _fill(row, rule, now)
            s.flush()
            if before is None:
                self._event(s, None, EventKind.AUTOMATION_ADDED, to=rule.name, detail=rule.trigger)
            elif before == rule:
                raise NoChange(f"rule {rule.name!r} is unchanged")
            else:
                self._event(
                    s,
                    None,
                    EventKind.AUTOMATION_CHANGED,
                    before.name,
                    rule.name,
                    detail=_changes(before, rule),
                )
        return RuleRecord.of(row)

    def set_rule_enabled(self, name: str, enabled: bool) -> RuleRecord:
        self._require_technician()
        with self._write() as s:
            row = self._rule_row(s, name)
            if row.enabled == enabled:
                raise NoChange(f"rule {row.name!r} is already {'on' if enabled else 'off'}")
            row.enabled = enabled
            row.updated_at = max(self.clock(), row.updated_at)
            self._event(
                s,
                None,
                EventKind.AUTOMATION_ENABLED if enabled else EventKind.AUTOMATION_DISABLED,
                to=row.name,
            )
        return RuleRecord.of(row)

    def move_rule(self, name: str, step: int) -> list[str]:
        """Move a rule ``step`` places earlier (negative) or later in the running order.

        Orders are renumbered 10, 20, 30... so the list reads as it runs; returns
        the names in their new order.
        """
        self._require_technician()
        with self._write() as s:
            rows = list(
                s.exec(
                    select(AutomationRule).order_by(
                        col(AutomationRule.position), col(AutomationRule.name)
                    )
                ).all()
            )
            row = self._rule_row(s, name)
            at = rows.index(row)
            to = max(0, min(len(rows) - 1, at + step))
            if to == at:
                raise NoChange(f"rule {row.name!r} is already {'first' if at == 0 else 'last'}")
            rows.insert(to, rows.pop(at))
            now = self.clock()
            for n, each in enumerate(rows, start=1):
                if each.position != n * 10:
                    each.position = n * 10
                    each.updated_at = max(now, each.updated_at)
            self._event(
                s, None, EventKind.AUTOMATION_MOVED, str(at + 1), str(to + 1), detail=row.name
            )
            return [r.name for r in rows]

    def import_rules(self, text: str) -> tuple[list[str], list[str]]:
        """Add or replace (by name) every rule of a rule file: all of them, or none.

        Returns the names added and the names changed; rules not in the file stay.
        """
        self._require_technician()
        rules = automation.parse_rules(text)
        if not rules:
            raise ValidationError("the file holds no [[rule]] tables")
        added: list[str] = []
        changed: list[str] = []
        with self._write() as s:
            now = self.clock()
            for rule in rules:
                row = self._find_rule(s, rule.name)
                if row is None:
                    row = AutomationRule(
                        name=rule.name, trigger=rule.trigger, created_at=now, updated_at=now
                    )
                    s.add(row)
                    added.append(rule.name)
                elif rule_of(row) != rule:
                    changed.append(rule.name)
                else:
                    continue
                _fill(row, rule, now)
            self._event(
                s,
                None,
                EventKind.AUTOMATIONS_IMPORTED,
                to=f"{len(added)} added",
                detail=f"{len(changed)} changed, {len(rules)} in the file",
            )
        return added, changed

    def _find_rule(self, s: Session, name: str) -> AutomationRule | None:
        return s.exec(
            select(AutomationRule).where(func.lower(AutomationRule.name) == name.strip().lower())
        ).first()

    def _rule_row(self, s: Session, name: str) -> AutomationRule:
        row = self._find_rule(s, name)
        if row is None:
            raise NotFoundError(f"no automation rule named {name!r}")
        return row

    # -- periodic -------------------------------------------------------------------

    def run_periodic_automations(self, now: datetime | None = None) -> PeriodicReport:
        """Evaluate the ``periodic`` rules on every ticket not yet Resolved or Closed."""
        now = now or self.clock()
        report = PeriodicReport()
        with self.db.read() as s:
            rules = [r for r in stored_rules(s, trigger="periodic") if r.rule.enabled]
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
            with self._write() as s:
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
                    facts = TicketFacts(s, ticket, now, trigger="periodic")
                    for stored in rules:
                        acted = last.get((stored.id, ticket.id or 0))
                        if acted is not None and acted >= ticket.updated_at:
                            continue  # it already acted on the ticket as it is
                        if not automation.matches(stored.rule, facts):
                            continue
                        report.matched.setdefault(stored.rule.name, []).append(ticket.number)
                        self._act(s, stored, ticket, facts, "periodic", now)
                        if stored.rule.stop_after_match:
                            break
        with self._write() as s:
            for stored in rules:
                hits = report.matched.get(stored.rule.name, [])
                _log(
                    s,
                    stored,
                    None,
                    "periodic",
                    "summary",
                    f"checked {report.checked} tickets, {len(hits)} matched",
                    now,
                )
        return report

    # -- running --------------------------------------------------------------------

    def _after_change(self, s: Session) -> None:
        """Run the rules the events recorded in this transaction trigger (a chain)."""
        pending = _tx(s).events
        seen: int = s.info.get(_SEEN, 0)
        if seen >= len(pending):
            _flush_log(s)
            return
        rules = _memo(s, "automation_rules", lambda: _rules_by_trigger(s))
        if not rules:
            s.info[_SEEN] = len(pending)
            _flush_log(s)
            return
        now = self.clock()
        while seen < len(pending):
            row = pending[seen]
            ticket = row.ticket
            seen += 1
            s.info[_SEEN] = seen
            if ticket is None or not isinstance(ticket, Ticket):
                continue
            trigger = _trigger_of(row)
            if trigger is None or trigger not in rules:
                continue
            by_rule = row.source.startswith("automation:")
            self._evaluate(s, rules[trigger], ticket, trigger, by_rule, now)
        _flush_log(s)

    def _evaluate(
        self,
        s: Session,
        rules: list[StoredRule],
        ticket: Ticket,
        trigger: str,
        by_rule: bool,
        now: datetime,
    ) -> None:
        fired: set[tuple[int, int]] = s.info.setdefault(_FIRED, set())
        s.flush()  # the ticket has its id
        facts = TicketFacts(s, ticket, now, trigger=trigger)
        misses: list[tuple[StoredRule, str]] = []
        try:
            self._evaluate_rules(s, rules, ticket, facts, fired, misses, by_rule)
        finally:  # what was evaluated is logged, even if an action failed
            if misses:
                _log_misses(s, misses, ticket, trigger, now)

    def _evaluate_rules(
        self,
        s: Session,
        rules: list[StoredRule],
        ticket: Ticket,
        facts: TicketFacts,
        fired: set[tuple[int, int]],
        misses: list[tuple[StoredRule, str]],
        by_rule: bool,
    ) -> None:
        trigger, now = facts.trigger, facts.now
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
                    s,
                    stored,
                    ticket,
                    trigger,
                    "loop_guard",
                    f"already ran on #{ticket.number} in this chain; not run again for {why}",
                    now,
                )
                continue
            fired.add(key)
            self._act(s, stored, ticket, facts, trigger, now)
            facts.forget()
            if stored.rule.stop_after_match:
                break

    def _act(
        self,
        s: Session,
        stored: StoredRule,
        ticket: Ticket,
        facts: TicketFacts,
        trigger: str,
        now: datetime,
    ) -> None:
        rule = stored.rule
        name = f"automation:{rule.name}"
        agent = type(self)(
            self.db, Actor(ActorKind.AUTOMATION, name), source=name, clock=self.clock
        )
        done: list[str] = []
        # Everything is flushed when the change commits; a flush before each of the
        # actions' lookups would only repeat the work.
        with s.no_autoflush:
            self._run_actions(s, agent, rule, ticket, facts, now, done)
        _log(s, stored, ticket, trigger, "matched", "; ".join(done), now)

    def _run_actions(
        self,
        s: Session,
        agent: AutomationCases,
        rule: Rule,
        ticket: Ticket,
        facts: TicketFacts,
        now: datetime,
        done: list[str],
    ) -> None:
        for action in rule.actions:
            try:
                done.append(agent._do(s, action, ticket, facts, now))
            except NoChange as exc:
                done.append(f"{action.action}: nothing to do ({exc})")
            except RegentraError as exc:
                done.append(f"{action.action} refused: {exc}")

    def _do(
        self,
        s: Session,
        action: automation.Action,
        ticket: Ticket,
        facts: TicketFacts,
        now: datetime,
    ) -> str:
        """Carry out one action as the rule; returns what it did, for the log."""
        kind = action.action
        if kind == "assign":
            to = action.arg("to")
            tech = None if to.lower() in ("nobody", "none") else self._technician(s, to)
            self._assign(s, ticket, tech)
            return f"assigned to {tech.username if tech else 'nobody'}"
        if kind == "set_priority":
            new = check_priority_change(
                ticket.priority, Priority(action.arg("value")), PriorityChangeSource.AUTOMATION
            )
            if new == ticket.priority:
                raise NoChange(f"already {new.label}")
            before = ticket.priority
            detail = f"source automation, rule {self._rule_name}"
            self._set_priority(s, ticket, new, detail, now)
            return f"priority {before.value} -> {new.value}"
        if kind == "set_status":
            target = Status(action.arg("value"))
            before_status = ticket.status
            lifecycle.check_transition(ticket.status, target, ActorKind.AUTOMATION)
            if target == Status.RESOLVED and not ticket.resolution:
                ticket.resolution = f"Resolved by the automation rule {self._rule_name!r}"
            self._transition(s, ticket, target, actor=self.actor, at=now)
            moved = f"status {before_status.value} -> {target.value}"
            # A rule sees one ticket, never cascades: which children share the
            # master's outcome is a technician's call. The log says who was left.
            left = cascade_candidates(s, ticket, target)
            if left:
                named = ", ".join(f"#{n}" for n in left)
                self._event(
                    s,
                    ticket,
                    EventKind.CASCADE_NOT_APPLIED,
                    to=named,
                    detail=f"rule {self._rule_name}: automation rules never cascade "
                    f"(regentra ticket cascade {ticket.number} --status {target.cli}, "
                    "or C on the ticket)",
                )
                moved += f"; children left open: {named}"
            return moved
        if kind == "add_note":
            body = automation.fill(action.arg("body"), facts.placeholders())
            s.add(
                InternalNote(
                    ticket_id=ticket.id or 0, author_name=self.actor.name, body=body, created_at=now
                )
            )
            self._touch(ticket, now)
            self._event(s, ticket, EventKind.NOTE_ADDED, detail=_excerpt(body))
            return "note added"
        if kind == "notify":
            return self._notify(s, action, ticket, facts, now)
        if kind == "add_to_master":
            number = int(action.arg("master"))
            master = s.exec(select(Ticket).where(Ticket.number == number)).first()
            if master is None:
                raise NotFoundError(f"no ticket #{number}")
            if ticket.master_id is not None and ticket.master_id == master.id:
                raise NoChange(f"already a child of #{number}")
            self._link(s, master, ticket, now)
            return f"linked under #{number}"
        raise ValidationError(f"unknown action {kind!r}")

    @property
    def _rule_name(self) -> str:
        return self.actor.name.removeprefix("automation:")

    def _notify(
        self,
        s: Session,
        action: automation.Action,
        ticket: Ticket,
        facts: TicketFacts,
        now: datetime,
    ) -> str:
        to = action.arg("to")
        if to.lower() == "contact":
            contact = s.get(Contact, ticket.contact_id) if ticket.contact_id else None
            if contact is None or not contact.email:
                raise ValidationError("the ticket's contact has no email address")
            to = contact.email
        if self._automatic_mail_capped(s, ticket, now):
            return "notify skipped: automatic mail cap reached"
        values = facts.placeholders()
        message = OutboundMessage(
            ticket_id=ticket.id,
            channel=Channel.EMAIL,
            kind="notify",
            recipient=to,
            subject=automation.fill(action.arg("subject"), values),
            body=automation.fill(action.arg("body"), values),
            message_id=outbound.new_message_id(ticket.number, self.db.mail.domain),
            state=DeliveryState.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
        s.add(message)
        self._event(
            s, ticket, EventKind.OUTBOUND_QUEUED, to=to, detail=f"notify {message.message_id}"
        )
        return f"notified {to}"


def _scalar(column: Any, key: Any, name: str) -> Any:
    return sa_select(col(column)).where(col(key) == bindparam(name)).scalar_subquery()


_PEOPLE = sa_select(
    _scalar(Client.name, Client.id, "client"),
    _scalar(Client.vip, Client.id, "client"),
    _scalar(Contact.email, Contact.id, "contact"),
    _scalar(Technician.username, Technician.id, "assignee"),
)
"""Built once: the statement every rule evaluation that asks about people runs."""

_RULES_VERSION = sa_select(col(DeskState.desk_id), col(DeskState.rules_version)).where(
    col(DeskState.id) == 1
)


_BY_TRIGGER: dict[tuple[str, int], dict[str, list[StoredRule]]] = {}
"""Enabled rules by trigger, per (desk, rules version): one small read per change."""


def _rules_by_trigger(s: Session) -> dict[str, list[StoredRule]]:
    state = (
        s.connection()
        .execute(
            sa_select(col(DeskState.desk_id), col(DeskState.rules_version)).where(
                col(DeskState.id) == 1
            )
        )
        .first()
    )
    own_change = s.info.get(config_version.RULES_BUMPED, False)  # may yet roll back
    key = (state[0], state[1]) if state is not None and not own_change else None
    if key is not None and key in _BY_TRIGGER:
        return _BY_TRIGGER[key]
    grouped: dict[str, list[StoredRule]] = {}
    for stored in stored_rules(s):
        if stored.rule.enabled and stored.rule.trigger != "periodic":
            grouped.setdefault(stored.rule.trigger, []).append(stored)
    if key is not None:
        if len(_BY_TRIGGER) > 16:
            _BY_TRIGGER.clear()
        _BY_TRIGGER[key] = grouped
    return grouped


def _trigger_of(row: EventRow) -> str | None:
    kind = row.kind
    if kind == "sla_badge_changed":
        return {"at_risk": "sla_at_risk", "breached": "sla_breached"}.get(row.to_value or "")
    return TRIGGER_OF_EVENT.get(kind)


def _log(
    s: Session,
    stored: StoredRule,
    ticket: Ticket | None,
    trigger: str,
    outcome: str,
    detail: str,
    at: datetime,
) -> None:
    rows: list[dict[str, Any]] = s.info.setdefault(_LOG, [])
    rows.append(
        {
            "at": at,
            "rule_id": stored.id,
            "rule_name": stored.rule.name,
            "trigger": trigger,
            "ticket_id": ticket.id if ticket is not None else None,
            "outcome": outcome,
            "detail": detail,
            "rules": "",
        }
    )


MISS_SEPARATOR = "\n"


def _log_misses(
    s: Session,
    misses: list[tuple[StoredRule, str]],
    ticket: Ticket,
    trigger: str,
    at: datetime,
) -> None:
    """The rules that did not match one change, in one row: their ids (to find them by
    rule) and, a line each, the rule and the first condition that failed.

    A row a rule made a desk with fifty rules write fifty rows on every change of
    every ticket; this keeps every verdict at a fiftieth of the rows."""
    rows: list[dict[str, Any]] = s.info.setdefault(_LOG, [])
    rows.append(
        {
            "at": at,
            "rule_id": None,
            "rule_name": f"{len(misses)} rule{'s' if len(misses) != 1 else ''}",
            "trigger": trigger,
            "ticket_id": ticket.id,
            "outcome": "no_match",
            "detail": MISS_SEPARATOR.join(f"{m.rule.name}: {why}" for m, why in misses),
            "rules": "," + ",".join(str(m.id) for m, _ in misses) + ",",
        }
    )


_LOG_COLUMNS = (
    "at",
    "rule_id",
    "rule_name",
    "trigger",
    "ticket_id",
    "outcome",
    "detail",
    "rules",
)


def _flush_log(s: Session) -> None:
    """Write the log rows of this change in one ``executemany`` straight to the driver.

    Fifty rules log fifty rows on every ticket creation; through SQLAlchemy's
    per-row parameter handling that cost more than evaluating the rules.
    """
    rows: list[dict[str, Any]] = s.info.pop(_LOG, [])
    if not rows:
        return
    conn = s.connection()
    table = AutomationRun.__table__  # type: ignore[attr-defined]  # SQLModel's table
    bind = table.c.at.type.bind_processor(conn.dialect)
    marks = ", ".join(["?"] * len(_LOG_COLUMNS))
    if conn.dialect.paramstyle in ("format", "pyformat"):
        marks = ", ".join(["%s"] * len(_LOG_COLUMNS))
    elif conn.dialect.paramstyle != "qmark":  # a driver we have not met: the safe way
        conn.execute(insert(AutomationRun), rows)
        return
    stamps: dict[datetime, Any] = {}
    values = []
    for row in rows:
        at = row["at"]
        if at not in stamps:
            stamps[at] = bind(at) if bind is not None else at
        values.append((stamps[at], *(row[c] for c in _LOG_COLUMNS[1:])))
    conn.exec_driver_sql(
        f"INSERT INTO automation_run ({', '.join(_LOG_COLUMNS)}) VALUES ({marks})", values
    )


def _last_periodic_matches(s: Session, rule_ids: list[int]) -> dict[tuple[int, int], datetime]:
    rows = s.exec(
        select(AutomationRun.rule_id, AutomationRun.ticket_id, func.max(AutomationRun.at))
        .where(
            col(AutomationRun.rule_id).in_(rule_ids),
            AutomationRun.trigger == "periodic",
            AutomationRun.outcome == "matched",
        )
        .group_by(col(AutomationRun.rule_id), col(AutomationRun.ticket_id))
    ).all()
    return {(rid or 0, tid or 0): at for rid, tid, at in rows}


def _fill(row: AutomationRule, rule: Rule, now: datetime) -> None:
    raw = rule.raw()
    row.name = rule.name
    row.description = rule.description
    row.trigger = rule.trigger
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
