"""The one place that names everything the core can refuse.

Interfaces (the CLI, the TUI, channel intake) catch :class:`RegentraError` and show
its message as one line; anything else is a bug. The hierarchy::

    RegentraError
    ├── NotFoundError            an id, number or username that does not exist
    ├── ValidationError          input that is malformed (bad priority, empty body)
    ├── RuleViolation            a well-formed request the domain rules refuse
    │   ├── IllegalTransition    a status move the lifecycle table does not allow
    │   ├── PriorityRuleError    a priority change through a path that may not make it
    │   └── LinkError            a master/child link that would break the hierarchy
    ├── ConflictError            the ticket changed since the caller loaded it
    ├── IdentityError            the OS account is not a registered, active technician
    ├── PermissionDenied         a registered technician without the role for it
    ├── Unanswered               AI work the daemon has not done (none runs, or it is late)
    └── StoreError               the database cannot be opened or migrated
"""

from __future__ import annotations


class RegentraError(Exception):
    """Base of every error the core raises on purpose; its message is user-facing."""


class NotFoundError(RegentraError):
    """Raised when a ticket, technician, client or contact does not exist."""


class ValidationError(RegentraError):
    """Raised for malformed input, before any rule is consulted."""


class NoChange(ValidationError):
    """The ticket already is what was asked ("already assigned to bob"): nothing to do.

    Bulk changes count these apart from refusals."""


class RuleViolation(RegentraError):
    """Raised when a well-formed request breaks a domain rule."""


class IllegalTransition(RuleViolation):
    """Raised for a status move the lifecycle table refuses."""


class AlreadyInStatus(IllegalTransition):
    """A move to the status the ticket already has (bulk changes count it as done)."""


class PriorityRuleError(RuleViolation):
    """Raised when a priority change arrives through a path that may not make it."""


class LinkError(RuleViolation):
    """Raised when a master/child link would break the one-level hierarchy."""


class ConflictError(RegentraError):
    """Raised when a write names a ticket version that is no longer current.

    Two technicians editing one ticket: the second write must fail loudly rather than
    silently overwrite the first.
    """

    def __init__(self, number: int, expected: int, actual: int) -> None:
        self.number = number
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"ticket #{number} was changed by someone else "
            f"(you had version {expected}, it is now {actual}); reload and try again"
        )


class IdentityError(RegentraError):
    """Raised when the process's OS account is not a known, active technician."""


class PermissionDenied(RegentraError):
    """Raised when the acting technician lacks the role an action needs."""


class Unanswered(RegentraError):
    """Raised when AI work asked of the worker daemon has no answer: no daemon runs,
    or the wait ended first. The request stays; the daemon answers it when it can."""


class StoreError(RegentraError):
    """Raised when the database cannot be opened, created or migrated."""


class RaceLost(StoreError):
    """Raised when another process wrote the same thing at the same moment.

    On PostgreSQL writers run side by side: two may insert the same unique key (one
    Message-ID delivered to two pollers), or deadlock on rows they lock in a
    different order. The database then refuses one transaction whole; nothing of it
    was written, and doing it again sees what the other wrote.
    """
