"""The ticket-spike policy's rule: when a burst of tickets is one incident.

Pure. N tickets (default 5) from one client with similar subjects, or with
near-identical subjects across clients, inside M minutes (default 30) are a spike:
usually one outage reported by many people. Only open tickets that are not already
children (nor masters with children) are counted: the Desk leaves the others out
of what it compares, so a burst of unrelated requests from one busy client, or a
resolved incident, never gathers new tickets under it. The Desk raises the spike's
LOW/MEDIUM tickets to HIGH (policy escalation never lowers) and suggests the first
as the master of the rest.
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

CLIENT_SIMILAR = 0.6
"""One client's subjects at least this alike are about one thing ("Outlook down",
"outlook not working"), as are subjects sharing a word that says what (see
:func:`related`); an X-ray PC, a calendar request and a printer are not."""

_COMMON = frozenset(
    "about after again also been could does from have help issue just need "
    "please problem request since some still that there this ticket urgent when "
    "will with working would your".split()
)
"""Words too common in helpdesk subjects to say what a ticket is about."""

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


def similar(a: str, b: str, threshold: float = SIMILAR) -> bool:
    """Near-identical normalised subjects (cheap bounds first, then difflib)."""
    if a == b:
        return True
    return _alike(b, [a], threshold)[0]


def _alike(key: str, others: list[str], threshold: float = SIMILAR) -> list[bool]:
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
        if length < MIN_KEY or 2 * min(size, length) < threshold * total:
            found.append(False)
            continue
        if 2 * (letters & _letters(other)).total() < threshold * total:
            found.append(False)
            continue
        if matcher is None:
            matcher = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(key)
        matcher.set_seq1(other)
        found.append(matcher.ratio() >= threshold)
    return found


def related(a: str, b: str) -> bool:
    """One client's two subject keys about one thing: alike (``CLIENT_SIMILAR``), or
    sharing a word of four letters or more that is not a common one ("P: drive gone"
    and "Still no P: drive")."""
    if not a or not b:
        return False
    if a == b or similar(a, b, CLIENT_SIMILAR):
        return True
    return not _words(a).isdisjoint(_words(b))


@functools.lru_cache(maxsize=4096)
def _words(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if len(w) >= 4 and w not in _COMMON)


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
    if new.client_id is not None and new.key:
        same_client = [a for a in window if a.client_id == new.client_id]
        if len(same_client) >= policy.count:
            about_it = _about_one_thing(new, same_client)
            if len(about_it) >= policy.count:
                return Spike("client", f"client:{new.client_id}", about_it)
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


def _about_one_thing(new: Arrival, tickets: list[Arrival]) -> tuple[Arrival, ...]:
    """The tickets linked to ``new`` by a chain of :func:`related` subjects: five
    people describe one outage five ways, each like some of the others."""
    found = {new.ticket_id}
    queue = [new]
    while queue:
        current = queue.pop()
        for other in tickets:
            if other.ticket_id not in found and related(current.key, other.key):
                found.add(other.ticket_id)
                queue.append(other)
    return tuple(a for a in tickets if a.ticket_id in found)
