"""AI work a technician asks of the worker daemon, which alone can read the model's key.

The model is the local OpenAI-compatible stand-in, reached through the real litellm;
the key is in a file only the daemon's settings name (the technician's settings name
a model and no key, as a shared host's host config does).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import col, select

from regentra_core.ai import reviews
from regentra_core.ai.assistant import Assistant, Draft, answer_of
from regentra_core.ai.model import api_base_for
from regentra_core.ai.requests import (
    daemon_running,
    needs_daemon,
    request_view,
    wait_for_answer,
)
from regentra_core.config import Settings
from regentra_core.desk import Desk
from regentra_core.errors import NoChange
from regentra_core.identity import Actor
from regentra_core.store.models import AiRequest, AiSuggestion, Event
from regentra_core.wiring import Wiring
from regentra_core.worker import WorkerRunner
from regentra_core.worker.lease import acquire_or_renew
from tests.conftest import T0
from tests.helpers.llm_standin import LlmStandIn
from tests.helpers.llm_standin import Status as HttpStatus

MODEL_DRAFT = "Hi Sam, restart the Print Spooler service and print a test page."


@pytest.fixture
def llm():
    server = LlmStandIn(default=MODEL_DRAFT).start()
    yield server
    server.stop()


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "secrets" / "ai_api_key"
    path.parent.mkdir()
    path.write_text("sk-daemon-only\n", encoding="utf-8")
    return path


def _technician(llm) -> Settings:
    """What a technician's process reads: a model, its server, no key."""
    return Settings(ai_model="openai/standin", ai_api_base=llm.api_base, ai_timeout_seconds=5)


def _daemon(llm, key_file, **more) -> Settings:
    """The service account's settings: the same model, and the key's file."""
    return Settings(
        ai_model="openai/standin",
        ai_api_base=llm.api_base,
        ai_api_key_file=key_file,
        ai_timeout_seconds=5,
        **more,
    )


def _ai_desk(db, clock) -> Desk:
    return Desk(db, Actor.system("ai"), source="worker", clock=clock)


@pytest.fixture
def printer(desk, new_ticket):
    desk.add_article(
        "Network printer shows as offline",
        "1. Print a configuration page.\n2. Restart the Print Spooler service.",
        tags="printer",
    )
    return new_ticket(subject="Printer offline", description="The printer is offline again")


def test_a_technician_without_the_key_asks_the_daemon(llm, key_file, tmp_path):
    assert needs_daemon(_technician(llm))
    assert not needs_daemon(_daemon(llm, key_file))
    assert not needs_daemon(Settings())  # no model: the extractive draft needs no secret
    assert not needs_daemon(Settings(ai_model="openai/x", ai_api_key="sk-own"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    try:
        # The service account's file, which this account cannot open.
        assert needs_daemon(Settings(ai_model="openai/x", ai_api_key_file=locked / "key"))
    finally:
        locked.chmod(0o700)


def test_without_the_key_a_technicians_own_model_call_fails(db, desk, printer, llm):
    """Why the daemon must do it: litellm refuses to call without a key."""
    made = Assistant(db, _technician(llm)).draft(desk, printer.number)
    assert made is not None and made.source == "extractive" and made.fallback


def test_the_daemon_answers_a_technicians_request_with_a_model_draft(
    db, desk, clock, printer, llm, key_file
):
    request = desk.request_ai(printer.number, "draft")
    assert request.state == "pending" and request.requested_by == "alice"
    with db.read() as s:
        asked = s.exec(select(Event).where(Event.kind == "ai_requested")).all()
    assert [(e.actor, e.to_value) for e in asked] == [("alice", "draft")]

    result = Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock))
    assert result == "answered 1"
    view = request_view(db, request.id)
    assert view is not None and view.state == "answered" and view.error == ""
    made = answer_of(db, view)
    assert isinstance(made, Draft) and made.source == "model" and made.text == MODEL_DRAFT
    assert made.articles == ["Network printer shows as offline"]
    # In the review queue exactly as a draft made at the desk, signed by the asker.
    draft = reviews.latest(db, printer.number, "draft")
    assert draft is not None and draft.id == view.suggestion_id and draft.source == "model"
    assert "Alice" in llm.prompt_text()
    # Answered once: the next run has nothing to do.
    assert Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock)) == (
        "nothing asked"
    )


