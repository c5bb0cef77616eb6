"""The part of a ticket the AI may see: its public thread, and notes only if allowed.

Each customer message is what they wrote this time: the history and signature
their mail client carried along are left out (``channels.quoting.fold``, as the app
and the portal fold them), and ``folded`` says what was. A message from a sender
not verified for the ticket is kept, labelled, and weighs on no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..enums import Priority


@dataclass(frozen=True, slots=True)
class Message:
    who: str
    """``customer``, ``technician`` or ``note`` (an internal note, only when allowed)."""
    text: str
    at: datetime
    folded: str = ""
    """What was left out of ``text``: ``quoted history``, ``signature`` or both."""
    sender: str = ""
    """The address (or number) of a customer message not from the ticket's contact."""
    unverified: bool = False
    """From a sender not verified for the ticket (``Reply.unverified_sender``): shown
    to a model as such, never read as the customer's words."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """One ticket's words, oldest first; the description is the first message."""

    number: int
    subject: str
    priority: Priority
    client: str | None
    messages: tuple[Message, ...]

    @property
    def customer_texts(self) -> list[str]:
        """The customer's own words (a stranger's message is not among them)."""
        return [m.text for m in self.messages if m.who == "customer" and not m.unverified]

    @property
    def last_customer_text(self) -> str:
        texts = self.customer_texts
        return texts[-1] if texts else ""

    def unanswered_customer_messages(self) -> list[Message]:
        """The customer's messages since the last technician reply."""
        trailing: list[Message] = []
        for message in self.messages:
            if message.who == "technician":
                trailing = []
            elif message.who == "customer" and not message.unverified:
                trailing.append(message)
        return trailing
