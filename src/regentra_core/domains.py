"""Email domains a client claims: what counts as one, written one way.

Pure rules, no I/O: the Desk stores the result, intake matches senders against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(text: str) -> str:
    """``@Acme.Example.`` -> ``acme.example``; anything that is not a domain is refused.

    People paste addresses and URLs; the domain is what they meant, so an address
    (``it@acme.example``) gives its domain, and an internationalised name its
    punycode (senders arrive in that form).
    """
    cleaned = text.strip().lower().rstrip(".")
    cleaned = cleaned.rpartition("@")[2]
    try:
        ascii_form = cleaned.encode("idna").decode("ascii") if cleaned else ""
    except UnicodeError:
        ascii_form = ""
    labels = ascii_form.split(".")
    if len(labels) < 2 or len(ascii_form) > 253 or not all(_LABEL.match(x) for x in labels):
        raise ValidationError(f"{text.strip()!r} is not an email domain (e.g. acme.example)")
    return ascii_form


def normalise_domains(values: Iterable[str]) -> list[str]:
    """Each value may itself be a comma- or space-separated list; duplicates go."""
    out: list[str] = []
    for value in values:
        for piece in re.split(r"[,\s]+", value):
            if piece and (domain := normalise_domain(piece)) not in out:
                out.append(domain)
    return out
