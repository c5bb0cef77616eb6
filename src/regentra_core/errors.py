"""The one place that names everything the core can refuse: the tree, drawn once.

Interfaces (the CLI, the TUI, the web service, channel intake) catch
:class:`RegentraError` and show its message as one line; anything else is a bug.
Every exception the core raises to an interface is defined here and nowhere else
(``tests/core/test_errors.py`` holds the core's modules to it). The hierarchy::

    RegentraError
    ├── NotFoundError            an id, number or username that does not exist
    ├── ValidationError          input that is malformed (bad priority, empty body)
    │   ├── NoChange             the ticket already is what was asked: nothing to do
    │   └── RuleError            an automation rule (or rule file) that does not read
    ├── RuleViolation            a well-formed request the domain rules refuse
    │   ├── IllegalTransition    a status move the lifecycle table does not allow
    │   │   └── AlreadyInStatus  a move to the status the ticket already has
    │   ├── PriorityRuleError    a priority change through a path that may not make it
    │   └── LinkError            a master/child link that would break the hierarchy
    ├── ConflictError            the ticket changed since the caller loaded it
    ├── IdentityError            the OS account is not a registered, active technician
    ├── PermissionDenied         a registered technician without the role for it
    ├── Unanswered               AI work the daemon has not done (none runs, or it is late)
    ├── ModelError               the AI model could not be asked or did not answer
    ├── ChannelError             a channel's server cannot be reached or read
    │   ├── MailboxError         the IMAP mailbox (the poll tries again next time)
    │   └── TwilioError          Twilio's message log
    ├── DeliveryError            one queued message was not delivered (``permanent``,
    │   │                        ``in_doubt`` say whether and how it is tried again)
    │   ├── SendFailed           by SMTP (mail)
    │   └── SmsSendFailed        by Twilio (SMS)
    ├── SearchBusy               another process holds the search index's writer
    └── StoreError               the database cannot be opened or migrated
        ├── RaceLost             another process wrote the same thing at the same moment
        └── PlainUnavailable     the plain (DB-API) reader cannot answer: the caller
                                 takes the ORM path, which says why or upgrades
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


class RuleError(ValidationError):
    """A rule (or a rule file) is not valid; the message says where and why.

    ``key`` names the rule's key at fault, so a file's error can name its line.
    """

    def __init__(self, message: str, key: str | None = None, item: int = 0) -> None:
        super().__init__(message)
        self.key = key
        self.item = item
        """Which condition or action (1-based) of the list under ``key``; 0: the key."""


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


class ModelError(RegentraError):
    """The model could not be asked or did not answer (timeout, HTTP error, refusal).

    The assistant catches it and answers with the rules or an extractive draft."""


class ChannelError(RegentraError):
    """A channel's server or service could not be reached or read."""


class MailboxError(ChannelError):
    """The mailbox could not be reached or read (the poll tries again next time)."""


class TwilioError(ChannelError):
    """Twilio could not be reached or refused to list the messages."""


class DeliveryError(RegentraError):
    """A send that did not happen; ``permanent`` when retrying cannot help.

    Each transport raises its own kind and nothing else, so the outbox job
    (``channels.delivery``) records any of them the same way."""

    def __init__(self, message: str, *, permanent: bool = False, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.in_doubt = in_doubt
        """The connection broke while the message was being handed over: it may
        have gone out, so it is checked before it is sent again."""


class SendFailed(DeliveryError):
    """A mail the SMTP relay refused, or that could not be handed to it."""


class SmsSendFailed(DeliveryError):
    """An SMS Twilio refused, or that could not be handed to it."""


class SearchBusy(RegentraError):
    """Another process holds the index writer (or builds it); try again shortly."""


class StoreError(RegentraError):
    """Raised when the database cannot be opened, created or migrated."""


class PlainUnavailable(StoreError):
    """Raised when ``plain_reads`` cannot answer a read (no readable desk, a schema
    not at the head, a URL it has no driver for, an account that is not an active
    technician).

    Never shown to a person: the command falls back to the ORM path, which opens
    the desk as every command does and refuses in its one line, or upgrades it.
    """


class RaceLost(StoreError):
    """Raised when another process wrote the same thing at the same moment.

    On PostgreSQL writers run side by side: two may insert the same unique key (one
    Message-ID delivered to two pollers), or deadlock on rows they lock in a
    different order. The database then refuses one transaction whole; nothing of it
    was written, and doing it again sees what the other wrote.
    """
