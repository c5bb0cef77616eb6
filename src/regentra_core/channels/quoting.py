"""What a customer wrote this time, apart from the history and signature they carried.

Mail clients append the whole conversation and a signature to every reply; in a
ticket thread that repeats each earlier message under each later one. The thread
view shows the new text and folds the rest behind a toggle. Nothing is removed:
the stored body is always the message as it arrived.

quotequail finds where the carried history starts ("On ... wrote:", forwarded and
Outlook headers, in many languages). Two endings it leaves alone are found here:
a signature after the RFC 3676 delimiter line ``-- `` or a phone's "Sent from my
...", and a trailing block of ``>`` lines with no header above it. ``>`` lines
between the customer's own lines are answers in context and stay shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import quotequail

SCAN_LINES = 1000
"""Lines searched for where the history starts; past that the message is shown whole."""

_SENT_FROM = re.compile(
    r"^(sent from my \w[\w ]{0,40}|sent from (outlook|mail) for \w+|get outlook for \w+)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Folded:
    """A message split for the thread view; ``shown + hidden`` is the whole text."""

    shown: str
    hidden: str = ""
    what: str = ""
    """What was folded: ``quoted history``, ``signature`` or both."""

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
    what = "quoted history" if cut < len(lines) else ""
    signature = _signature_start(lines[:cut])
    if signature is not None:
        cut = signature
        what = "signature" if not what else "signature and quoted history"
    if cut >= len(lines) or not "\n".join(lines[:cut]).strip():
        return Folded(body)
    shown = "\n".join(lines[:cut]).rstrip()
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
