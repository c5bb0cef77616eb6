"""Regentra core: the helpdesk's domain rules, its one write path and its store.

The public API is re-exported here; modules whose names start without an
underscore may still be imported directly, but interfaces should need only this.
Heavy optional parts (search, worker) are imported from their packages when used.
"""

from .clock import utcnow
from .config import Settings, load_settings
from .desk import CascadeResult, CustomerReplyResult, Desk, resolve_os_technician
from .enums import Channel, EscalationReason, Priority, PriorityChangeSource, Role, Status
from .errors import (
    ConflictError,
    IdentityError,
    IllegalTransition,
    LinkError,
    NotFoundError,
    PermissionDenied,
    PriorityRuleError,
    RegentraError,
    RuleViolation,
    StoreError,
    ValidationError,
)
from .identity import Actor
from .queries import SortKey, TicketDetail, TicketFilter, TicketRow
from .sla import Badge, SlaState
from .store import Database, upgrade

__all__ = [
    "Actor",
    "Badge",
    "CascadeResult",
    "Channel",
    "ConflictError",
    "CustomerReplyResult",
    "Database",
    "Desk",
    "EscalationReason",
    "IdentityError",
    "IllegalTransition",
    "LinkError",
    "NotFoundError",
    "PermissionDenied",
    "Priority",
    "PriorityChangeSource",
    "PriorityRuleError",
    "RegentraError",
    "Role",
    "RuleViolation",
    "Settings",
    "SlaState",
    "SortKey",
    "Status",
    "StoreError",
    "TicketDetail",
    "TicketFilter",
    "TicketRow",
    "ValidationError",
    "load_settings",
    "resolve_os_technician",
    "upgrade",
    "utcnow",
]
