"""The AI joined to the desk: reads a ticket, asks the model or the rules, records.

Every call ends in an answer: a model that times out, fails or answers garbage is
replaced by the rules (analysis) or the extractive draft, and the record says so.
Called from the daemon's analyzer job, the CLI and the app's worker threads; the
app never calls it on its UI thread, since the first model call imports litellm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from .. import queries
from ..config import Settings
from ..desk import Desk
from ..enums import AuthorKind
from ..errors import NotFoundError
from ..store.engine import Database
from ..store.models import (
    AiSuggestion,
    Client,
    Event,
    InternalNote,
    KBArticle,
    Reply,
    Technician,
    Ticket,
)
from . import extractive, prompts, rules
from .analysis import Analysis, BadAnswer, read_answer
from .conversation import Conversation, Message
from .model import ModelError, ModelSettings, complete
from .retrieval import Article, best_articles

ANALYSE_ON = ("created", "customer_reply")
"""Events after which the daemon analyses the ticket again."""
BATCH = 50


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    articles: list[str]
    source: str
    """``model`` or ``extractive``."""
    suggestion_id: int
    fallback: str | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "draft": self.text,
            "articles": self.articles,
            "source": self.source,
            "suggestion": self.suggestion_id,
        }
        if self.fallback:
            out["fallback"] = self.fallback
        return out


class Assistant:
    """Analyses and drafts for one desk, with or without a model."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    @property
    def model(self) -> ModelSettings | None:
        if not self.settings.ai_model:
            return None
        return ModelSettings(
            model=self.settings.ai_model,
            api_base=self.settings.ai_api_base,
            api_key=self.settings.secret("ai_api_key"),
            timeout=self.settings.ai_timeout_seconds,
        )

    def conversation(self, number: int) -> Conversation:
        """What the AI may read of ticket ``number``: its public thread (and its
        notes only when ``ai_include_notes`` is on); never another ticket.

        Read here rather than through ``queries.ticket_detail``: the analyzer reads
        every new message, and the detail view's SLA clocks and links were two thirds
        of an analysis.
        """
        with self.db.read() as s:
            found = s.exec(
                select(Ticket, Client.name)
                .outerjoin(Client, col(Client.id) == col(Ticket.client_id))
                .where(Ticket.number == number)
            ).first()
            if found is None:
                raise NotFoundError(f"no ticket #{number}")
            ticket, client = found
            items: list[tuple[datetime, int, Message]] = [
                (ticket.created_at, 0, Message("customer", ticket.description, ticket.created_at))
            ]
            for kind, body, at in s.exec(
                select(Reply.author_kind, Reply.body, Reply.created_at).where(
                    Reply.ticket_id == ticket.id
                )
            ).all():
                who = "customer" if kind == AuthorKind.CUSTOMER else "technician"
                items.append((at, 1, Message(who, body, at)))
            if self.settings.ai_include_notes:
                for body, at in s.exec(
                    select(InternalNote.body, InternalNote.created_at).where(
                        InternalNote.ticket_id == ticket.id
                    )
                ).all():
                    items.append((at, 1, Message("note", body, at)))
        items.sort(key=lambda item: (item[0], item[1]))
        return Conversation(
            number, ticket.subject, ticket.priority, client, tuple(m for _, _, m in items)
        )

    # -- analysis ----------------------------------------------------------------

    def analyze(self, conversation: Conversation) -> Analysis:
        """The model's analysis, or the rules' (saying why) when it cannot be had."""
        model = self.model
        if model is None:
            return rules.analyze(conversation)
        try:
            answer = complete(model, prompts.analysis_messages(conversation), json_answer=True)
            return read_answer(answer)
        except (ModelError, BadAnswer) as exc:
            fallback = rules.analyze(conversation)
            return Analysis(
                fallback.suggested_priority,
                fallback.security,
                fallback.frustration,
                fallback.confidence,
                fallback.reason,
                "rules",
                fallback=str(exc),
            )

    def analyze_ticket(self, desk: Desk, number: int, event_id: int | None = None) -> Analysis:
        analysis = self.analyze(self.conversation(number))
        desk.record_analysis(
            number, analysis, model=self.settings.ai_model or None, event_id=event_id
        )
        return analysis

    def analyze_new(self, desk: Desk) -> str:
        """The daemon's job: analyse each ticket a new ticket or customer reply
        touched since the last analysis it made (a batch per run)."""
        with self.db.read() as s:
            last = (
                s.exec(
                    select(AiSuggestion.event_id)
                    .where(col(AiSuggestion.event_id).is_not(None))
                    .order_by(col(AiSuggestion.event_id).desc())
                    .limit(1)
                ).first()
                or 0
            )
            rows = s.exec(
                select(Event.id, Event.ticket_id)
                .where(col(Event.id) > last, col(Event.kind).in_(ANALYSE_ON))
                .order_by(col(Event.id))
                .limit(BATCH)
            ).all()
            ids = sorted({t for _, t in rows if t is not None})
            numbers = dict(
                s.exec(select(Ticket.id, Ticket.number).where(col(Ticket.id).in_(ids))).all()
            )
        # One analysis per ticket per batch, at its newest event.
        newest: dict[int, int] = {}
        for event_id, ticket_id in rows:
            if ticket_id is not None and event_id is not None and ticket_id in numbers:
                newest[ticket_id] = event_id
        done = 0
        for ticket_id, event_id in sorted(newest.items(), key=lambda kv: kv[1]):
            self.analyze_ticket(desk, numbers[ticket_id], event_id)
            done += 1
        return f"analysed {done}" if done else "nothing to analyse"

    # -- drafts --------------------------------------------------------------------

    def articles_for(self, conversation: Conversation, limit: int = 3) -> list[Article]:
        with self.db.read() as s:
            rows = s.exec(select(KBArticle).order_by(col(KBArticle.id))).all()
            articles = [Article(a.slug, a.title, a.body, a.tags) for a in rows]
        query = f"{conversation.subject}\n{conversation.last_customer_text}"
        return best_articles(query, articles, limit)

    def _signature(self, desk: Desk) -> str:
        """The technician's display name (a Unix account name signs no letter)."""
        if desk.actor.technician_id is not None:
            with self.db.read() as s:
                tech = s.get(Technician, desk.actor.technician_id)
                if tech is not None and tech.display_name:
                    return tech.display_name
        return desk.actor.name

    def draft(
        self, desk: Desk, number: int, *, cancelled: Callable[[], bool] = lambda: False
    ) -> Draft | None:
        """A reply draft for ticket ``number``, recorded for review; None if cancelled
        while the model was thinking (nothing is recorded then)."""
        conversation = self.conversation(number)
        articles = self.articles_for(conversation)
        titles = [a.title for a in articles]
        technician = self._signature(desk)
        model = self.model
        fallback = None
        text = None
        if model is not None:
            try:
                text = complete(
                    model, prompts.draft_messages(conversation, articles, technician)
                ).strip()
            except ModelError as exc:
                fallback = str(exc)
        if cancelled():
            return None
        source = "model" if text else "extractive"
        if not text:
            contact = queries.get_ticket(self.db, number).contact
            text = extractive.draft(conversation, articles, contact, technician)
        confidence = 0.5 if source == "model" else (0.6 if articles else 0.2)
        row = desk.record_draft(
            number,
            text,
            source=source,
            articles=titles,
            confidence=confidence,
            model=model.model if source == "model" and model else None,
            reason=f"the model was not used: {fallback}" if fallback else "",
        )
        assert row.id is not None
        return Draft(text, titles, source, row.id, fallback)
