"""The rule-based analyzer: named phrase patterns, negation, politeness, cadence.

Used whenever no model is configured or a model's answer cannot be used. Every
flag names the pattern and the phrase behind it, so a technician can see why.

Each family of evidence is a :class:`Pattern` with a name ("credential lure",
"MFA fatigue", "angry wording"): one readable regular expression per way customers
say a thing, not one large alternation. Three readings keep the patterns honest:

- **Negation.** A single word ("urgent", "virus", "critical") counts only when no
  negation ("not", "no", "isn't", "never" ...) stands just before it in its clause:
  "not urgent" and "isn't critical" say there is no hurry, "not a virus I think" is
  not evidence of malware. Phrases that carry their own negation ("emails I didn't
  send", "prompts I did not make") are written into their pattern.
- **Politeness.** Weak signs of impatience ("still no light", "any update?",
  "again") in a message that also thanks or apologises are a polite follow-up, not
  frustration: only angry wording or real chasing raise that flag then.
- **Harmless context.** Security words about training, simulations, licences and
  policies ("phishing awareness training", "antivirus licence") are not incidents.

The labelled texts in ``tests/data`` measure it (``bench/ai_rules_report.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from ..enums import Priority
from .analysis import Analysis
from .conversation import Conversation


@dataclass(frozen=True, slots=True)
class Pattern:
    """One named way of saying something; ``negatable`` patterns are single words
    that a negation just before them cancels, and a match whose clause also
    matches ``unless`` is an everyday matter, not this."""

    name: str
    regex: re.Pattern[str]
    negatable: bool = False
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase a pattern matched, as it reads in the reason."""

    pattern: str
    phrase: str


def _p(name: str, regex: str, *, negatable: bool = False, unless: str | None = None) -> Pattern:
    compiled = re.compile(unless, re.IGNORECASE) if unless else None
    return Pattern(name, re.compile(regex, re.IGNORECASE), negatable, compiled)


_ME = r"(my|our|his|her|their|the|a|an)"
_CREDENTIAL = r"(password|passcode|credentials|login|log-?in details|details|username|code|pin)"
_GAVE = r"(typed|entered|put|gave|given|filled|provided|submitted|sent|told|replied)"
_DID_NOT = r"(didn'?t|did\s+not|never|wasn'?t|haven'?t|have\s+not|am\s+not|was\s+not)"

