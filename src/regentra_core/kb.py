"""KB articles as Markdown files: ``# Title``, a ``Tags:`` line, then the body.

The same shape ``data/kb/*.md`` seeds the demo with, ``regentra kb import DIR``
reads, and ``kb show`` prints, so an article can go out to a file and back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ValidationError

SLUG_LIMIT = 200


@dataclass(frozen=True, slots=True)
class ArticleText:
    title: str
    tags: str
    body: str


def parse(text: str, *, source: str) -> ArticleText:
    """Read an article file; a file without a ``# Title`` line is refused, named."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].startswith("# "):
        raise ValidationError(f"{source}: the first line must be '# Title'")
    title = lines[0][2:].strip()
    rest = lines[1:]
    tags = ""
    if rest and rest[0].lower().startswith("tags:"):
        tags = rest.pop(0)[5:].strip()
    return ArticleText(title=title, tags=normalise_tags(tags), body="\n".join(rest).strip())


def render(title: str, tags: str, body: str) -> str:
    head = f"# {title}\n"
    if tags:
        head += f"Tags: {tags}\n"
    return f"{head}\n{body.strip()}\n"


def normalise_tags(tags: str) -> str:
    """Comma-separated, lower case, each once, in the order given."""
    seen: list[str] = []
    for tag in tags.split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


def slug_for(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:SLUG_LIMIT].rstrip("-") or "article"
