"""How many SMS a text is billed as, counted by the encoding the text needs. Pure.

A carrier sends a text in GSM-7 (the GSM 03.38 alphabet, seven bits a character)
when every character is in it, else in UCS-2 (sixteen bits a code unit). One
character outside the alphabet, an emoji or a "…", turns the whole text to UCS-2
and more than doubles its segments, which is why ``channels.sms`` asks
:func:`encoding_of` before it adds anything to a reply.

A segment holds 160 septets (GSM-7) or 70 code units (UCS-2) alone; a text longer
than that goes as a chain whose segments carry a header and hold 153 or 67. A
character of GSM-7's extension table (``€ [ ] { } \\ ^ ~ |`` and form feed) takes
two septets (an escape and the character), and a character outside Unicode's basic
plane two UCS-2 code units (a surrogate pair); neither pair is split between two
segments, so a chain can need one segment more than its length divided by 153 or 67
(Twilio's message segment calculator counts the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""GSM 03.38's default alphabet (its escape code aside): one septet each."""

GSM7_EXTENSION = frozenset("\f^{}\\[]~|€")
"""GSM 03.38's extension table: two septets each (the escape, then the character)."""


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class Capacity:
    """What one segment of an encoding holds, in its units."""

    single: int
    """A text sent as one segment."""
    chained: int
    """Each segment of a longer text (the rest of 140 bytes carries the chain's header)."""


CAPACITY = {Encoding.GSM7: Capacity(160, 153), Encoding.UCS2: Capacity(70, 67)}


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """How a text goes out: its encoding, its length in that encoding's units, its SMS."""

    encoding: Encoding
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    segments: int


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character of ``text`` is in GSM 03.38, else UCS-2."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return Encoding.GSM7
    return Encoding.UCS2


def units(char: str, encoding: Encoding) -> int:
    """Septets (GSM-7) or code units (UCS-2) ``char`` takes."""
    if encoding == Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count(text: str) -> SegmentCount:
    """The encoding ``text`` needs and the segments it takes (an empty text: one)."""
    encoding = encoding_of(text)
    sizes = [units(c, encoding) for c in text]
    total = sum(sizes)
    capacity = CAPACITY[encoding]
    if total <= capacity.single:
        return SegmentCount(encoding, total, 1)
    segments, used = 1, 0
    for size in sizes:
        if used + size > capacity.chained:  # a pair that does not fit starts the next one
            segments, used = segments + 1, 0
        used += size
    return SegmentCount(encoding, total, segments)


def segments(text: str) -> int:
    """SMS segments ``text`` takes."""
    return count(text).segments