SECURITY: tuple[Pattern, ...] = (
    _p(
        "security word",
        r"\b(phish\w*|ransomware|ransom|malware|virus(es)?|trojan|keylogger|spyware|"
        r"hack(ed|er|ers|ing)?|compromis(ed|e)|breach(ed)?|infected|hijacked|spoof(ed|ing))\b",
        negatable=True,
    ),
    _p(
        "credential lure",
        r"\b(fake|spoofed|fraudulent|bogus|lookalike|look-alike|phishing|dodgy|weird|strange|"
        r"wrong)\s+(\w+\s+){0,2}(log-?in|sign[- ]?in|password)\s+(page|site|form|screen|prompt)|"
        r"\b(log-?in|sign[- ]?in)\s+(page|form|screen)\s+(\w+\s+){0,4}(address|url|domain)\s+"
        r"(was|looked|is)\s+(wrong|weird|strange|odd|off)|"
        r"\b(log-?in|sign[- ]?in)\s+(page|form|screen)\b.{0,80}\b(i|we|they|he|she)\s+"
        r"(filled|typed|entered|put|gave)",
    ),
    _p(
        "asked for a password",
        rf"\b(ask(ed|ing|s)?|wanted|requested|prompted)\s+(me\s+)?(for\s+)?{_ME}?\s*"
        r"(\w+\s+)?(password|credentials|login details|authenticator code|mfa code)",
        # Outlook or Teams asking again and again is a support question, not a lure.
        unless=r"\b(outlook|teams|onedrive|windows|vpn|keeps?|kept|still|constantly|"
        r"repeatedly|every\s+(\w+\s+)?(minutes?|morning|day|time|hour))\b",
    ),
    _p(
        "credentials given",
        rf"\b{_GAVE}\s+(in\s+|out\s+)?(my|our|his|her|their|the|all)\s+(\w+\s+)?{_CREDENTIAL}\b|"
        rf"\b{_GAVE}\s+(him|her|them|it)\s+(my\s+|the\s+)?{_CREDENTIAL}\b|"
        r"\b(logged|signed)\s+in\s+(with|through|via|on)\s+(it|the\s+link|that\s+page|my\s+work)",
    ),
    _p(
        "link or attachment opened",
        r"\b(clicked|clicking|opened|followed|tapped)\s+(on\s+)?(a|the|that|this|an|their)\s+"
        r"(\w+\s+){0,3}(link|attachment|button|file)\s+(in|from|of)\s+(an?|the|that|this)\s+"
        r"(\w+\s+){0,3}(e-?mail|mail|message|text|sms)|"
        r"\b(clicked|clicking)\s+(on\s+)?(a|the|that)\s+(link|attachment)|"
        r"\benabled?\s+(the\s+)?(content|macros?|editing)\b",
    ),
    _p(
        "gift-card fraud",
        r"\bgift\s*cards?\b.{0,120}\b(ceo|director|boss|manager|codes?|gmail|urgent\w*)\b|"
        r"\b(ceo|director|boss|manager)\b.{0,120}\bgift\s*cards?\b",
    ),
    _p(
        "payment-change fraud",
        r"\b(new|changed|change\s+of|updated|different)\s+(bank|payment|remittance|banking)\s+"
        r"(details|account|information|info)|"
        r"\bbank\s+(details|account)\s+(has\s+|have\s+)?changed|"
        r"\b(urgent\s+)?(wire|payment)\s+(transfer\s+)?request|"
        r"\bfake\s+invoice|\bunauthori[sz]ed\s+(access|login|sign[- ]?in|transfer|payment)s?",
    ),
    _p(
        "MFA fatigue",
        r"\b(mfa|2fa|authenticator|sign[- ]?in|log-?in|approval|push)\s+"
        r"(prompts?|requests?|notifications?|codes?)\s+(\w+\s+){0,2}i\s+"
        rf"{_DID_NOT}\s+(make|made|request|requested|ask|asked|start|trigger)|"
        r"\b(approve[ds]?|approving)\s+(a\s+|the\s+)?(sign[- ]?in|log-?in)\b|"
        r"\b(keeps?|keep\s+on|been)\s+(buzzing|asking)\s+(\w+\s+){0,3}(approve|sign[- ]?in|mfa)",
    ),
    _p(
        "account takeover",
        r"\bsomeone\s+(has\s+)?(logged|signed)\s+(in|into|on)|"
        r"\b(e-?mails?|messages?)\s+(from\s+me\s+)?(that\s+)?i\s+"
        rf"{_DID_NOT}\s+(write|wrote|send|sent)|"
        rf"\bi\s+{_DID_NOT}\s+(send|sent|write|wrote)\s+(it|them|any)|"
        rf"\b(rules?|forwarding)\s+(\w+\s+){{0,8}}i\s+{_DID_NOT}\s+(make|made|create|set)|"
        r"\b(unusual|suspicious|strange|unknown|unrecognised|unrecognized)\s+"
        r"(sign[- ]?ins?|log-?ins?|activity|devices?|locations?)|"
        r"\b(taken|took)\s+over\b",
    ),
    _p(
        "unwanted software",
        r"\b(program|app|application|extension|software|toolbar)\b.{0,60}\b(i|we)\s+"
        rf"{_DID_NOT}\s+(install|installed|add|added|download|downloaded)|"
        r"\b(install|download)(ed)?\s+(a|the|some)\s+(program|app|tool|software)\s+so\s+"
        r"(he|she|they)\s+could",
    ),
    _p(
        "payments nobody made",
        r"\b(payments?|transfers?|purchases?|charges?|orders?)\s+(that\s+)?(we|i)\s+"
        rf"{_DID_NOT}\s+(make|made|authori[sz]e|place|placed)|"
        r"\b(password|e-?mail(\s+address)?|phone\s+number|recovery\s+\w+)\b.{0,30}\b"
        r"(was|were|has\s+been|had\s+been|got)\s+changed",
    ),
    _p(
        "data sent out",
        r"\b(sent|emailed|forwarded|copied|uploaded)\s+(\w+\s+){0,8}(logins|passwords|"
        r"credentials|client\s+data|customer\s+data|database)\s+(\w+\s+){0,2}to\s+"
        r"(his|her|their|a)\s+(personal|private|own)",
    ),
    _p(
        "QR-code phishing",
        r"\bqr[- ]?codes?\b.{0,160}\b(log(ged)?\s*in|sign(ed)?\s*in|password|paid|card|"
        r"credentials|details|verify|confirm)",
    ),
    _p(
        "remote-access scam",
        r"\b(gave|give|giving|let)\s+(him|them|her|someone)\s+(remote\s+)?access|"
        r"\b(anydesk|teamviewer|remote\s+access)\b.{0,80}\b(called|caller|pop-?up|scam|"
        r"microsoft|wanted)|"
        r"\bpretend(ing|ed)?\s+to\s+be\s+(from\s+)?(microsoft|it|your|the|our|a)",
    ),
    _p(
        "leaked credentials",
        r"\b(leak\w*|stolen|exposed|posted)\s+(\w+\s+)?(password|credential|login)s?|"
        r"\b(password|credential|login)s?\s+(were\s+|was\s+|got\s+)?(leak\w*|stolen|exposed)|"
        r"\bdata\s+breach",
    ),
    _p(
        "suspicious message",
        r"\bsuspicious\s+(login|sign[- ]?in|e-?mail|mail|link|attachment|activity|message|text)s?",
    ),
    _p(
        "ransom or extortion",
        r"\b(files?|drive|disk|network)s?\s+(are|is|were|has\s+been|have\s+been|got)?\s*"
        r"encrypted|encrypted\s+(all\s+)?(our\s+|my\s+)?(files|drive|disk)|"
        r"\b(bitcoin|crypto\w*)\b|\bransom\s+note|"
        r"\b(note|message|readme)\s+(\w+\s+){0,3}(asking|demanding|telling)\s+(\w+\s+){0,3}"
        r"(pay|payment|money)",
    ),
    _p(
        "lost or stolen device",
        r"\b(lost|stolen|missing|left|taken)\s+(my\s+|our\s+|a\s+|the\s+|his\s+|her\s+)?"
        r"(work\s+)?(laptop|phone|tablet|device)|"
        r"\b(laptop|phone|tablet|device)\s+(was|got|has\s+been)\s+(stolen|taken|lost)|"
        r"\b(found|unknown)\s+(a\s+|an\s+)?usb\s+(stick|drive|key)|usb\s+(stick|drive|key)s?\s+"
        r"(they|we|someone|he|she)?\s*found",
    ),
    _p(
        "former staff access",
        r"\b(former|ex-?)\s*(employee|staff|colleague|worker|contractor)s?\s+(still\s+)?"
        r"(has|have|had|can|with)|"
        r"\b(left|leaver)\b.{0,80}\b(still\s+has|logged\s+in|accessed|signed\s+in)",
    ),
)
"""How customers report phishing, fraud, malware, compromise and lost devices."""

