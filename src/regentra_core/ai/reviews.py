"""Reading the review queue: suggestions and drafts, and how often they were right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from ..enums import Priority
from ..store.engine import Database
from ..store.models import AiSuggestion, Ticket
from .analysis import flag_names


@dataclass(frozen=True, slots=True)
class SuggestionRow:
    id: int
    ticket: int
    subject: str
    kind: str
    source: str
    suggested_priority: Priority | None
    priority: Priority
    security: bool
    frustration: bool
    confidence: float
    reason: str
    body: str
    articles: list[str]
    verdict: str
    outcome: str | None
    reviewed_by: str | None
    created_at: datetime

    @property
    def summary(self) -> str:
        """What it suggests, in a few words: ``High + security``, ``reply draft``."""
        if self.kind == "draft":
            return "reply draft"
        text = self.suggested_priority.label if self.suggested_priority else "-"
        flags = flag_names(self.security, self.frustration)
        return text + (f" + {', '.join(flags)}" if flags else "")


@dataclass(frozen=True, slots=True)
class AccuracyRow:
    """One ISO week of verdicts."""

    week: str
    correct: int
    wrong: int

    @property
    def accuracy(self) -> float | None:
        total = self.correct + self.wrong
        return self.correct / total if total else None

    derived = ("accuracy",)


def _row(suggestion: AiSuggestion, number: int, subject: str, priority: object) -> SuggestionRow:
    assert suggestion.id is not None
    return SuggestionRow(
        id=suggestion.id,
        ticket=number,
        subject=subject,
        kind=suggestion.kind,
        source=suggestion.source,
        suggested_priority=suggestion.suggested_priority,
        priority=Priority(str(priority)),
        security=suggestion.security,
        frustration=suggestion.frustration,
        confidence=suggestion.confidence,
        reason=suggestion.reason,
        body=suggestion.body,
        articles=[a for a in suggestion.articles.split("\n") if a],
        verdict=suggestion.verdict,
        outcome=suggestion.outcome,
        reviewed_by=suggestion.reviewed_by,
        created_at=suggestion.created_at,
    )


def suggestions(
    db: Database, *, pending_only: bool = True, limit: int = 200
) -> list[SuggestionRow]:
    """The review queue: pending ones first, lowest confidence first, then newest."""
    query = (
        select(AiSuggestion, Ticket.number, Ticket.subject, Ticket.priority)
        .join(Ticket, col(Ticket.id) == col(AiSuggestion.ticket_id))
        .order_by(
            col(AiSuggestion.verdict) != "pending",
            col(AiSuggestion.confidence),
            col(AiSuggestion.id).desc(),
        )
        .limit(limit)
    )
    if pending_only:
        query = query.where(AiSuggestion.verdict == "pending")
    with db.read() as s:
        return [_row(*found) for found in s.exec(query).all()]


def suggestion(db: Database, suggestion_id: int) -> SuggestionRow | None:
    """One suggestion or draft by its id (what a request was answered with)."""
    with db.read() as s:
        found = s.exec(
            select(AiSuggestion, Ticket.number, Ticket.subject, Ticket.priority)
            .join(Ticket, col(Ticket.id) == col(AiSuggestion.ticket_id))
            .where(AiSuggestion.id == suggestion_id)
        ).first()
    return _row(*found) if found else None


def latest(db: Database, number: int, kind: str) -> SuggestionRow | None:
    """The newest suggestion of ``kind`` on ticket ``number``."""
    with db.read() as s:
        found = s.exec(
            select(AiSuggestion, Ticket.number, Ticket.subject, Ticket.priority)
            .join(Ticket, col(Ticket.id) == col(AiSuggestion.ticket_id))
            .where(Ticket.number == number, AiSuggestion.kind == kind)
            .order_by(col(AiSuggestion.id).desc())
            .limit(1)
        ).first()
    return _row(*found) if found else None


def accuracy(db: Database, *, now: datetime, weeks: int = 8) -> list[AccuracyRow]:
    """Correct and wrong verdicts per ISO week, the last ``weeks`` weeks, oldest first."""
    since = now - timedelta(weeks=weeks)
    with db.read() as s:
        rows = s.exec(
            select(AiSuggestion.reviewed_at, AiSuggestion.verdict).where(
                col(AiSuggestion.verdict).in_(("correct", "wrong")),
                col(AiSuggestion.reviewed_at) >= since,
            )
        ).all()
    weeks_seen: dict[str, list[int]] = {}
    for at, verdict in rows:
        if at is None:
            continue
        year, week, _ = at.isocalendar()
        counts = weeks_seen.setdefault(f"{year}-W{week:02d}", [0, 0])
        counts[0 if verdict == "correct" else 1] += 1
    return [AccuracyRow(week, c, w) for week, (c, w) in sorted(weeks_seen.items())]
