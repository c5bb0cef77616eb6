"""What a customer wrote this time, apart from the history and signature they carried.

Mail clients append the whole conversation and a signature to every reply; in a
ticket thread that repeats each earlier message under each later one. The thread
view shows the new text and folds the rest behind a toggle. Nothing is removed:
the stored body is always the message as it arrived.

quotequail finds where the carried history starts ("On ... wrote:", forwarded and
"-----Original Message-----" lines, in many languages). What it leaves alone is
found here:

- Outlook's reply header: a block of ``From:/Sent:/To:/Subject:`` lines with no
  separator above it (Outlook desktop, and Outlook's HTML mail once it is text),
  or under a line of underscores (Outlook on the web, Outlook for iOS), in the
  languages Outlook writes it (``Von:/Gesendet:/An:/Betreff:``, ``De :/Envoyé :/À
  :/Objet :``, Spanish, Dutch, Italian, Portuguese, Scandinavian, Polish). Only
  the block's shape counts: three or more header lines in a row, the first a From
  or a Sent, no label twice. A line "From: my boss" in what the customer wrote is
  no block, and stays shown;
- the "-----Original Message-----" line in the languages quotequail lacks;
- a signature after the RFC 3676 delimiter line ``-- `` or a phone's "Sent from my
  ..." or Outlook's "Get Outlook for iOS";
- a legal disclaimer after the body ("This email and any attachments are
  confidential ...", "CONFIDENTIALITY NOTICE", "Diese E-Mail enthält vertrauliche
  ..."): a paragraph that opens like one, after the customer's own text;
- a trailing block of ``>`` lines with no header above it. ``>`` lines between the
  customer's own lines are answers in context and stay shown.

Whoever shows a customer's message calls :func:`fold`: the app's thread view and
preview, the portal, and the prompt the AI reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import quotequail

SCAN_LINES = 1000
"""Lines searched for where the history starts; past that the message is shown whole."""

_SENT_FROM = re.compile(
    r"^(sent from my \w[\w ]{0,40}|sent from (outlook|mail) for \w+|get outlook for \w+"
    r"|von meinem \w[\w ]{0,30} gesendet|outlook für \w+ beziehen"
    r"|envoyé de mon \w[\w ]{0,30}|obtenir outlook pour \w+"
    r"|enviado desde mi \w[\w ]{0,30}|obtener outlook para \w+"
    r"|verzonden (vanaf|met) mijn \w[\w ]{0,30}|outlook voor \w+ downloaden)"
    r"\W*(<[^<>\s]*>|\[[^\[\]\s]*\])?\W*$",  # Outlook's app line links its download page
    re.IGNORECASE,
)

# Outlook's reply header, label by label, in the languages Outlook writes it. A label
# names a role; a block names each role once.
_ROLES = {
    "from": ("from", "von", "de", "van", "da", "fra", "från", "od"),
    "sent": (
        "sent", "date", "gesendet", "datum", "envoyé", "enviado", "enviado el", "enviada",
        "enviada em", "fecha", "verzonden", "inviato", "data", "sendt", "skickat", "wysłano",
    ),
    "to": ("to", "an", "à", "a", "para", "aan", "til", "till", "do"),
    "cc": ("cc", "kopie", "kopia", "dw"),
    "bcc": ("bcc", "cco", "blindkopie"),
    "subject": (
        "subject", "betreff", "objet", "asunto", "onderwerp", "oggetto", "assunto", "emne",
        "ämne", "temat",
    ),
    "importance": ("importance", "wichtigkeit", "priorité", "importancia", "urgentie"),
    "attachments": ("attachments", "anlagen", "pièces jointes", "datos adjuntos", "bijlagen"),
}  # fmt: skip
_LABEL_ROLE = {label: role for role, labels in _ROLES.items() for label in labels}
_HEADER_LINE = re.compile(
    r"^[ \t]*\*?("
    + "|".join(re.escape(label) for label in sorted(_LABEL_ROLE, key=len, reverse=True))
    + r")\*?[ \t\u00a0]?:\*?(?:[ \t\u00a0]+(.*))?$",
    re.IGNORECASE,
)
_DATES = frozenset({"date", "datum", "data", "fecha"})
_OPENS_BLOCK = frozenset(_ROLES["from"] + _ROLES["sent"]) - _DATES
"""What a block's first label is: a From, or Outlook's Sent. A plain "Date:" opens a
customer's own notes ("Date: 5 Dec / To: all staff / Subject: party") as often."""
_MIN_HEADER_LINES = 3
_MAX_WRAPPED = 3
"""Lines of a block that continue a long header (Outlook wraps long address lists)."""
_UNFINISHED = ("[", "<", ",", ";", "(", "mailto:")