HARMLESS = re.compile(
    r"\b(phish\w*|security|malware|virus|antivirus|ransomware)['\"]?\s+"
    r"(awareness|training|simulation|course|test|policy|webinar|newsletter|licen[cs]e|"
    r"subscription|renewal|button|report)s?\b",
    re.IGNORECASE,
)
"""Security words in requests about training, licences and policy, not an incident."""

SEVERE = _p(
    "severe",
    r"\b(ransom\w*|encrypted|whole\s+(office|company|team|shop|building)|everyone|everybody|"
    r"all\s+(users|staff|pcs|servers|computers|the\s+pcs)|every\s+(file|pc|computer|folder)|nobody\s+in\s+the\s+office|"
    r"production\s+(is\s+)?(down|stopped)|servers?\s+(is\s+|are\s+)?down|outage)\b",
)
"""What makes a security matter or an outage CRITICAL rather than HIGH."""

URGENT: tuple[Pattern, ...] = (
    _p("urgency word", r"\b(urgent\w*|asap|immediately|emergency|critical)\b", negatable=True),
    _p(
        "cannot work",
        r"\b(can'?t|cannot|unable\s+to)\s+work\b|\b(nobody|no\s+one)\s+(\w+\s+){0,3}can\b|"
        r"\bnothing\s+works\b|\b(team|everyone|we)\s+(is|are)\s+(completely\s+)?blocked\b|\bcustomers\s+(can'?t|cannot)\b|\blosing\s+(money|sales)\b",
    ),
    _p(
        "down",
        r"\b(is|are|went|goes|been|has\s+gone)\s+(still\s+)?(down|offline)\b|"
        r"\b(outage|offline\s+since)\b",
        negatable=True,
    ),
    _p("deadline", r"\bdeadline\s+(is\s+)?today\b|\bby\s+\d{1,2}(:\d\d)?\s*(am|pm)\s+today\b"),
    _p("as soon as possible", r"\bas\s+soon\s+as\s+possible\b", negatable=True),
)
"""How customers say they cannot wait."""

