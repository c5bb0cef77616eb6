"""Which choices match what was typed into a picker, best first.

``s``, ``Res``, Enter moved a ticket to In Progress: the picker kept its list in
order and took the first label containing "res" ("In Prog-res-s"). Typing the
start of a name means that name, so matches are ranked:

1. the label starts with what was typed ("Res" → "Resolved");
2. every typed word starts a word of the label ("pro" → "In Progress", "#10" →
   "#1012  Front desk PC");
3. every typed word is somewhere in the label.

Labels that match none of these are left out; within a rank the list keeps its
own order (the order the screen chose: me first, then everyone else...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import IntEnum
from typing import TypeVar

T = TypeVar("T")

_WORD_START = re.compile(r"(?<![0-9a-z])[0-9a-z]")


class Match(IntEnum):
    """How well a label matches, best (lowest) first."""

    PREFIX = 0
    WORD_START = 1
    SUBSTRING = 2


def match(typed: str, label: str) -> Match | None:
    """How ``label`` matches ``typed`` (case-insensitive), or None if it does not."""
    words = typed.lower().split()
    text = label.lower().strip()
    if not words:
        return Match.PREFIX
    if text.startswith(" ".join(words)) or text.lstrip("#").startswith(" ".join(words)):
        return Match.PREFIX
    if not all(word in text for word in words):
        return None
    starts = [m.start() for m in _WORD_START.finditer(text)]
    if all(any(text.startswith(word, at) for at in starts) for word in words):
        return Match.WORD_START
    return Match.SUBSTRING


def rank(typed: str, choices: Sequence[tuple[str, T]]) -> list[tuple[str, T]]:
    """The ``(label, value)`` choices that match ``typed``, best match first."""
    scored = [
        (m, i) for i, (label, _) in enumerate(choices) if (m := match(typed, label)) is not None
    ]
    return [choices[i] for _, i in sorted(scored)]