def test_an_analysis_request_is_answered_by_the_model(db, desk, clock, new_ticket, llm, key_file):
    t = new_ticket(subject="Slow PC", description="It is slow")
    llm.answer(
        '{"suggested_priority": "high", "security": false, "frustration": false, '
        '"confidence": 0.8, "reason": "the model says so"}'
    )
    request = desk.request_ai(t.number, "analysis")
    Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock))
    view = request_view(db, request.id)
    analysis = answer_of(db, view)
    assert analysis.source == "model" and analysis.suggested_priority.value == "high"
    assert analysis.reason == "the model says so"


def test_a_model_error_gives_the_extractive_draft_and_the_request_says_why(
    db, desk, clock, printer, llm, key_file
):
    llm.answer(HttpStatus(500))
    request = desk.request_ai(printer.number, "draft")
    Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock))
    view = request_view(db, request.id)
    assert view.state == "answered" and "500" in view.error
    made = answer_of(db, view)
    assert made.source == "extractive" and made.fallback == view.error
    with db.read() as s:
        row = s.get(AiSuggestion, view.suggestion_id)
    assert row.reason.startswith("the model was not used")


def test_a_request_nobody_answered_expires_with_the_reason(db, desk, clock, printer, llm, key_file):
    request = desk.request_ai(printer.number, "draft")
    fresh = desk.request_ai(printer.number, "draft")
    fresh = replace(fresh, created_at=fresh.created_at + timedelta(minutes=2))
    later = request.created_at + timedelta(minutes=31)
    with db.write() as s:  # asked two minutes after the first
        s.get(AiRequest, fresh.id).created_at = fresh.created_at
    result = Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock), later)
    assert result == "answered 1, expired 1"
    old = request_view(db, request.id)
    assert old.state == "failed" and "expired" in old.error and old.suggestion_id is None
    assert request_view(db, fresh.id).state == "answered"
    with db.read() as s:
        failed = s.exec(select(Event).where(Event.kind == "ai_request_failed")).all()
    assert len(failed) == 1 and "expired" in failed[0].detail


def test_a_cancelled_request_is_not_answered_and_records_nothing(
    db, desk, clock, printer, llm, key_file
):
    request = desk.request_ai(printer.number, "draft")
    desk.fail_ai_request(request.id, "cancelled by alice")
    with pytest.raises(NoChange, match="already failed: cancelled by alice"):
        desk.fail_ai_request(request.id, "again")
    result = Assistant(db, _daemon(llm, key_file)).answer_requests(_ai_desk(db, clock))
    assert result == "nothing asked" and llm.requests == []
    with db.read() as s:
        assert s.exec(select(AiSuggestion)).all() == []


def test_a_draft_finished_after_its_request_was_cancelled_is_dropped(
    db, desk, clock, printer, llm, key_file
):
    """The model answered, but the technician cancelled meanwhile: nothing recorded."""
    request = desk.request_ai(printer.number, "draft")
    view = request_view(db, request.id)
    desk.fail_ai_request(request.id, "cancelled by alice")
    with pytest.raises(NoChange):
        Assistant(db, _daemon(llm, key_file)).draft(
            _ai_desk(db, clock), printer.number, request=view
        )
    with db.read() as s:
        assert s.exec(select(col(AiSuggestion.id))).all() == []


def test_only_a_daemon_holding_the_lease_counts_as_running(db):
    assert not daemon_running(db, T0)
    assert acquire_or_renew(db, "host:10:tui-alice", 15, T0)
    assert not daemon_running(db, T0)  # an app's embedded worker holds no secret
    assert acquire_or_renew(db, "host:11:worker", 15, T0 + _seconds(16))
    assert daemon_running(db, T0 + _seconds(17))
    assert not daemon_running(db, T0 + _seconds(60))  # it stopped beating