CALM: tuple[Pattern, ...] = (
    _p(
        "no hurry",
        r"\bno\s+(rush|hurry|urgency|deadline|pressure)\b|"
        r"\b(not|isn'?t|nothing|no)\s+(\w+\s+)?(urgent|critical|an?\s+emergency|a\s+priority|"
        r"pressing)\b|\blow\s+priority\b|\bnice\s+to\s+have\b",
    ),
    _p(
        "when convenient",
        r"\bwhen(ever)?\s+(you|it'?s|it\s+is|someone)\s+(have|get|has|convenient|next)\b|"
        r"\bwhenever\s+(is\s+fine|suits|works|you\s+can|you'?re|it'?s)\b|"
        r"\bnext\s+time\s+you'?re\b|\bsometime\s+(next|in)\b",
    ),
    _p(
        "a question or idea",
        r"\bjust\s+(wondering|a\s+thought|planning)\b|\b(is|would)\s+it\s+be\s+possible\b|"
        r"\bis\s+it\s+possible\b|\bfeature\s+request\b|\bquote\s+for\b|\bget\s+us\s+a\s+quote\b",
    ),
)
"""How customers say it can wait."""

ANGRY: tuple[Pattern, ...] = (
    _p(
        "angry wording",
        r"\b(unacceptable|ridiculous|outrageous|useless|incompetent|terrible|awful|worst|"
        r"pathetic|hopeless|ignored|furious|angry|frustrat\w*|disappointed|annoyed|appalling|joke|"
        r"fed\s+up|sick\s+of|had\s+enough|enough\s+is\s+enough|done\s+waiting|"
        r"not\s+(happy|impressed|good\s+enough|acceptable))\b",
    ),
    _p(
        "threat to leave",
        r"\bcancel\s+(our|the|my)\s+(contract|subscription)|\bother\s+(it\s+)?providers?\b|"
        r"\bspeak\s+to\s+(a|your)\s+manager|\bcall\s+your\s+manager|\bescalate\s+this|"
        r"\bformal\s+complaint|\bwhat\s+am\s+i\s+paying",
    ),
    _p(
        "chasing",
        r"\b(second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\s+(time|e-?mail|message|"
        r"reminder|request|call|day|week)\s+(i|i'm|i've|we|we've|this|that|now|today|in|"
        r"without|asking|writing|about|of)\b|\b(second|third|fourth|fifth|sixth|\d+(st|nd|rd|th))\s+"
        r"(reminder|e-?mail|message|request)\b|\bhow\s+many\s+times\b|\byet\s+again\b|"
        r"\bover\s+and\s+over\b|\bevery\s+single\s+(time|meeting|day)\b|"
        r"\b(same|this)\s+(problem|issue)\s+again\b|\bagain\s+the\s+same\b|"
        r"\bexactly\s+the\s+same\s+(issue|problem)\b|"
        r"\b(nobody|no\s+one|no-one)\s+(has\s+|have\s+)?(answered|replied|responded|called|came|"
        r"picked\s+up|answers|reads|told)\b|"
        r"\bno\s+(response|reply|answer)\b|\b(days|weeks)\s+and\s+no\s+(answer|reply|response)\b|"
        r"\bwaiting\s+(for|since)\s+(days|weeks|monday|tuesday|wednesday|thursday|friday)\b|"
        r"\b(heard|had)\s+nothing\b|\bwasted\s+(my|our|the|hours|a)\b|"
        r"\bnever\s+(called|came|replied|answered)\b|\bstill\s+waiting\b|"
        r"\bnone\s+(\w+\s+)?(answered|replied)\b|\bdid\s+(anyone|anybody)\s+(\w+\s+)?read\b|"
        r"\btaking\s+so\s+long\b|\bit'?s\s+been\s+\d+\s+(hours|days|weeks)\b",
    ),
)
"""Wording of a customer who has run out of patience."""

