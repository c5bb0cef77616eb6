"""What a search may say, the same for either engine: limits and field spellings."""

from __future__ import annotations

import re

from ..enums import Priority, Status
from ..errors import ValidationError

MAX_QUERY_LENGTH = 500

_FIELD_VALUE = re.compile(r"\b(status|priority):(\S+)", re.IGNORECASE)


def checked(text: str) -> str:
    """The query stripped; empty or overlong ones are refused in words."""
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("type something to search for")
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise ValidationError(f"a search is at most {MAX_QUERY_LENGTH} characters")
    return cleaned


def normalise_fields(text: str) -> str:
    """``status:in-progress`` and ``priority:HIGH`` as the documents spell them."""

    def fix(match: re.Match[str]) -> str:
        name, value = match.group(1).lower(), match.group(2)
        try:
            parsed = Status.parse(value) if name == "status" else Priority.parse(value)
        except ValidationError:
            return match.group(0)
        return f"{name}:{parsed.value}"

    return _FIELD_VALUE.sub(fix, text)
