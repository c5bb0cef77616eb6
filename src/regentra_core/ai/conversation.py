"""The part of a ticket the AI may see: its public thread, and notes only if allowed."""

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
        return [m.text for m in self.messages if m.who == "customer"]

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
            elif message.who == "customer":
                trailing.append(message)
        return trailing
