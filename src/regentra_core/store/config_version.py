"""Change counters of the SLA set-up and of the automation rules.

Any write to the tables the SLA book is built from (or to the rules) bumps its
counter in the writing transaction, whichever use case made it. Processes keep what
they built from those tables per counter value; a session that bumped a counter
itself must not keep what it reads (its transaction may still roll back), so the
bump is marked in its ``info`` (``SLA_BUMPED``, ``RULES_BUMPED``).

ORM writes only: a migration that changes those tables with plain SQL bumps the
counter itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, object_session
from sqlmodel import col

from .models import (
    AutomationRule,
    BusinessCalendarRow,
    Client,
    DeskState,
    Holiday,
    SlaPolicy,
    SlaTarget,
)

WATCHED = (SlaPolicy, SlaTarget, BusinessCalendarRow, Holiday, Client)


SLA_BUMPED = "sla_version_bumped"
RULES_BUMPED = "rules_version_bumped"


def bumped(session: Session, flag: str) -> bool:
    """Whether ``session`` itself changed what ``flag`` (``SLA_BUMPED``,
    ``RULES_BUMPED``) counts: what it reads then may yet roll back, and must not be
    kept for other transactions."""
    return bool(session.info.get(flag, False))


_COUNTERS = {SLA_BUMPED: DeskState.sla_version, RULES_BUMPED: DeskState.rules_version}
"""The counter each flag marks a bump of."""


def cache_key(session: Session, flag: str) -> tuple[str, int] | None:
    """The key a process may keep what it built from the tables ``flag`` counts under:
    which desk this is and the counter's value now. None when ``session`` changed those
    tables itself (asked after the read, whose autoflush marks such a change) or the
    desk has no state row yet: what was built then must not be kept."""
    state = session.execute(
        select(col(DeskState.desk_id), col(_COUNTERS[flag])).where(col(DeskState.id) == 1)
    ).first()
    if state is None or bumped(session, flag):
        return None
    return (state[0], state[1])


def _mark(target: Any, flag: str) -> None:
    session = object_session(target)
    if session is not None:
        session.info[flag] = True


def _bump_sla(_mapper: Any, connection: Any, target: Any) -> None:
    _mark(target, SLA_BUMPED)
    connection.execute(
        update(DeskState)
        .where(col(DeskState.id) == 1)
        .values(sla_version=col(DeskState.sla_version) + 1)
    )


def _bump_rules(_mapper: Any, connection: Any, target: Any) -> None:
    _mark(target, RULES_BUMPED)
    connection.execute(
        update(DeskState)
        .where(col(DeskState.id) == 1)
        .values(rules_version=col(DeskState.rules_version) + 1)
    )


for _name in ("after_insert", "after_update", "after_delete"):
    for _model in WATCHED:
        event.listen(_model, _name, _bump_sla)
    event.listen(AutomationRule, _name, _bump_rules)
