"""AI work a technician asks of the worker daemon, which alone holds the model's key.

On a shared host the model's key is readable by the service account only, so a
technician's process cannot call the model. It stores a request instead
(``Desk.request_ai``, one Event); the daemon's ``ai-requests`` job
(``Assistant.answer_requests``) makes the draft or analysis and records it in the
review queue, answering the request in the same transaction. The asking side (the
CLI, the app) decides with :func:`needs_daemon`, checks :func:`daemon_running`,
and waits with :func:`wait_for_answer` (the CLI, for a time it is told) or
:func:`follow_request` (the app, for as long as a daemon is there to answer);
nothing here imports litellm.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from ..config import Settings
from ..config_groups import AiSettings
from ..errors import ValidationError
from ..store.engine import Database
from ..store.models import AiRequest, Ticket
from ..worker.lease import current_lease

REQUEST_EXPIRY = timedelta(minutes=30)
"""A request nobody answered for this long is given up: the technician has moved on.
Measured by the database's clock, which dates requests too (a technician's host
with a wrong clock would otherwise make a fresh request look a day old)."""

WAIT_SLACK = 10.0
"""Seconds a waiting technician allows the daemon beyond the model's own timeout
(the daemon's poll, the KB read, the write)."""

NO_DAEMON = "No worker daemon is running: ask an admin to start regentra-worker"


def needs_daemon(settings: AiSettings | Settings) -> bool:
    """Whether AI work in this process must be asked of the daemon: a model is set up
    and its key cannot be read here (the service account's secret file, as a shared
    host keeps it). Without a model the rules and the extractive draft need no secret;
    with the key readable (a private desk's own config, the daemon) the model is
    asked directly. (Callers pass ``Settings.ai``; a whole ``Settings`` is still
    taken from those that have not moved yet.)"""
    ai = settings.ai if isinstance(settings, Settings) else settings
    if not ai.configured:
        return False
    try:
        return not ai.api_key.read()
    except ValidationError:  # the file is there, but not for this account
        return True


def daemon_running(db: Database, now: datetime | None = None) -> bool:
    """Whether a worker daemon holds the lease now, by the database's clock unless
    ``now`` is given (an app's embedded worker holds no secrets and answers nothing)."""
    lease = current_lease(db)
    return lease is not None and lease.alive(now) and not lease.by_app


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request as the asking side and the daemon read it."""

    id: int
    number: int
    kind: str
    state: str
    """``pending``, ``answered`` or ``failed``."""
    suggestion_id: int | None
    error: str
    """Why it failed, or why an answer did not come from the model."""
    requested_by: str
    technician_id: int | None
    created_at: datetime

    @property
    def pending(self) -> bool:
        return self.state == "pending"


def _views(db: Database, where: ColumnElement[bool], limit: int | None = None) -> list[RequestView]:
    with db.read() as s:
        query = (
            select(AiRequest, Ticket.number)
            .join(Ticket, col(Ticket.id) == col(AiRequest.ticket_id))
            .where(where)
            .order_by(col(AiRequest.id))
        )
        if limit is not None:
            query = query.limit(limit)
        rows = s.exec(query).all()
    return [
        RequestView(
            r.id or 0,
            number,
            r.kind,
            r.state,
            r.suggestion_id,
            r.error,
            r.requested_by,
            r.technician_id,
            r.created_at,
        )
        for r, number in rows
    ]


def request_view(db: Database, request_id: int) -> RequestView | None:
    found = _views(db, col(AiRequest.id) == request_id)
    return found[0] if found else None


def pending_requests(db: Database, limit: int = 20) -> list[RequestView]:
    """The requests nobody answered yet, oldest first."""
    return _views(db, col(AiRequest.state) == "pending", limit=limit)


def wait_for_answer(
    db: Database,
    request_id: int,
    timeout: float,
    *,
    stop: threading.Event | None = None,
    every: float = 0.5,
) -> RequestView:
    """The request once the daemon answered or gave it up, or as it is when
    ``timeout`` seconds have passed or ``stop`` is set (still pending then).

    A read of one row every ``every`` seconds: cheap, and it needs no change feed,
    so the CLI and the app's worker thread wait the same way.
    """
    stop = stop or threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        view = request_view(db, request_id)
        if view is None:
            raise ValidationError(f"AI request {request_id} is gone")
        left = deadline - time.monotonic()
        if not view.pending or left <= 0 or stop.wait(min(every, left)):
            return view


def follow_request(
    db: Database,
    request_id: int,
    *,
    stop: threading.Event,
    until: float | None = None,
    every: float = 0.5,
) -> RequestView | None:
    """The request once the daemon answered or gave it up (failed, expired), or as it
    is (still pending) when ``stop`` is set or ``until`` seconds have passed; None
    once no worker daemon holds the lease (nobody is left to answer it now; the
    next daemon to start will, within ``REQUEST_EXPIRY``).

    Not a fixed wait: a daemon's first model call after its start may load the
    model's client for half a minute on a busy host, and a technician told "none
    yet" then asks again. The request's state and the lease say how it goes.
    """
    deadline = None if until is None else time.monotonic() + until
    while True:
        view = request_view(db, request_id)
        if view is None:
            raise ValidationError(f"AI request {request_id} is gone")
        if not view.pending or stop.is_set():
            return view
        if not daemon_running(db):
            return None
        wait = every if deadline is None else min(every, deadline - time.monotonic())
        if wait <= 0 or stop.wait(wait):
            return view
