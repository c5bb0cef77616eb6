"""Reading automation rules: the list, the execution log, and dry runs.

A dry run evaluates a rule exactly as a real run does (the same ``TicketFacts`` and
``automation.evaluate``), in a read session, so what it counts is what would act.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select

from . import automation
from .automation import Rule, Verdict
from .clock import utcnow
from .desk.automations import MISS_SEPARATOR, StoredRule, TicketFacts, stored_rules
from .enums import Status
from .errors import NotFoundError
from .sla_book import SlaBook
from .store.engine import Database
from .store.models import AutomationRun, Ticket


@dataclass(frozen=True, slots=True)
class DryRun:
    """A rule against one ticket (``verdict``) or against every open ticket (``matching``)."""

    rule: Rule
    ticket: int | None
    verdict: Verdict | None
    checked: int
    matching: list[int]


@dataclass(frozen=True, slots=True)
class RunRow:
    """One line of the execution log."""

    at: datetime
    rule: str
    trigger: str
    ticket: int | None
    outcome: str
    detail: str


def rules(db: Database) -> list[StoredRule]:
    with db.read() as s:
        return stored_rules(s)


def find(db: Database, name: str) -> StoredRule:
    for stored in rules(db):
        if stored.rule.name.casefold() == name.strip().casefold():
            return stored
    raise NotFoundError(f"no automation rule named {name!r}")


def dry_run(
    db: Database, name: str, *, ticket: int | None = None, now: datetime | None = None
) -> DryRun:
    """What ``name`` would do: on ticket ``ticket``, or how many open tickets it matches.

    Open means not Resolved or Closed: the tickets a periodic run looks at.
    """
    now = now or utcnow()
    stored = find(db, name)
    trigger = stored.rule.trigger
    with db.read() as s:
        book = functools.cache(lambda: SlaBook.load(s))  # once a run, as a real run reads it
        if ticket is not None:
            row = s.exec(select(Ticket).where(Ticket.number == ticket)).first()
            if row is None:
                raise NotFoundError(f"no ticket #{ticket}")
            facts = TicketFacts(s, row, now, trigger=trigger, book=book)
            verdict = automation.evaluate(stored.rule, facts)
            return DryRun(stored.rule, ticket, verdict, 1, [ticket] if verdict.matched else [])
        tickets = s.exec(
            select(Ticket)
            .where(col(Ticket.status).not_in([Status.RESOLVED, Status.CLOSED]))
            .order_by(col(Ticket.number))
        ).all()
        matching = [
            t.number
            for t in tickets
            if automation.matches(stored.rule, TicketFacts(s, t, now, trigger=trigger, book=book))
        ]
        return DryRun(stored.rule, None, None, len(tickets), matching)


def log(
    db: Database,
    *,
    rule: str | None = None,
    ticket: int | None = None,
    limit: int = 200,
    matched_only: bool = False,
) -> list[RunRow]:
    """The newest evaluations first."""
    with db.read() as s:
        query = (
            select(AutomationRun, Ticket.number)
            .join(Ticket, col(Ticket.id) == AutomationRun.ticket_id, isouter=True)
            .order_by(col(AutomationRun.id).desc())
            .limit(limit)
        )
        stored = None
        if rule is not None:
            try:
                stored = find(db, rule)
            except NotFoundError:  # a rule renamed since: its own rows keep its old name
                stored = None
        if rule is not None:
            named = col(AutomationRun.rule_name) == (stored.rule.name if stored else rule)
            if stored is not None:
                named = or_(named, col(AutomationRun.rules).contains(f",{stored.id},"))
            query = query.where(named)
        if ticket is not None:
            query = query.where(Ticket.number == ticket)
        if matched_only:
            query = query.where(AutomationRun.outcome != "no_match")
        rows = []
        for run, number in s.exec(query).all():
            name, detail = run.rule_name, run.detail
            if stored is not None and run.outcome == "no_match" and run.rules:
                # one rule's line of a row that holds every rule that did not match
                prefix = f"{stored.rule.name}: "
                line = next((x for x in detail.split(MISS_SEPARATOR) if x.startswith(prefix)), "")
                name, detail = stored.rule.name, line.removeprefix(prefix)
            rows.append(RunRow(run.at, name, run.trigger, number, run.outcome, detail))
        return rows
