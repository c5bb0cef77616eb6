"""The ticket lifecycle: one transition table and the timing rules around it.

Pure functions of their arguments; ``Desk`` asks these before it writes, and the
TUI asks them to grey out moves it would only have refused. Nothing here reads a
clock: "now" is always passed in, so the auto-close job is a pure function of stored
timestamps and the time it is run for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .enums import ActorKind, Status
from .errors import AlreadyInStatus, IllegalTransition

AUTO_CLOSE_AFTER = timedelta(hours=24)
"""How long a Resolved ticket waits for the customer before it closes by itself."""

_T = ActorKind.TECHNICIAN
_C = ActorKind.CUSTOMER
_S = ActorKind.SYSTEM
_A = ActorKind.AUTOMATION

S = Status

TRANSITIONS: dict[tuple[Status, Status], frozenset[ActorKind]] = {
    # Work starts, waits, escalates or finishes from any working state.
    (S.OPEN, S.IN_PROGRESS): frozenset({_T, _A}),
    (S.OPEN, S.WAITING_ON_CUSTOMER): frozenset({_T, _A}),
    (S.OPEN, S.ESCALATED): frozenset({_T, _A, _S}),
    (S.OPEN, S.RESOLVED): frozenset({_T, _A}),
    (S.IN_PROGRESS, S.OPEN): frozenset({_T, _A}),
    (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER): frozenset({_T, _A}),
    (S.IN_PROGRESS, S.ESCALATED): frozenset({_T, _A, _S}),
    (S.IN_PROGRESS, S.RESOLVED): frozenset({_T, _A}),
    # A customer's answer (or the technician) takes a waiting ticket back to work.
    (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS): frozenset({_T, _A, _C}),
    (S.WAITING_ON_CUSTOMER, S.ESCALATED): frozenset({_T, _A, _S}),
    (S.WAITING_ON_CUSTOMER, S.RESOLVED): frozenset({_T, _A}),
    (S.ESCALATED, S.IN_PROGRESS): frozenset({_T, _A}),
    (S.ESCALATED, S.WAITING_ON_CUSTOMER): frozenset({_T, _A}),
    (S.ESCALATED, S.RESOLVED): frozenset({_T, _A}),
    # Resolved: the customer's reply reopens it, time (the system) or a
    # technician closes it.
    (S.RESOLVED, S.IN_PROGRESS): frozenset({_T, _A, _C}),
    (S.RESOLVED, S.CLOSED): frozenset({_T, _A, _S}),
    # Closed is final for customers (their reply makes a follow-up ticket) but a
    # technician may reopen it by hand.
    (S.CLOSED, S.IN_PROGRESS): frozenset({_T}),
}
"""Every allowed move and who may make it. A pair that is absent is refused.

An operator's automation rule may make every move a technician may, except
reopening a Closed ticket: that stays a person's decision."""


class TransitionKind(StrEnum):
    """What a move means, for the audit trail and the status line."""

    MOVE = "status_changed"
    REOPEN = "reopened"
    RESOLVE = "resolved"
    CLOSE = "closed"


@dataclass(frozen=True, slots=True)
class Transition:
    """An allowed move, as checked by :func:`check_transition`."""

    source: Status
    target: Status
    kind: TransitionKind


def allowed_targets(current: Status, actor: ActorKind = _T) -> list[Status]:
    """The statuses ``actor`` may move a ticket to from ``current``, in board order."""
    return [s for s in Status if actor in TRANSITIONS.get((current, s), frozenset())]


def may_move(current: Status, target: Status, actor: ActorKind | None = None) -> bool:
    """Whether ``actor`` (anyone, if None) may move a ticket from ``current``
    straight to ``target``."""
    allowed = TRANSITIONS.get((current, target), frozenset())
    return bool(allowed) if actor is None else actor in allowed


def check_transition(current: Status, target: Status, actor: ActorKind) -> Transition:
    """Return the transition if ``actor`` may move ``current`` to ``target``.

    Raises :class:`IllegalTransition` with a message that says what is allowed.
    """
    if current == target:
        raise AlreadyInStatus(f"ticket is already {target.label}")
    allowed = TRANSITIONS.get((current, target))
    if allowed is None or actor not in allowed:
        options = allowed_targets(current, actor)
        hint = ", ".join(s.label for s in options) if options else "nothing"
        who = "" if allowed is None else f" by a {actor.value}"
        raise IllegalTransition(
            f"cannot move a ticket from {current.label} to {target.label}{who}; "
            f"from {current.label} it can go to: {hint}"
        )
    return Transition(current, target, _kind_of(current, target))


def _kind_of(current: Status, target: Status) -> TransitionKind:
    if target == Status.CLOSED:
        return TransitionKind.CLOSE
    if target == Status.RESOLVED:
        return TransitionKind.RESOLVE
    if current.is_done:
        return TransitionKind.REOPEN
    return TransitionKind.MOVE


def auto_close_at(resolved_at: datetime) -> datetime:
    """When a ticket resolved at ``resolved_at`` closes if nobody answers."""
    return resolved_at + AUTO_CLOSE_AFTER


def is_auto_close_due(status: Status, resolved_at: datetime | None, now: datetime) -> bool:
    """True when a Resolved ticket has waited the full 24 hours as of ``now``."""
    if status != Status.RESOLVED or resolved_at is None:
        return False
    return now >= auto_close_at(resolved_at)


class CustomerReplyOutcome(StrEnum):
    """What a customer's reply does to the ticket it answers."""

    APPEND = "append"
    """The reply joins the thread; the status stays."""
    RESUME = "resume"
    """A ticket Waiting on Customer goes back to In Progress."""
    REOPEN = "reopen"
    """A Resolved ticket within its auto-close window reopens to In Progress."""
    FOLLOW_UP = "follow_up"
    """A Closed (or overdue Resolved) ticket stays closed; a new linked ticket opens."""


def customer_reply_outcome(
    status: Status, resolved_at: datetime | None, now: datetime
) -> CustomerReplyOutcome:
    """Decide what a customer reply arriving at ``now`` does to a ticket.

    A Resolved ticket whose 24 hours have passed counts as Closed even if the
    auto-close job has not run yet, so the answer never depends on job timing.
    """
    if status == Status.CLOSED or is_auto_close_due(status, resolved_at, now):
        return CustomerReplyOutcome.FOLLOW_UP
    if status == Status.RESOLVED:
        return CustomerReplyOutcome.REOPEN
    if status == Status.WAITING_ON_CUSTOMER:
        return CustomerReplyOutcome.RESUME
    return CustomerReplyOutcome.APPEND
