"""Closed vocabularies shared by the store, the rules and every interface.

Values are the stable strings stored in the database and accepted on the command
line; labels are what a person reads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from .errors import ValidationError

_ALIASES = {"waiting": "waiting_on_customer", "crit": "critical", "med": "medium"}
"""Short spellings technicians type at the prompt."""


class Vocabulary(StrEnum):
    """A StrEnum that parses user input leniently and refuses clearly.

    Subclasses name what they hold for the error message by overriding ``_noun``.
    """

    @classmethod
    def parse(cls, text: str) -> Self:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key, key)
        for member in cls:
            if key == member.value:
                return member
        choices = ", ".join(m.value.replace("_", "-") for m in cls)
        raise ValidationError(f"unknown {cls._noun()} {text!r}; choose one of: {choices}")

    @classmethod
    def _noun(cls) -> str:
        return cls.__name__.lower()

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def cli(self) -> str:
        """The spelling used on the command line (dashes, not underscores)."""
        return self.value.replace("_", "-")


class Status(Vocabulary):
    """Where a ticket is in its lifecycle, in the order the board shows them."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return "Waiting on Customer" if self is Status.WAITING_ON_CUSTOMER else super().label

    @property
    def is_done(self) -> bool:
        """Resolved and Closed tickets need no more work (cascade skips them)."""
        return self in (Status.RESOLVED, Status.CLOSED)


class Priority(Vocabulary):
    """How urgent the customer says a ticket is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2, Priority.CRITICAL: 3}


class Channel(Vocabulary):
    """How a ticket or a reply reached the desk."""

    MANUAL = "manual"
    EMAIL = "email"
    PORTAL = "portal"
    CHAT = "chat"
    SMS = "sms"

    @property
    def label(self) -> str:
        return "SMS" if self is Channel.SMS else super().label


class Role(Vocabulary):
    """What a technician may do; leads also manage technicians."""

    TECHNICIAN = "technician"
    LEAD = "lead"


class ActorKind(StrEnum):
    """Who made a change: the lifecycle table grants moves per kind."""

    TECHNICIAN = "technician"
    CUSTOMER = "customer"
    SYSTEM = "system"
    AUTOMATION = "automation"
    """An operator's automation rule (named in the actor and the event's source)."""


class AuthorKind(StrEnum):
    """Who wrote a public reply; only technician replies stop the response clock."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"
    SYSTEM = "system"


class PriorityChangeSource(StrEnum):
    """The only paths along which ``ticket.priority`` may change after creation.

    ``AI`` is listed so that it can be refused by name: the analyzer may only write
    ``suggested_priority``.
    """

    OPERATOR = "operator"
    AUTOMATION = "automation"
    POLICY = "policy"
    AI = "ai"
    CUSTOMER = "customer"


class EscalationReason(StrEnum):
    """Why policy escalation raised a ticket's priority."""

    VIP = "vip"
    TICKET_SPIKE = "ticket_spike"
    AI_SECURITY = "ai_security"
    AI_FRUSTRATION = "ai_frustration"


class InboundOutcome(StrEnum):
    """What one inbound message did (``regentra mail import --json`` prints it)."""

    CREATED = "created"
    REPLY = "reply"
    REOPENED = "reopened"
    FOLLOW_UP = "follow_up"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"


class DeliveryState(StrEnum):
    """Where an outbound message is: waiting to go, gone, or failing (and retried)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
