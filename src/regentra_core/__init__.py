"""Regentra core: the helpdesk's domain rules, its one write path and its store.

The public API is re-exported here; modules whose names start without an
underscore may still be imported directly, but interfaces should need only this.
Names are imported when first used (PEP 562), not when the package is: a command
that needs only the errors or the settings must not pay for SQLAlchemy, the models
and the Desk (``regentra --version`` took 1.6 s that way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import exports

if TYPE_CHECKING:
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

_WHERE = {
    "Actor": ".identity",
    "Badge": ".sla",
    "CascadeResult": ".desk",
    "Channel": ".enums",
    "ConflictError": ".errors",
    "CustomerReplyResult": ".desk",
    "Database": ".store",
    "Desk": ".desk",
    "EscalationReason": ".enums",
    "IdentityError": ".errors",
    "IllegalTransition": ".errors",
    "LinkError": ".errors",
    "NotFoundError": ".errors",
    "PermissionDenied": ".errors",
    "Priority": ".enums",
    "PriorityChangeSource": ".enums",
    "PriorityRuleError": ".errors",
    "RegentraError": ".errors",
    "Role": ".enums",
    "RuleViolation": ".errors",
    "Settings": ".config",
    "SlaState": ".sla",
    "SortKey": ".queries",
    "Status": ".enums",
    "StoreError": ".errors",
    "TicketDetail": ".queries",
    "TicketFilter": ".queries",
    "TicketRow": ".queries",
    "ValidationError": ".errors",
    "load_settings": ".config",
    "resolve_os_technician": ".desk",
    "upgrade": ".store",
    "utcnow": ".clock",
}


__getattr__ = exports(__name__, _WHERE)

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