_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|reply message|ursprüngliche nachricht|message d'origine"
    r"|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original"
    r"|oprindelig meddelelse|opprinnelig melding|ursprungligt meddelande"
    r"|wiadomość oryginalna)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*([_\-=*~]\s*){10,}$")
"""A line drawn across: Outlook on the web's underscores above its header block."""

_DISCLAIMER = re.compile(
    r"^\W*("
    r"(legal )?disclaimer\b|confidential(ity)? (notice|note|statement|warning|information)\b"
    r"|privileged (and|&) confidential\b"
    r"|(this|the) (e-?mail|message|communication|transmission|electronic mail)\b"
    r".{0,120}\b(confidential|privileged|intended (solely|only|exclusively))"
    r"|the (information|content) (contained )?in this (e-?mail|message|communication)"
    r"|if you (are not|have received this).{0,60}(intended recipient|in error)"
    r"|(diese|die) (e-?mail|nachricht)\b.{0,120}\bvertraulich|vertraulichkeitshinweis"
    r"|haftungsausschluss"
    r"|(ce|le présent) (message|courriel|e-?mail)\b.{0,120}\bconfidenti|avis de confidentialit"
    r"|(este|el presente) (mensaje|correo)\b.{0,120}\bconfidencial|aviso de confidencialidad"
    r"|dit (e-?mail)?bericht\b.{0,120}\bvertrouwelijk"
    r"|questo messaggio\b.{0,120}\briservat"
    r")",
    re.IGNORECASE,
)
_DISCLAIMER_TERMS = re.compile(
    r"confidential|privileged|intended (solely|only|exclusively)|intended recipient|addressee"
    r"|in error|notify the sender|prohibited|unauthori[sz]ed|disclos"
    r"|vertraulich|empfänger|adressat|absender|irrtümlich|untersagt"
    r"|confidenti|destinataire|expéditeur|interdit"
    r"|confidencial|destinatario|remitente|prohibid"
    r"|vertrouwelijk|geadresseerde|afzender|riservat|destinatari|mittente",
    re.IGNORECASE,
)
"""Words a disclaimer is made of: a paragraph must open like one and hold two of them
("The message says the file is confidential" is a customer's, not a disclaimer)."""
_DISCLAIMER_READ = 400
"""Characters of a paragraph read to tell a disclaimer's opening."""
DISCLAIMER_LINES = 80
"""Lines at the end of what the customer wrote searched for a disclaimer's opening."""


@dataclass(frozen=True, slots=True)
class Folded:
    """A message split for the thread view; ``shown + hidden`` is the whole text."""

    shown: str
    hidden: str = ""
    what: str = ""
    """What was folded: ``quoted history``, ``signature``, ``disclaimer``, or some of
    them ("signature, disclaimer and quoted history")."""

    @property
    def hidden_lines(self) -> int:
        return self.hidden.count("\n") + 1 if self.hidden else 0


def fold(body: str) -> Folded:
    """Split ``body`` into what the customer wrote now and what they carried along.

    The cut always falls on a line break and ``shown`` keeps at least one line of
    text: a message that is all quote or all signature is shown whole.
    """
    lines = body.split("\n")
    cut = _history_start(body, lines)
    parts = ["quoted history"] if cut < len(lines) else []
    disclaimer = _disclaimer_start(lines[:cut])
    if disclaimer is not None:
        cut = disclaimer
        parts.insert(0, "disclaimer")
    signature = _signature_start(lines[:cut])
    if signature is not None:
        cut = signature
        parts.insert(0, "signature")
    if cut >= len(lines) or not "\n".join(lines[:cut]).strip():
        return Folded(body)
    shown = "\n".join(lines[:cut]).rstrip()
    what = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return Folded(shown, body[len(shown) :].strip("\n"), what)


