"""Untrusted text made safe to show on a terminal, literally.

Subjects, bodies and names arrive from email, SMS and chat. A terminal escape
sequence in them must not clear or restyle a technician's screen, so control
characters are shown as visible escapes; so are the bidirectional override and
isolate characters (U+202A-U+202E, U+2066-U+2069), which can make a subject or a
file name read backwards ("Trojan Source"). (Rich markup is the interfaces' concern:
they render such text as ``rich.text.Text``, never as markup.)

A subject made from what a customer wrote (a chat's first line, an SMS, a mail
subject over the limit) is cut by :func:`shorten`, at a word and marked "…", on
every door alike.
"""

from __future__ import annotations

import re

from .limits import ELLIPSIS

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw but a terminal must not get."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(text: str) -> str:
    """``text`` with every control character (but newline and tab) made visible."""
    return _CONTROL.sub(_visible, text)


def json_safe(dumped: str) -> str:
    """JSON text with C1 controls and bidi overrides as ``\\uXXXX`` escapes.

    Equivalent JSON (a decoder reads the same string) that is safe to print.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def undecodable(text: str) -> bool:
    """Whether ``text`` holds bytes that were not valid UTF-8 (surrogate escapes)."""
    return _SURROGATE.search(text) is not None


def visible_bytes(text: str) -> str:
    """``text`` with its undecodable bytes shown as ``\\xNN``, for an error message."""
    raw = text.encode("utf-8", "surrogateescape")
    return literal(raw.decode("utf-8", "backslashreplace"))


def one_line(text: str, limit: int | None = None, *, keep_edges: bool = False) -> str:
    """A literal, single-line form for lists and cards.

    ``keep_edges`` keeps one space where the text began or ended with blanks, for
    pieces of a line (snippets) that are joined again.
    """
    flat = literal(re.sub(r"\s+", " ", text) if keep_edges else " ".join(text.split()))
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut after the last whole word that
    fits and marked with "…", so a subject never ends in half a word ("… Nob") or
    stops without saying it was cut.

    When the last break falls in the first half of the room (a long pasted URL), the
    cut falls inside the word: a stump of a word or two says less than most of one.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    if room < 1:
        return ELLIPSIS[:limit]
    if text[room].isspace():  # the cut falls between two words already
        head = text[:room]
    else:
        space = max(text.rfind(" ", 0, room), text.rfind("\n", 0, room))
        head = text[:space] if space >= room // 2 else text[:room]
    return head.rstrip().rstrip(",;:-–—([{").rstrip() + ELLIPSIS
