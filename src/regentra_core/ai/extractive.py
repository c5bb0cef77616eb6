"""A reply draft without a model: greeting, the best article's steps, closing.

Built only from the knowledge base and the ticket, so the draft panel works on a
fresh desk (``regentra demo``) and whenever a model cannot be reached; the panel
labels it as such.
"""

from __future__ import annotations

import re

from .conversation import Conversation
from .retrieval import Article

_STEP = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(.*\S)")
MAX_STEPS = 8


def steps(body: str) -> list[str]:
    """The numbered or bulleted lines of an article's Markdown, else its first
    paragraph (headings and emphasis markers removed)."""
    found: list[str] = []
    for line in body.splitlines():
        if m := _STEP.match(line):
            found.append(m.group(1))
        elif found and line.startswith((" ", "\t")) and line.strip():
            found[-1] += " " + line.strip()  # a step wrapped over several lines
        elif found and not line.strip():
            continue
        elif found:
            break  # the list has ended
    if found:
        return [_plain(s) for s in found[:MAX_STEPS]]
    for paragraph in re.split(r"\n\s*\n", body):
        text = " ".join(
            line.strip() for line in paragraph.splitlines() if not line.lstrip().startswith("#")
        )
        if text:
            return [_plain(text)]
    return []


def _plain(text: str) -> str:
    return re.sub(r"(\*\*|__|`)", "", text).strip()


def first_name(contact: str | None) -> str:
    if not contact:
        return "there"
    name = contact.split("@")[0].replace(".", " ").split()[0]
    return name[:1].upper() + name[1:] if name else "there"


def draft(
    conversation: Conversation, articles: list[Article], contact: str | None, technician: str
) -> str:
    lines = [f"Hi {first_name(contact)},", "", "Thank you for getting in touch."]
    if articles:
        best = articles[0]
        found = steps(best.body)
        lines += ["", f"This looks like a case of \u201c{best.title}\u201d. Please try:"]
        if len(found) > 1:
            lines += [f"{n}. {step}" for n, step in enumerate(found, 1)]
        else:
            lines += found
        lines += [
            "",
            "If that does not solve it, reply to this message and we will take it from there.",
        ]
    else:
        lines += ["", "We are looking into it and will be back to you shortly."]
    lines += ["", "Best regards,", technician]
    return "\n".join(lines)
