"""The rule analyzer: what it flags, and how well on a hand-labelled set."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from bench import ai_rules_report

from regentra_core.ai import rules
from regentra_core.ai.analysis import BadAnswer, read_answer
from regentra_core.ai.conversation import Conversation, Message
from regentra_core.enums import Priority
from tests.conftest import T0

FLOOR = 0.9
"""Precision and recall the rules must keep on the dev part of the labelled set, which
they were written against (README: AI; the held-out part is test_ai_rules_heldout.py)."""


def _conversation(subject: str, *texts: str, gap: timedelta = timedelta(hours=1)) -> Conversation:
    messages = tuple(Message("customer", t, T0 + gap * n) for n, t in enumerate(texts))
    return Conversation(1001, subject, Priority.MEDIUM, "Acme", messages)


def test_the_dev_set_has_each_label_and_hard_negatives():
    tickets = ai_rules_report.load(ai_rules_report.DEV)
    assert len(tickets) >= 170
    assert sum(t.security for t in tickets) >= 50
    assert sum(t.frustration for t in tickets) >= 35
    assert sum(not (t.security or t.frustration) for t in tickets) >= 70
    assert {t.priority for t in tickets} == {"low", "medium", "high", "critical"}


@pytest.mark.parametrize("flag", ["security", "frustration"])
def test_precision_and_recall_on_the_labelled_set_hold(flag):
    found, _ = ai_rules_report.scores(ai_rules_report.load(ai_rules_report.DEV))
    score = next(s for s in found if s.label == flag)
    assert score.precision >= FLOOR and score.recall >= FLOOR, score


def test_ransomware_is_security_and_critical_with_its_words_named():
    a = rules.analyze(_conversation("Files encrypted", "All our files are encrypted, ransom note"))
    assert a.security and a.suggested_priority == Priority.CRITICAL
    assert '"ransom' in a.reason and a.source == "rules"


def test_a_training_request_mentioning_phishing_is_not_an_incident():
    a = rules.analyze(_conversation("Training", "Please book phishing awareness training"))
    assert not a.security


def test_three_unanswered_messages_in_a_day_are_frustration():
    c = _conversation("Printer", "Printer broken", "Any news?", "Hello?", gap=timedelta(hours=2))
    a = rules.analyze(c)
    assert a.frustration and "3 messages without an answer" in a.reason


def test_a_technician_answer_resets_the_chase():
    c = _conversation("Printer", "Printer broken", "Any news?")
    answered = Conversation(
        c.number,
        c.subject,
        c.priority,
        c.client,
        (
            *c.messages,
            Message("technician", "On it", T0 + timedelta(hours=3)),
            Message("customer", "Thanks", T0 + timedelta(hours=4)),
        ),
    )
    assert not rules.analyze(answered).frustration


def test_only_the_customers_words_count():
    c = Conversation(
        1001,
        "Mailbox",
        Priority.MEDIUM,
        None,
        (
            Message("customer", "Mailbox full", T0),
            Message("technician", "Never click phishing links, by the way", T0),
        ),
    )
    assert not rules.analyze(c).security


def test_no_hurry_words_suggest_low_and_a_plain_request_keeps_the_customers_priority():
    assert rules.analyze(_conversation("Toner", "No rush, toner low")).suggested_priority == (
        Priority.LOW
    )
    plain = _conversation("Access", "Please give Peter the shared mailbox")
    analysis = rules.analyze(plain)
    assert analysis.suggested_priority == Priority.MEDIUM and not analysis.security
    low = Conversation(1001, "Access", Priority.LOW, None, plain.messages)
    assert rules.analyze(low).suggested_priority == Priority.LOW


@pytest.mark.parametrize(
    "answer",
    [
        "not json",
        "[]",
        '{"suggested_priority": "urgent", "security": false, "frustration": false, '
        '"confidence": 0.5, "reason": "x"}',
        '{"suggested_priority": "low", "security": "yes", "frustration": false, '
        '"confidence": 0.5, "reason": "x"}',
        '{"suggested_priority": "low", "security": false, "frustration": false, '
        '"confidence": 7, "reason": "x"}',
        '{"suggested_priority": "low", "security": false, "frustration": false, "reason": "x"}',
    ],
)
def test_a_model_answer_off_the_schema_is_refused(answer):
    with pytest.raises(BadAnswer):
        read_answer(answer)


def test_a_fenced_model_answer_is_read():
    text = (
        '```json\n{"suggested_priority": "High", "security": true, "frustration": false, '
        '"confidence": 0.8, "reason": "phishing link clicked", "extra": 1}\n```'
    )
    a = read_answer(text)
    assert a.suggested_priority == Priority.HIGH and a.security and a.source == "model"


def test_retrieval_finds_the_topic_and_leaves_out_chance_matches():
    from regentra_core import kb
    from regentra_core.ai.retrieval import Article, best_articles

    folder = Path(__file__).parents[2] / "data" / "kb"
    articles = []
    for path in sorted(folder.glob("*.md")):
        text = kb.parse(path.read_text(encoding="utf-8"), source=path.name)
        articles.append(Article(path.stem, text.title, text.body, text.tags))
    printer = best_articles("Printers offline again on every PC", articles)
    assert [a.slug for a in printer] == ["printer-offline"]
    assert best_articles("New starter laptop for Monday", articles) == []
    assert best_articles("VPN gateway unreachable", articles)[0].slug == "vpn-cannot-connect"
