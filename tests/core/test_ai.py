"""The AI helper against a local OpenAI-compatible stand-in, through real litellm."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from regentra_core import queries
from regentra_core.ai import reviews
from regentra_core.ai.assistant import Assistant
from regentra_core.config import Settings
from regentra_core.desk import Desk
from regentra_core.enums import Priority, Status
from regentra_core.errors import NoChange, ValidationError
from regentra_core.identity import Actor
from regentra_core.store.models import AiSuggestion, Event, IndexOutbox
from tests.helpers.llm_standin import LlmStandIn, Raw, Slow
from tests.helpers.llm_standin import Status as HttpStatus


def _answer(priority="medium", security=False, frustration=False, confidence=0.9):
    return json.dumps(
        {
            "suggested_priority": priority,
            "security": security,
            "frustration": frustration,
            "confidence": confidence,
            "reason": "the model says so",
        }
    )


@pytest.fixture
def llm():
    server = LlmStandIn(default=_answer()).start()
    yield server
    server.stop()


def _assistant(db, llm=None, **settings) -> Assistant:
    if llm is not None:
        settings = {
            "ai_model": "openai/standin",
            "ai_api_base": llm.api_base,
            "ai_api_key": "sk-test",
            "ai_timeout_seconds": 2,
            **settings,
        }
    return Assistant(db, Settings(**settings))


@pytest.fixture
def kb(desk):
    desk.add_article(
        "Network printer shows as offline",
        "1. Print a configuration page.\n2. Restart the Print Spooler service.",
        tags="printer",
    )
    desk.add_article("VPN cannot connect", "1. Check the internet connection.", tags="vpn")


def test_the_prompt_carries_the_thread_and_kb_and_never_a_note_or_another_ticket(
    db, desk, new_ticket, kb, llm
):
    other = new_ticket(subject="Zeppelin hangar keys", description="Other client secret")
    t = new_ticket(subject="Printer offline", description="The printer is offline again")
    desk.add_technician_reply(t.number, "Have you restarted it?")
    desk.add_customer_reply(t.number, "Yes, still offline")
    desk.add_note(t.number, "Customer owes us money, NOTE-SECRET")
    assistant = _assistant(db, llm)
    assistant.analyze_ticket(desk, t.number)
    llm.answer("Hi Sam, please restart the Print Spooler service.")
    made = assistant.draft(desk, t.number)
    assert made is not None and made.source == "model"
    assert made.articles[0] == "Network printer shows as offline"
    for n in (0, 1):
        prompt = llm.prompt_text(n)
        assert "The printer is offline again" in prompt and "still offline" in prompt
        assert "Have you restarted it?" in prompt
        assert "NOTE-SECRET" not in prompt and "Zeppelin" not in prompt
        assert str(other.number) not in prompt
    assert "Restart the Print Spooler service" in llm.prompt_text(1)
    assert llm.requests[0]["response_format"] == {"type": "json_object"}


def test_notes_enter_the_prompt_only_when_the_desk_allows_it(db, desk, new_ticket, llm):
    t = new_ticket()
    desk.add_note(t.number, "NOTE-SECRET")
    _assistant(db, llm, ai_include_notes=True).analyze_ticket(desk, t.number)
    assert "NOTE-SECRET" in llm.prompt_text()


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (Slow(4, _answer()), "timed out"),
        (Raw(b"<html>gateway</html>"), ""),
        (HttpStatus(500), ""),
        ("I think this is quite urgent!", "not JSON"),
        (_answer(priority="urgent"), "is not a priority"),
    ],
)
def test_timeouts_errors_and_garbage_fall_back_to_the_rules_and_say_so(
    db, desk, new_ticket, llm, answer, why
):
    t = new_ticket(subject="Phishing mail", description="I clicked a phishing link")
    llm.answer(answer)
    analysis = _assistant(db, llm).analyze_ticket(desk, t.number)
    assert analysis.source == "rules" and analysis.security
    assert analysis.fallback and why in analysis.fallback
    kept = reviews.latest(db, t.number, "analysis")
    assert kept is not None and "the model's answer was not used" in kept.reason


@pytest.mark.parametrize("answered", ["critical", "low"])
def test_a_model_answer_never_changes_priority_only_the_suggestion(
    db, desk, new_ticket, llm, answered
):
    t = new_ticket(priority=Priority.MEDIUM)
    llm.answer(_answer(priority=answered))
    _assistant(db, llm).analyze_ticket(desk, t.number)
    row = queries.get_ticket(db, t.number)
    assert row.priority == Priority.MEDIUM
    assert row.suggested_priority == Priority(answered)


def test_a_security_flag_raises_low_to_high_by_policy(db, desk, new_ticket, llm):
    t = new_ticket(priority=Priority.LOW)
    llm.answer(_answer(priority="low", security=True))
    _assistant(db, llm).analyze_ticket(desk, t.number)
    assert queries.get_ticket(db, t.number).priority == Priority.HIGH
    changed = [e for e in queries.ticket_history(db, t.number) if e.kind == "priority_changed"]
    assert changed[-1].detail.startswith("source policy, reason ai_security")


@pytest.mark.parametrize("start", [Priority.HIGH, Priority.CRITICAL])
def test_high_and_critical_are_never_touched(db, desk, new_ticket, llm, start):
    t = new_ticket(priority=start)
    llm.answer(_answer(priority="low", security=True, frustration=True))
    _assistant(db, llm).analyze_ticket(desk, t.number)
    assert queries.get_ticket(db, t.number).priority == start


def test_a_frustration_flag_from_the_rules_raises_medium_to_high(db, desk, new_ticket):
    t = new_ticket(subject="Printer", description="Third time I write. Unacceptable.")
    analysis = _assistant(db).analyze_ticket(desk, t.number)
    assert analysis.frustration and analysis.source == "rules"
    assert queries.get_ticket(db, t.number).priority == Priority.HIGH


def test_the_daemon_job_analyses_each_new_ticket_and_customer_reply_once(db, desk, new_ticket):
    system = Desk(db, Actor.system("ai"), source="worker", clock=desk.clock)
    a = new_ticket(subject="Printer", description="Printer offline")
    b = new_ticket(subject="Mailbox", description="Mailbox full")
    assistant = _assistant(db)
    assert assistant.analyze_new(system) == "analysed 2"
    assert assistant.analyze_new(system) == "nothing to analyse"
    desk.add_customer_reply(a.number, "Still broken, this is ridiculous")
    assert assistant.analyze_new(system) == "analysed 1"
    latest = reviews.latest(db, a.number, "analysis")
    assert latest is not None and latest.frustration
    assert reviews.latest(db, b.number, "analysis") is not None
    assert assistant.analyze_new(system) == "nothing to analyse"


def test_without_a_model_the_draft_is_extractive_from_the_best_article(db, desk, new_ticket, kb):
    t = new_ticket(subject="Printer offline", description="Our printer shows offline")
    made = _assistant(db).draft(desk, t.number)
    assert made is not None and made.source == "extractive"
    assert made.articles[0] == "Network printer shows as offline"
    assert "1. Print a configuration page." in made.text
    assert "2. Restart the Print Spooler service." in made.text
    assert made.text.startswith("Hi Sam,")


def test_a_model_that_fails_gives_the_extractive_draft_and_says_why(db, desk, new_ticket, kb, llm):
    t = new_ticket(subject="VPN cannot connect", description="VPN down from home")
    llm.answer(HttpStatus(503))
    made = _assistant(db, llm).draft(desk, t.number)
    assert made is not None and made.source == "extractive" and made.fallback
    assert "Check the internet connection" in made.text


def test_a_cancelled_draft_records_nothing(db, desk, new_ticket, llm):
    t = new_ticket()
    llm.answer("a draft")
    assert _assistant(db, llm).draft(desk, t.number, cancelled=lambda: True) is None
    with db.read() as s:
        assert s.exec(select(AiSuggestion)).all() == []


def test_a_reply_from_a_draft_records_sent_or_edited_and_discard_is_once(db, desk, new_ticket, kb):
    t = new_ticket()
    assistant = _assistant(db)
    first = assistant.draft(desk, t.number)
    second = assistant.draft(desk, t.number)
    third = assistant.draft(desk, t.number)
    assert first and second and third
    desk.add_technician_reply(t.number, first.text, draft=first.suggestion_id)
    desk.add_technician_reply(t.number, second.text + "\nP.S. edited", draft=second.suggestion_id)
    desk.discard_draft(third.suggestion_id)
    with pytest.raises(NoChange):
        desk.discard_draft(third.suggestion_id)
    outcomes = {r.id: r.outcome for r in reviews.suggestions(db, pending_only=False)}
    assert outcomes[first.suggestion_id] == "sent"
    assert outcomes[second.suggestion_id] == "edited"
    assert outcomes[third.suggestion_id] == "discarded"


def test_a_reply_naming_another_tickets_draft_is_refused_whole(db, desk, new_ticket, kb):
    a, b = new_ticket(), new_ticket()
    made = _assistant(db).draft(desk, a.number)
    assert made is not None
    with pytest.raises(ValidationError):
        desk.add_technician_reply(b.number, "hello", draft=made.suggestion_id)
    assert queries.ticket_detail(db, b.number).thread == []


def test_the_review_queue_lists_low_confidence_first_and_counts_accuracy(
    db, desk, new_ticket, clock
):
    sure = new_ticket(subject="Files encrypted", description="ransom note, all files encrypted")
    unsure = new_ticket(subject="Question", description="Please add Peter to the mailbox")
    assistant = _assistant(db)
    assistant.analyze_ticket(desk, sure.number)
    assistant.analyze_ticket(desk, unsure.number)
    queue = reviews.suggestions(db)
    assert [r.ticket for r in queue] == [unsure.number, sure.number]
    desk.review_suggestion(queue[0].id, "wrong")
    desk.review_suggestion(queue[1].id, "correct")
    assert reviews.suggestions(db) == []
    weeks = reviews.accuracy(db, now=clock.now)
    assert [(w.correct, w.wrong, w.accuracy) for w in weeks] == [(1, 1, 0.5)]
    with pytest.raises(ValidationError):
        desk.review_suggestion(queue[0].id, "maybe")


def test_kb_articles_are_added_edited_imported_whole_and_indexed(db, desk):
    article = desk.add_article("Mailbox full", "1. Empty the deleted items.", tags="Email, email")
    assert article.slug == "mailbox-full" and article.tags == "email"
    again = desk.add_article("Mailbox full", "Other text")
    assert again.slug == "mailbox-full-2"
    desk.edit_article("mailbox-full", body="1. Archive old mail.")
    with pytest.raises(NoChange):
        desk.edit_article("mailbox-full", body="1. Archive old mail.")
    with pytest.raises(ValidationError):
        desk.import_articles([("good", "# Good\nTags: x\n\nbody"), ("bad", "no title line")])
    assert [a.slug for a in queries.kb_articles(db)] == ["mailbox-full", "mailbox-full-2"]
    added = desk.import_articles(
        [
            ("good", "# Good\n\nbody"),
            ("mailbox-full", "# Mailbox full\nTags: email\n\n1. Archive old mail."),
        ]
    )
    assert added == (1, 0, 1)
    with db.read() as s:
        assert len([r for r in s.exec(select(IndexOutbox)).all() if r.kb_id]) >= 3
        kinds = {e.kind for e in s.exec(select(Event)).all()}
    assert {"kb_added", "kb_edited", "kb_imported"} <= kinds


def test_a_closed_ticket_is_analysed_but_never_escalated(db, desk, new_ticket):
    t = new_ticket(priority=Priority.LOW, description="phishing link clicked")
    desk.change_status(t.number, Status.RESOLVED)
    _assistant(db).analyze_ticket(desk, t.number)
    assert queries.get_ticket(db, t.number).priority == Priority.LOW
