"""What the AI suggested, kept for review; flags that trigger policy escalation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ..ai.analysis import Analysis
from ..enums import EscalationReason
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..identity import Actor
from ..records import AiRequestRecord, SuggestionRecord
from ..store.models import AiRequest, AiSuggestion, Ticket
from . import moves
from .moves import excerpt as _excerpt
from .tx import Tx

REQUEST_KINDS = ("draft", "analysis")
VERDICTS = ("correct", "wrong")
OUTCOMES = ("sent", "edited", "discarded")


def record_analysis(
    tx: Tx,
    number: int,
    analysis: Analysis,
    *,
    model: str | None = None,
    event_id: int | None = None,
    request_id: int | None = None,
) -> AiSuggestion:
    """Keep the analysis, show its priority as a suggestion, and escalate by policy.

    ``priority`` itself changes only through the policy escalation a security or
    frustration flag triggers (LOW/MEDIUM to HIGH, never down; HIGH and CRITICAL
    untouched), with its own event; the suggested priority is only shown.
    With ``request_id``, that request is answered by it in the same transaction.
    """
    s = tx.session
    request = _pending(s, request_id) if request_id is not None else None
    ticket = moves.load(tx, number)
    now = tx.now()
    reason = analysis.reason
    if analysis.fallback:
        reason += f" (the model's answer was not used: {analysis.fallback})"
    row = AiSuggestion(
        ticket_id=_ticket_id(ticket),
        kind="analysis",
        source=analysis.source,
        model=model if analysis.source == "model" else None,
        suggested_priority=analysis.suggested_priority,
        security=analysis.security,
        frustration=analysis.frustration,
        confidence=analysis.confidence,
        reason=reason[:1000],
        event_id=event_id,
        created_at=now,
    )
    s.add(row)
    s.flush()
    if request is not None:
        _answer(request, row, now, analysis.fallback)
    before = ticket.suggested_priority
    # Advisory only: no version bump, so nobody's open edit is refused for it.
    ticket.suggested_priority = analysis.suggested_priority
    s.flush()
    flags = analysis.flags
    tx.event(
        ticket,
        EventKind.AI_ANALYSIS,
        before.value if before else None,
        analysis.suggested_priority.value,
        detail=f"{analysis.source}, {', '.join(flags) or 'no flags'}, "
        f"confidence {analysis.confidence:.2f}: {_excerpt(reason, 200)}",
        at=now,
        actor=Actor.system("ai"),
    )
    if not ticket.status.is_done:
        if analysis.security:
            moves.escalate(tx, ticket, EscalationReason.AI_SECURITY, at=now)
        elif analysis.frustration:
            moves.escalate(tx, ticket, EscalationReason.AI_FRUSTRATION, at=now)
    return row


def record_draft(
    tx: Tx,
    number: int,
    text: str,
    *,
    source: str,
    articles: list[str],
    confidence: float,
    model: str | None = None,
    reason: str = "",
    request_id: int | None = None,
    fallback: str | None = None,
) -> AiSuggestion:
    """Keep a reply draft with the articles it drew on; it is never sent by itself.

    With ``request_id``, that request is answered by it in the same transaction
    (``fallback``: why the model was not used, kept on the request too).
    """
    s = tx.session
    request = _pending(s, request_id) if request_id is not None else None
    ticket = moves.load(tx, number)
    now = tx.now()
    row = AiSuggestion(
        ticket_id=_ticket_id(ticket),
        kind="draft",
        source=source,
        model=model,
        confidence=confidence,
        reason=reason[:1000],
        body=text,
        articles="\n".join(articles),
        created_at=now,
    )
    s.add(row)
    s.flush()
    if request is not None:
        _answer(request, row, now, fallback)
    tx.event(
        ticket,
        EventKind.AI_DRAFT,
        to=source,
        detail=f"from {', '.join(articles) or 'no article'}",
        at=now,
    )
    return row


def request_ai(tx: Tx, number: int, kind: str) -> AiRequestRecord:
    """Ask the worker daemon (which holds the model's key) for a draft or an
    analysis of ticket ``number``; it answers in the review queue."""
    if kind not in REQUEST_KINDS:
        raise ValidationError(f"AI work is {' or '.join(REQUEST_KINDS)}, not {kind!r}")
    s = tx.session
    tx.require_technician()
    ticket = moves.load(tx, number)
    row = AiRequest(
        ticket_id=_ticket_id(ticket),
        kind=kind,
        requested_by=tx.actor.name,
        technician_id=tx.actor.technician_id,
        created_at=tx.db.now_in(s),  # the daemon expires it by this clock
    )
    s.add(row)
    s.flush()
    tx.event(
        ticket,
        EventKind.AI_REQUESTED,
        to=kind,
        detail=f"request {row.id}, asked of the worker daemon",
    )
    return AiRequestRecord.of(row)


def fail_ai_request(tx: Tx, request_id: int, reason: str) -> AiRequestRecord:
    """Give a pending request up, saying why (cancelled, expired, an error)."""
    s = tx.session
    row = _pending(s, request_id)
    row.state = "failed"
    row.error = reason[:1000]
    row.answered_at = tx.now()
    ticket = s.get(Ticket, row.ticket_id)
    tx.event(
        ticket,
        EventKind.AI_REQUEST_FAILED,
        to=row.kind,
        detail=f"request {request_id}: {_excerpt(reason, 200)}",
    )
    return AiRequestRecord.of(row)


def review_suggestion(tx: Tx, suggestion_id: int, verdict: str) -> SuggestionRecord:
    """A technician's verdict on a suggestion or draft: correct or wrong."""
    if verdict not in VERDICTS:
        raise ValidationError(f"a verdict is {' or '.join(VERDICTS)}, not {verdict!r}")
    s = tx.session
    tx.require_technician()
    row = _suggestion(s, suggestion_id)
    if row.verdict == verdict:
        raise NoChange(f"suggestion {suggestion_id} is already marked {verdict}")
    before = row.verdict
    row.verdict = verdict
    row.reviewed_by = tx.actor.name
    row.reviewed_at = tx.now()
    ticket = s.get(Ticket, row.ticket_id)
    tx.event(
        ticket,
        EventKind.AI_REVIEWED,
        before,
        verdict,
        detail=f"{row.kind} {suggestion_id}",
    )
    return SuggestionRecord.of(row)


def discard_draft(tx: Tx, suggestion_id: int) -> SuggestionRecord:
    """The technician threw the draft away (or replied without it)."""
    s = tx.session
    tx.require_technician()
    row = _draft_outcome(tx, _draft(s, suggestion_id), "discarded")
    return SuggestionRecord.of(row)


def _draft_outcome(tx: Tx, row: AiSuggestion, outcome: str) -> AiSuggestion:
    s = tx.session
    assert outcome in OUTCOMES
    if row.outcome is not None:
        raise NoChange(f"draft {row.id} was already {row.outcome}")
    row.outcome = outcome
    ticket = s.get(Ticket, row.ticket_id)
    tx.event(ticket, EventKind.AI_DRAFT_USED, to=outcome, detail=f"draft {row.id}")
    return row


def _ticket_id(ticket: Ticket) -> int:
    assert ticket.id is not None
    return ticket.id


def _pending(s: Session, request_id: int) -> AiRequest:
    """The request, locked; refused unless nobody answered or gave it up yet."""
    row = s.get(AiRequest, request_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no AI request {request_id}")
    if row.state != "pending":
        why = f": {row.error}" if row.error else ""
        raise NoChange(f"AI request {request_id} is already {row.state}{why}")
    return row


def _answer(request: AiRequest, row: AiSuggestion, now: datetime, fallback: str | None) -> None:
    assert row.id is not None
    request.state = "answered"
    request.suggestion_id = row.id
    request.answered_at = now
    request.error = (fallback or "")[:1000]


def _suggestion(s: Session, suggestion_id: int) -> AiSuggestion:
    row = s.get(AiSuggestion, suggestion_id)
    if row is None:
        raise NotFoundError(f"no AI suggestion {suggestion_id}")
    return row


def _draft(s: Session, suggestion_id: int) -> AiSuggestion:
    row = _suggestion(s, suggestion_id)
    if row.kind != "draft":
        raise ValidationError(f"suggestion {suggestion_id} is an analysis, not a draft")
    return row