IMPATIENT: tuple[Pattern, ...] = (
    _p(
        "still broken",
        r"\bstill\s+(not|no|isn'?t|doesn'?t|hasn'?t|broken|down|offline|nothing|nobody)\b"
        r"(\s+\w+)?",
    ),
    _p("again", r"\bagain\b"),
    _p("asking for news", r"\bany\s+(update|news)\b|\bhello\s*\?\?|\bseriously\b|\breally\?"),
)
"""Weak signs of impatience: frustration only with others, and never when polite."""

POLITE = _p(
    "polite",
    r"\b(thanks|thank\s+you|thx|cheers|appreciate\w*|grateful|sorry\s+to\s+(bother|chase|"
    r"trouble)|no\s+pressure|happy\s+to|have\s+a\s+(nice|good|great)\s+(day|weekend))\b",
)
"""A follow-up that thanks or apologises is patient, whatever else it says."""

_NEGATION = re.compile(
    r"\b(not|no|never|nothing|without|hardly|isn'?t|aren'?t|wasn'?t|weren'?t|don'?t|"
    r"doesn'?t|didn'?t|won'?t|ain'?t)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?;:,\n()]|\bbut\b", re.IGNORECASE)
NEGATION_WORDS = 3
"""Words before a negatable word that a negation may stand in."""

_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_NOT_SHOUTING = {"VPN", "PDF", "CEO", "CFO", "MFA", "SMS", "URL", "USB", "WIFI", "DNS", "IMAP"}

FOLLOW_UPS = 3
"""Customer messages without an answer in between that count as chasing."""
FOLLOW_UP_WINDOW = timedelta(hours=48)