def _history_start(body: str, lines: list[str]) -> int:
    """Index of the first line of carried history, or ``len(lines)``."""
    found = len(lines)
    # quotequail folds everything past its limit; we would rather show a long
    # message whole, so it reads only the first lines and never reaches its limit.
    head = "\n".join(lines[:SCAN_LINES])
    pieces = quotequail.quote(head, limit=SCAN_LINES + 1, quote_intro_line=True)
    if len(pieces) == 2 and pieces[0][0] and not pieces[1][0]:
        found = pieces[0][1].count("\n") + 1 if pieces[0][1] else 0
    outlook = _outlook_start(lines[: min(found, SCAN_LINES)])
    if outlook is not None:
        found = outlook
    # A trailing run of quoted lines (and blanks) with no header above it.
    start = found
    while start > 0 and (not lines[start - 1].strip() or lines[start - 1].startswith(">")):
        start -= 1
    if any(line.startswith(">") for line in lines[start:found]):
        return start
    return found


def _signature_start(lines: list[str]) -> int | None:
    """Index of the signature's first line (the delimiter), if the message has one."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].rstrip("\r") == "-- ":
            return i
    tail = [i for i, line in enumerate(lines) if line.strip()][-2:]
    for i in tail:
        if _SENT_FROM.match(lines[i].strip()):
            return i
    return None


def _outlook_start(lines: list[str]) -> int | None:
    """Index of the first line of Outlook's carried history (its separator line, or
    its header block), or None."""
    for i, line in enumerate(lines):
        if _ORIGINAL_MESSAGE.match(line):
            return i
        if _header_block_at(lines, i):
            above = i - 1
            while above >= 0 and not lines[above].strip():
                above -= 1
            return above if above >= 0 and _RULE.match(lines[above]) else i
    return None


def _header_block_at(lines: list[str], start: int) -> bool:
    """Whether Outlook's reply header starts at ``lines[start]``: three or more header
    lines in a row, the first a From or a Sent, each role once. A header that wraps
    (a long To: list, ``[mailto:`` at a line's end) may go on over a few lines."""
    first = _HEADER_LINE.match(lines[start])
    if first is None or _label(first) not in _OPENS_BLOCK:
        return False
    roles: set[str] = set()
    wrapped = 0
    previous = ""
    for line in lines[start:]:
        found = _HEADER_LINE.match(line)
        if found is not None:
            role = _LABEL_ROLE[_label(found)]
            if role in roles:
                break
            roles.add(role)
            previous = (found.group(2) or "").rstrip()
            continue
        unfinished = previous.endswith(_UNFINISHED) or line[:1] in (" ", "\t")
        if not line.strip() or not unfinished or wrapped == _MAX_WRAPPED:
            break
        wrapped += 1
        previous = line.rstrip()
    return len(roles) >= _MIN_HEADER_LINES and bool(roles & {"to", "subject"})


def _label(found: re.Match[str]) -> str:
    return " ".join(found.group(1).lower().split())


def _one_line_disclaimer(line: str) -> bool:
    """A line that is a disclaimer's opening by itself, with two of its words: Outlook
    signatures carry one straight under the signature's last line, with no blank
    line between; a customer's own "this email is confidential" names only one."""
    text = " ".join(line.split())
    terms = {m.group().lower() for m in _DISCLAIMER_TERMS.finditer(text)}
    return bool(_DISCLAIMER.match(text)) and len(terms) >= 2


def _disclaimer_start(lines: list[str]) -> int | None:
    """Index where a legal disclaimer after the customer's text starts (the rule line
    drawn above it, if any), or None. The disclaimer's paragraph must come after
    some text: a message that opens with such words is the customer's own."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for i in range(max(first + 1, len(lines) - DISCLAIMER_LINES), len(lines)):
        above = lines[i - 1]
        if not lines[i].strip() or _RULE.match(lines[i]):
            continue
        if above.strip() and not _RULE.match(above) and not _one_line_disclaimer(lines[i]):
            continue  # not a paragraph's first line (Outlook puts one under a signature)
        paragraph = " ".join(" ".join(lines[i : i + 8]).split())[:_DISCLAIMER_READ]
        terms = {m.group().lower() for m in _DISCLAIMER_TERMS.finditer(paragraph)}
        if _DISCLAIMER.match(paragraph) and len(terms) >= 2:
            start = i
            while start > 0 and (not lines[start - 1].strip() or _RULE.match(lines[start - 1])):
                start -= 1
            return start
    return None
