"""Who may change a ticket's priority, and how far.

The customer sets ``priority`` at creation. Afterwards it moves only by operator
edit, an operator-authored automation rule, or policy escalation (VIP client,
ticket spike, AI security/frustration flag), and escalation only ever raises LOW or
MEDIUM to HIGH. The AI analyzer writes ``suggested_priority`` and nothing else.
"""

from __future__ import annotations

from .enums import Priority, PriorityChangeSource
from .errors import PriorityRuleError

ESCALATION_TARGET = Priority.HIGH
"""What policy escalation raises a ticket to."""

_FREE_SOURCES = frozenset({PriorityChangeSource.OPERATOR, PriorityChangeSource.AUTOMATION})


def check_priority_change(
    current: Priority, new: Priority, source: PriorityChangeSource
) -> Priority:
    """Return the priority after a change from ``source``, or refuse it.

    Operators and automation rules may set any priority. Policy escalation may only
    raise LOW/MEDIUM to HIGH; asked on a HIGH or CRITICAL ticket it leaves the
    priority alone (never lowers). Any other source is refused by name.
    """
    if source in _FREE_SOURCES:
        return new
    if source == PriorityChangeSource.POLICY:
        if new != ESCALATION_TARGET:
            raise PriorityRuleError(
                f"policy escalation can only raise priority to {ESCALATION_TARGET.label}, "
                f"not to {new.label}"
            )
        return escalated(current)
    if source == PriorityChangeSource.AI:
        raise PriorityRuleError("the AI analyzer may only suggest a priority; an operator decides")
    raise PriorityRuleError(
        "the customer sets priority when the ticket is created; "
        "afterwards only an operator, an automation rule or policy escalation may change it"
    )


def escalated(current: Priority) -> Priority:
    """The priority after policy escalation: LOW/MEDIUM become HIGH, others stay."""
    if current.rank < ESCALATION_TARGET.rank:
        return ESCALATION_TARGET
    return current
