"""The ticket-spike policy's rule: when a burst of tickets is one incident.

Pure. N tickets (default 5) from one client, or with near-identical subjects across
clients, inside M minutes (default 30) are a spike: usually one outage reported by
many people. The Desk raises the spike's LOW/MEDIUM tickets to HIGH (policy
escalation never lowers) and suggests the first as the master of the rest.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

SIMILAR = 0.9
"""Subjects at least this alike (difflib's ratio over their normalised words) match."""

MIN_KEY = 4
"""Shorter normalised subjects ("help", "hi") are too common to mean one incident."""

_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]*\]\s*)+", re.I
)
_NOISE = re.compile(r"#\d+|\d+|[^\w\s]+")


@dataclass(frozen=True, slots=True)
class SpikePolicy:
    """The policy's thresholds (``spike_*`` settings)."""

    enabled: bool = True
    count: int = 5
    minutes: int = 30

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A recently created ticket, as the policy sees it."""

    ticket_id: int
    number: int
    client_id: int | None
    key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Spike:
    """What a new ticket completed: the burst's kind, its key and its tickets."""

    kind: str
    """``client`` or ``subject``."""
    key: str
    members: tuple[Arrival, ...]

    @property
    def first(self) -> Arrival:
        return min(self.members, key=lambda a: a.number)


@functools.lru_cache(maxsize=20_000)
def subject_key(subject: str) -> str:
    """A subject without reply prefixes, tags, numbers, punctuation or case.

    "RE: [Acme] Outlook down since 9:05!" and "outlook down since 9:15" share one key.
    """
    text = _PREFIX.sub("", subject)
    words = _NOISE.sub(" ", text.casefold()).split()
    return " ".join(words)[:300]


def similar(a: str, b: str) -> bool:
    """Near-identical normalised subjects (cheap bounds first, then difflib)."""
    if a == b:
        return True
    return _alike(b, [a])[0]


def _alike(key: str, others: list[str]) -> list[bool]:
    """Which of ``others`` are near-identical to ``key``.

    Two bounds difflib's ratio cannot exceed come first: the lengths, and the
    characters the two share (its ``quick_ratio``, counted in C from each key's
    letter counts, which are kept). Only a pair passing both is matched for real,
    by one matcher for ``key`` (difflib analyses its second sequence once). A
    matcher per pair cost 6 ms a new ticket against the window's 150 subjects.
    """
    size = len(key)
    if size < MIN_KEY:
        return [False] * len(others)
    letters = _letters(key)
    matcher: SequenceMatcher[str] | None = None
    found = []
    for other in others:
        length = len(other)
        total = size + length
        if length < MIN_KEY or 2 * min(size, length) < SIMILAR * total:
            found.append(False)
            continue
        if 2 * (letters & _letters(other)).total() < SIMILAR * total:
            found.append(False)
            continue
        if matcher is None:
            matcher = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(key)
        matcher.set_seq1(other)
        found.append(matcher.ratio() >= SIMILAR)
    return found


@functools.lru_cache(maxsize=4096)
def _letters(key: str) -> Counter[str]:
    return Counter(key)


def find_spike(new: Arrival, recent: list[Arrival], policy: SpikePolicy) -> Spike | None:
    """The spike ``new`` belongs to, among tickets created inside the window before it.

    ``recent`` may hold ``new`` itself and older tickets; both are handled. A client
    burst wins over a subject burst (it names who to call).
    """
    if not policy.enabled:
        return None
    since = new.created_at - policy.window
    window = [a for a in recent if since <= a.created_at and a.ticket_id != new.ticket_id]
    window.append(new)
    if new.client_id is not None:
        same_client = tuple(a for a in window if a.client_id == new.client_id)
        if len(same_client) >= policy.count:
            return Spike("client", f"client:{new.client_id}", same_client)
    if len(new.key) >= MIN_KEY:
        # The same key is the common case (one alert, one subject); difflib only
        # for the rest, and only if they could still make up the count.
        same = [a for a in window if a.key == new.key]
        if len(same) < policy.count:
            others = [a for a in window if a.key != new.key]
            if len(same) + len(others) >= policy.count:
                alike = _alike(new.key, [a.key for a in others])
                same += [a for a, is_alike in zip(others, alike, strict=True) if is_alike]
        if len(same) >= policy.count:
            return Spike("subject", f"subject:{new.key}", tuple(same))
    return None
