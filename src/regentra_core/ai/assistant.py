"""The AI joined to the desk: reads a ticket, asks the model or the rules, records.

Every call ends in an answer: a model that times out, fails or answers garbage is
replaced by the rules (analysis) or the extractive draft, and the record says so.
Called from the daemon's analyzer job, the CLI and the app's worker threads; the
app never calls it on its UI thread, since the first model call imports litellm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from .. import queries
from ..channels.quoting import fold
from ..config import Settings
from ..config_groups import AiSettings
from ..desk import Desk
from ..enums import AuthorKind
from ..errors import ModelError, NoChange, NotFoundError, RegentraError
from ..events import EventKind
from ..store.engine import Database
from ..store.models import (
    AiSuggestion,
    Client,
    Contact,
    Event,
    InternalNote,
    KBArticle,
    Reply,
    Technician,
    Ticket,
)
from . import extractive, prompts, reviews, rules
from .analysis import Analysis, BadAnswer, read_answer
from .conversation import Conversation, Message
from .model import ModelSettings, api_base_for, complete
from .requests import REQUEST_EXPIRY, RequestView, pending_requests, request_view
from .retrieval import Article, best_articles

ANALYSE_ON = (EventKind.CREATED, EventKind.CUSTOMER_REPLY)
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

    def __init__(self, db: Database, settings: AiSettings | Settings) -> None:
        self.db = db
        self.settings = settings.ai if isinstance(settings, Settings) else settings
        """The ``ai_*`` settings (``Settings.ai``, as the composition root passes them;
        a whole ``Settings`` is still taken from callers that have not moved yet)."""

    @property
    def model(self) -> ModelSettings | None:
        ai = self.settings
        if not ai.configured:
            return None
        return ModelSettings(
            model=ai.model,
            api_base=api_base_for(ai.model, ai.api_base),
            api_key=ai.api_key.read(),
            timeout=ai.timeout_seconds,
        )

    def without_model(self) -> Assistant:
        """The rules and the extractive draft only: what a technician can have at once
        when the model's key is the daemon's and no daemon runs."""
        return Assistant(self.db, replace(self.settings, model=""))

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
                (ticket.created_at, 0, _customer(ticket.description, ticket.created_at))
            ]
            for kind, body, at, unverified, contact_id, email, phone, author in s.execute(
                sa_select(
                    col(Reply.author_kind),
                    col(Reply.body),
                    col(Reply.created_at),
                    col(Reply.unverified_sender),
                    col(Reply.contact_id),
                    col(Contact.email),
                    col(Contact.phone),
                    col(Reply.author_name),
                )
                .outerjoin(Contact, col(Contact.id) == col(Reply.contact_id))
                .where(col(Reply.ticket_id) == ticket.id)
            ).all():
                if kind != AuthorKind.CUSTOMER:
                    items.append((at, 1, Message("technician", body, at)))
                    continue
                # A stranger's words are shown to a model as a stranger's and weigh
                # on nothing (frustration, security) until a technician accepts them.
                other = unverified or contact_id != ticket.contact_id
                sender = (email or phone or author) if other else ""
                items.append((at, 1, _customer(body, at, sender, unverified)))
            if self.settings.include_notes:
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

    def analyze_ticket(
        self,
        desk: Desk,
        number: int,
        event_id: int | None = None,
        *,
        request_id: int | None = None,
    ) -> Analysis:
        analysis = self.analyze(self.conversation(number))
        desk.record_analysis(
            number,
            analysis,
            model=self.settings.model or None,
            event_id=event_id,
            request_id=request_id,
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

    def _signature(self, technician_id: int | None, name: str) -> str:
        """The technician's display name (a Unix account name signs no letter)."""
        if technician_id is not None:
            with self.db.read() as s:
                tech = s.get(Technician, technician_id)
                if tech is not None and tech.display_name:
                    return tech.display_name
        return name

    def draft(
        self,
        desk: Desk,
        number: int,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        request: RequestView | None = None,
    ) -> Draft | None:
        """A reply draft for ticket ``number``, recorded for review; None if cancelled
        while the model was thinking (nothing is recorded then). With ``request`` (the
        daemon answering a technician), it is signed by and answers that request."""
        conversation = self.conversation(number)
        articles = self.articles_for(conversation)
        titles = [a.title for a in articles]
        if request is None:
            technician = self._signature(desk.actor.technician_id, desk.actor.name)
        else:
            technician = self._signature(request.technician_id, request.requested_by)
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
            request_id=request.id if request else None,
            fallback=fallback,
        )
        assert row.id is not None
        return Draft(text, titles, source, row.id, fallback)

    # -- requests from technicians -------------------------------------------------

    def answer_requests(self, desk: Desk, now: datetime | None = None) -> str:
        """The daemon's job: answer what technicians asked for (oldest first), after
        giving up the requests nobody answered for ``REQUEST_EXPIRY`` by ``now`` (the
        database's clock, which dated them).

        A request cancelled while the model was thinking is refused by the Desk
        (``NoChange``) and nothing is recorded for it; one that cannot be made at all
        (its ticket gone) fails with the reason, so its asker hears why.
        """
        now = now or self.db.server_now()
        answered = expired = 0
        for request in pending_requests(self.db):
            current = request_view(self.db, request.id)
            if current is None or not current.pending:
                continue  # cancelled while an earlier one was being made
            try:
                if now - request.created_at > REQUEST_EXPIRY:
                    minutes = int(REQUEST_EXPIRY.total_seconds() // 60)
                    desk.fail_ai_request(
                        request.id,
                        f"expired: no worker daemon answered within {minutes} minutes",
                    )
                    expired += 1
                elif request.kind == "draft":
                    self.draft(desk, request.number, request=request)
                    answered += 1
                else:
                    self.analyze_ticket(desk, request.number, request_id=request.id)
                    answered += 1
            except NoChange:
                continue  # cancelled (or answered by another worker) meanwhile
            except RegentraError as exc:
                try:
                    desk.fail_ai_request(request.id, str(exc))
                except NoChange:
                    continue
        if not (answered or expired):
            return "nothing asked"
        return f"answered {answered}" + (f", expired {expired}" if expired else "")


def _customer(body: str, at: datetime, sender: str = "", unverified: bool = False) -> Message:
    """A customer's message as they wrote it this time: the history and signature their
    mail client carried along are left out, as the app and the portal fold them."""
    folded = fold(body)
    return Message("customer", folded.shown, at, folded.what, sender, unverified)


def answer_of(db: Database, request: RequestView) -> Draft | Analysis:
    """What an answered request was answered with, as the asker prints it."""
    assert request.state == "answered" and request.suggestion_id is not None
    row = reviews.suggestion(db, request.suggestion_id)
    if row is None:
        raise NotFoundError(f"no AI suggestion {request.suggestion_id}")
    fallback = request.error or None
    if row.kind == "draft":
        return Draft(row.body, row.articles, row.source, row.id, fallback)
    assert row.suggested_priority is not None
    reason = row.reason.removesuffix(f" (the model's answer was not used: {fallback})")
    return Analysis(
        row.suggested_priority,
        row.security,
        row.frustration,
        row.confidence,
        reason,
        row.source,
        fallback=fallback,
    )