def normalise(text: str) -> str:
    """Typographic apostrophes and quotes as typed ones, so "isn’t" reads as "isn't"."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def negated(text: str, start: int) -> bool:
    """Whether a negation stands within ``NEGATION_WORDS`` words before ``start``,
    in the same clause ("not a virus", "isn't critical"; not "No, it's a virus")."""
    before = text[:start]
    ends = list(_CLAUSE_END.finditer(before))
    clause = before[ends[-1].end() :] if ends else before
    words = clause.split()[-NEGATION_WORDS:]
    return any(_NEGATION.fullmatch(w.strip("\"'")) for w in words)


def clause(text: str, at: int) -> str:
    """The clause of ``text`` that position ``at`` is in (sentence and comma bounded)."""
    before = list(_CLAUSE_END.finditer(text, 0, at))
    start = before[-1].end() if before else 0
    after = _CLAUSE_END.search(text, at)
    return text[start : after.start() if after else len(text)]


def find(patterns: tuple[Pattern, ...], text: str) -> list[Hit]:
    """Every phrase ``patterns`` match in ``text``, once each, negated words left out."""
    hits: list[Hit] = []
    for pattern in patterns:
        for match in pattern.regex.finditer(text):
            if pattern.negatable and negated(text, match.start()):
                continue
            if pattern.unless and pattern.unless.search(clause(text, match.start())):
                continue
            hit = Hit(pattern.name, " ".join(match.group(0).lower().split())[:60])
            if hit not in hits:
                hits.append(hit)
    return hits


def _shouting(text: str) -> bool:
    words = [w for w in _SHOUTED.findall(text) if w not in _NOT_SHOUTING]
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(words) >= 3 or (len(letters) >= 20 and upper / len(letters) > 0.6)


def explain(hits: list[Hit], limit: int = 3) -> str:
    """``credential lure "fake microsoft login page"``: which pattern, which phrase."""
    return ", ".join(f'{h.pattern} "{h.phrase}"' for h in hits[:limit])


def analyze(conversation: Conversation) -> Analysis:
    """Flags and a suggested priority from the customer's own words.

    Only the customer's messages count (a technician quoting "phishing" in an answer
    flags nothing), and the newest message weighs on frustration, since that is the
    mood the technician answers.
    """
    texts = [conversation.subject, *conversation.customer_texts]
    everything = normalise("\n".join(texts))
    latest = normalise(conversation.last_customer_text or conversation.subject)
    reasons: list[str] = []
    confidence = 0.5

    security_hits = find(SECURITY, HARMLESS.sub(" ", everything))
    security = bool(security_hits)
    if security:
        reasons.append(f"security: {explain(security_hits)}")
        confidence = max(confidence, min(0.95, 0.65 + 0.1 * len(security_hits)))

    frustration, signals = _frustration(conversation, latest)
    if frustration:
        reasons.append("frustration: " + "; ".join(signals))
        confidence = max(confidence, min(0.9, 0.6 + 0.1 * len(signals)))
    elif signals:
        reasons.append("not frustration: " + "; ".join(signals))

    severe = find((SEVERE,), everything)
    urgent = find(URGENT, everything)
    calm = find(CALM, everything)
    if severe and (security or urgent):
        priority = Priority.CRITICAL
        reasons.append(f"severe: {explain(severe)}")
        if urgent:
            reasons.append(f"urgency: {explain(urgent)}")
    elif security or urgent:
        priority = Priority.HIGH
        if urgent:
            reasons.append(f"urgency: {explain(urgent)}")
    elif calm:
        priority = Priority.LOW
        reasons.append(f"no hurry: {explain(calm)}")
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


def _frustration(conversation: Conversation, latest: str) -> tuple[bool, list[str]]:
    """Whether the newest message is frustrated, and the signals either way.

    Angry wording and chasing count on their own; weak signs of impatience count
    only two together or with shouting, and never in a message that thanks or
    apologises ("still no light, thanks" is a polite follow-up).
    """
    angry = find(ANGRY, latest)
    impatient = find(IMPATIENT, latest)
    polite = find((POLITE,), latest)
    exclaims = latest.count("!")
    shouting = _shouting(latest)
    chasing = conversation.unanswered_customer_messages()
    chased = len(chasing) >= FOLLOW_UPS and (
        chasing[-1].at - chasing[-FOLLOW_UPS].at <= FOLLOW_UP_WINDOW
    )
    loud = shouting or exclaims >= 3
    weak = not polite and (
        len({h.pattern for h in impatient}) >= 2 or (bool(impatient) and (loud or exclaims >= 2))
    )
    frustrated = bool(angry or chased or weak) or (shouting and exclaims >= 2)
    signals: list[str] = []
    if angry:
        signals.append(explain(angry))
    if impatient and (frustrated or polite):
        signals.append(explain(impatient))
    if shouting:
        signals.append("shouting in capitals")
    if exclaims >= 3:
        signals.append(f"{exclaims} exclamation marks")
    if chased:
        signals.append(f"{len(chasing)} messages without an answer")
    if polite and impatient and not frustrated:
        signals.append(f'polite "{polite[0].phrase}"')
    if not frustrated and not (polite and impatient):
        return False, []
    return frustrated, signals