def _seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_a_daemon_runner_answers_while_the_technician_waits(
    db, desk, clock, printer, llm, key_file
):
    """The daemon's own jobs (``Wiring.ai_jobs``) in a running worker, the key theirs."""
    jobs = Wiring(_daemon(llm, key_file), db, None, clock=clock).ai_jobs(with_secrets=True)
    assert [j.name for j in jobs] == ["ai-analyze", "ai-requests"]
    runner = WorkerRunner(
        db,
        label="worker",
        lease_seconds=5,
        heartbeat_seconds=0.2,
        sla_seconds=3600,
        auto_close_seconds=3600,
        extra_jobs=tuple(j for j in jobs if j.name == "ai-requests"),
    )
    runner.start()
    try:
        request = desk.request_ai(printer.number, "draft")
        view = wait_for_answer(db, request.id, 30, every=0.1)
    finally:
        runner.stop()
    assert view.state == "answered"
    assert answer_of(db, view).text == MODEL_DRAFT


def test_an_app_worker_never_answers_requests(llm, key_file, db):
    jobs = Wiring(_daemon(llm, key_file), db, None).ai_jobs(with_secrets=False)
    assert jobs == ()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1"),
        ("https://example.com/v1beta/openai/", "https://example.com/v1beta/openai"),
    ],
)
def test_an_openai_compatible_base_is_taken_with_or_without_v1(given, used):
    assert api_base_for("openai/local", given) == used
    assert api_base_for("ollama/llama3", "http://h:11434") == "http://h:11434"


def test_a_base_without_v1_reaches_the_server(db, desk, printer, llm):
    base = llm.api_base.removesuffix("/v1")
    settings = Settings(ai_model="openai/standin", ai_api_base=base, ai_api_key="sk-x")
    made = Assistant(db, settings).draft(desk, printer.number)
    assert made is not None and made.source == "model", made.fallback


def test_the_daemon_loads_the_model_client_as_it_starts_not_in_the_first_request(db, llm, key_file):
    """The rehearsal's first draft after a daemon start took 32 s, 30 of them importing
    litellm inside that request. In a process of its own (this one may have imported
    litellm already): once the worker holds the lease, with nothing asked, litellm is
    being imported; the stand-in was never called."""
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from regentra_core.config import Settings
        from regentra_core.store import Database
        from regentra_core.wiring import Wiring
        from regentra_core.worker import WorkerRunner

        db = Database({db.url!r})
        settings = Settings(
            ai_model="openai/standin",
            ai_api_base={llm.api_base!r},
            ai_api_key_file=Path({str(key_file)!r}),
        )
        jobs = Wiring(settings, db, None).ai_jobs(with_secrets=True)
        runner = WorkerRunner(
            db, lease_seconds=5, heartbeat_seconds=0.2, sla_seconds=3600,
            auto_close_seconds=3600, automation_seconds=3600,
            extra_jobs=tuple(j for j in jobs if j.name == "ai-requests"),
        )
        print("before", "litellm" in sys.modules)
        runner.start()
        deadline = time.monotonic() + 60
        while not runner.holding and time.monotonic() < deadline:
            time.sleep(0.05)
        while "litellm" not in sys.modules and time.monotonic() < deadline:
            time.sleep(0.05)
        print("holding", runner.holding, "litellm" in sys.modules, flush=True)
        os._exit(0)  # not waiting for the import to finish: that it began is the point
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out == ["before", "False", "holding", "True", "True"]
    assert llm.requests == []
    with db.read() as s:
        assert s.exec(select(AiRequest)).all() == []


def test_following_a_request_waits_while_a_daemon_holds_the_lease_and_says_when_none_does(
    db, desk, clock, printer
):
    """The app's wait: no fixed time, but the request's state and the lease."""
    import threading

    from regentra_core.ai.requests import follow_request
    from regentra_core.worker.lease import release

    request = desk.request_ai(printer.number, "draft")
    stop = threading.Event()
    assert follow_request(db, request.id, stop=stop, every=0.05) is None  # nobody to answer
    assert acquire_or_renew(db, "host:11:worker", 60)
    still = follow_request(db, request.id, stop=stop, until=0.3, every=0.05)
    assert still is not None and still.pending  # the daemon is there: still waiting
    stop.set()
    assert follow_request(db, request.id, stop=stop) == still  # cancelled by the asker
    _ai_desk(db, clock).fail_ai_request(request.id, "expired: no worker daemon answered")
    release(db, "host:11:worker")
    given_up = follow_request(db, request.id, stop=threading.Event())
    assert given_up is not None and given_up.state == "failed"
    assert given_up.error.startswith("expired")
