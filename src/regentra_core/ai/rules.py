"""The rule-based analyzer: transparent keywords, reply cadence, capitals and '!'.

Used whenever no model is configured or a model's answer cannot be used. Every
flag names the words or signals behind it, so a technician can see why.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..enums import Priority
from .analysis import Analysis
from .conversation import Conversation

SECURITY = re.compile(
    r"\b("
    r"phish\w*|ransom\w*|malware|virus(es)?|trojan|keylogger|spyware|"
    r"hack(ed|er|ers|ing)?|compromis\w*|breach(ed)?|"
    r"(leak\w*|stolen|exposed)\s+(password|credential|login)s?|"
    r"(password|credential|login)s?\s+(were\s+|was\s+|got\s+)?(leak\w*|stolen|exposed)|"
    r"suspicious\s+(login|sign[- ]?in|email|mail|link|attachment|activity)s?|"
    r"unauthori[sz]ed\s+(access|login|sign[- ]?in|transfer|payment)|"
    r"(files?|drive|disk)s?\s+(are|is|were|got)?\s*encrypted|"
    r"encrypted\s+(all\s+)?(our\s+|my\s+)?(files|drive|disk)|"
    r"bitcoin|crypto\s*wallet|fake\s+invoice|"
    r"clicked\s+(on\s+)?(a|the|that)\s+(link|attachment)|"
    r"someone\s+(logged|signed)\s+in|mfa\s+(prompt|request)s?\s+i\s+did(n'?t|\s+not)|"
    r"gift\s+cards?|wire\s+transfer\s+request|"
    r"(lost|stolen|missing|left)\s+(my\s+|our\s+|a\s+|the\s+|his\s+|her\s+)?(work\s+)?"
    r"(laptop|phone|tablet|device)|"
    r"(found|unknown)\s+(a\s+|an\s+)?usb\s+(stick|drive|key)|usb\s+(stick|drive|key)\s+"
    r"(they|we|someone|he|she)?\s*found|"
    r"(former|ex-?)\s*(employee|staff|colleague|worker)s?\s+(still\s+)?(has|have|had|can|with)"
    r")\b",
    re.IGNORECASE,
)
"""Words for phishing, malware, compromise, leaked credentials and lost devices."""

HARMLESS = re.compile(
    r"\b(phish\w*|security|malware|virus|ransomware)\s+"
    r"(awareness|training|simulation|course|test|policy|webinar|newsletter)\b",
    re.IGNORECASE,
)
"""Security words in requests about training and policy, not about an incident."""

SEVERE = re.compile(
    r"\b(ransom\w*|encrypted|whole\s+(office|company|team)|everyone|all\s+(users|staff|pcs)|"
    r"production\s+(is\s+)?down|server\s+(is\s+)?down|outage)\b",
    re.IGNORECASE,
)
"""What makes a security matter or an outage CRITICAL rather than HIGH."""

URGENT = re.compile(
    r"\b(urgent\w*|asap|down|outage|cannot\s+work|can'?t\s+work|nobody\s+can|"
    r"no\s+one\s+can|stopped\s+working|deadline\s+today|immediately|emergency)\b",
    re.IGNORECASE,
)

CALM = re.compile(
    r"\b(no\s+rush|when\s+you\s+(have|get)\s+(a\s+)?(time|chance|minute)|not\s+urgent|"
    r"low\s+priority|whenever|just\s+wondering|quick\s+question|how\s+do\s+i|"
    r"is\s+it\s+possible|would\s+it\s+be\s+possible|feature\s+request)\b",
    re.IGNORECASE,
)

ANGRY = re.compile(
    r"\b(unacceptable|ridiculous|outrageous|useless|incompetent|terrible|awful|worst|"
    r"fed\s+up|sick\s+of|furious|angry|frustrat\w*|disappointed|pathetic|"
    r"still\s+(not|no|isn'?t|doesn'?t|hasn'?t|broken|waiting)|"
    r"(second|third|fourth|fifth|\d+(st|nd|rd|th))\s+time|yet\s+again|"
    r"how\s+many\s+times|nobody\s+(has\s+)?(answered|replied|responded|called)|"
    r"no\s+(one|body)\s+(has\s+)?(answered|replied|responded|called)|"
    r"waiting\s+for\s+(days|weeks|hours)|cancel\s+(our|the|my)\s+contract|"
    r"escalate\s+this|speak\s+to\s+(a|your)\s+manager|not\s+happy|"
    r"no\s+(response|reply|answer|one\s+answers)|nothing\s+changes|keeps\s+happening|"
    r"(same|this)\s+problem\s+again|again\s+the\s+same)\b",
    re.IGNORECASE,
)
"""Wording of a customer who has run out of patience."""

_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_NOT_SHOUTING = {"VPN", "PDF", "CEO", "CFO", "MFA", "SMS", "URL", "USB", "WIFI", "DNS", "IMAP"}

FOLLOW_UPS = 3
"""Customer messages without an answer in between that count as chasing."""
FOLLOW_UP_WINDOW = timedelta(hours=48)


def _hits(pattern: re.Pattern[str], text: str) -> list[str]:
    seen: list[str] = []
    for match in pattern.finditer(text):
        word = " ".join(match.group(0).lower().split())
        if word not in seen:
            seen.append(word)
    return seen


def _shouting(text: str) -> bool:
    words = [w for w in _SHOUTED.findall(text) if w not in _NOT_SHOUTING]
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(words) >= 3 or (len(letters) >= 20 and upper / len(letters) > 0.6)


def _quoted(items: list[str], limit: int = 3) -> str:
    return ", ".join(f'"{w}"' for w in items[:limit])


def analyze(conversation: Conversation) -> Analysis:
    """Flags and a suggested priority from the customer's own words.

    Only the customer's messages count (a technician quoting "phishing" in an answer
    flags nothing), and the newest message weighs on frustration, since that is the
    mood the technician answers.
    """
    texts = [conversation.subject, *conversation.customer_texts]
    everything = "\n".join(texts)
    latest = conversation.last_customer_text or conversation.subject
    reasons: list[str] = []
    confidence = 0.5

    security_words = _hits(SECURITY, HARMLESS.sub(" ", everything))
    security = bool(security_words)
    if security:
        reasons.append(f"security words {_quoted(security_words)}")
        confidence = max(confidence, min(0.95, 0.65 + 0.1 * len(security_words)))

    angry_words = _hits(ANGRY, latest)
    exclaims = latest.count("!")
    shouting = _shouting(latest)
    chasing = conversation.unanswered_customer_messages()
    chased = len(chasing) >= FOLLOW_UPS and (
        chasing[-1].at - chasing[-FOLLOW_UPS].at <= FOLLOW_UP_WINDOW
    )
    signals: list[str] = []
    if angry_words:
        signals.append(f"wording {_quoted(angry_words)}")
    if shouting:
        signals.append("shouting in capitals")
    if exclaims >= 3:
        signals.append(f"{exclaims} exclamation marks")
    if chased:
        signals.append(f"{len(chasing)} messages without an answer")
    frustration = bool(angry_words or chased) or (shouting and exclaims >= 2)
    if frustration:
        reasons.append("frustration: " + "; ".join(signals))
        confidence = max(confidence, min(0.9, 0.6 + 0.1 * len(signals)))

    severe = _hits(SEVERE, everything)
    urgent = _hits(URGENT, everything)
    calm = _hits(CALM, everything)
    if severe and (security or urgent):
        priority = Priority.CRITICAL
        reasons.append(f"severe: {_quoted(severe)}")
    elif security or urgent:
        priority = Priority.HIGH
        if urgent:
            reasons.append(f"urgency words {_quoted(urgent)}")
    elif calm:
        priority = Priority.LOW
        reasons.append(f"no-hurry words {_quoted(calm)}")
    else:
        priority = conversation.priority  # no signal either way: the customer's own
    if not reasons:
        reasons.append("no security, frustration or urgency signals: as the customer set it")
    return Analysis(
        suggested_priority=priority,
        security=security,
        frustration=frustration,
        confidence=round(confidence, 2),
        reason="; ".join(reasons)[:300],
        source="rules",
    )
