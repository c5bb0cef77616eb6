"""What an analysis says, and the strict reading of a model's answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..enums import Priority

REASON_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Analysis:
    """A suggested priority and two flags, each resting on a one-line reason.

    ``source`` says who answered: ``model`` or ``rules``; when a model was asked and
    its answer could not be used, ``fallback`` says why and the rules answered.
    """

    suggested_priority: Priority
    security: bool
    frustration: bool
    confidence: float
    reason: str
    source: str
    fallback: str | None = None

    @property
    def flags(self) -> list[str]:
        return flag_names(self.security, self.frustration)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "suggested_priority": self.suggested_priority.value,
            "security": self.security,
            "frustration": self.frustration,
            "confidence": round(self.confidence, 2),
            "reason": self.reason,
            "source": self.source,
        }
        if self.fallback:
            out["fallback"] = self.fallback
        return out


def flag_names(security: bool, frustration: bool) -> list[str]:
    return [name for name, on in (("security", security), ("frustration", frustration)) if on]


class BadAnswer(ValueError):
    """A model's answer that is not the JSON object the prompt asked for."""


ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["suggested_priority", "security", "frustration", "confidence", "reason"],
    "properties": {
        "suggested_priority": {"enum": [p.value for p in Priority]},
        "security": {"type": "boolean"},
        "frustration": {"type": "boolean"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string"},
    },
}
"""What the prompt asks for; ``read_answer`` holds the answer to it field by field."""


def read_answer(text: str) -> Analysis:
    """The model's answer as an :class:`Analysis`, or :class:`BadAnswer` saying why.

    Strict on purpose: a wrong type or an unknown priority is refused, not guessed
    at, and the rules answer instead. Extra keys are ignored. A JSON object wrapped
    in a Markdown code fence (some models do that) is accepted.
    """
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(cleaned)
    except ValueError:
        raise BadAnswer(f"not JSON: {text[:60]!r}") from None
    if not isinstance(data, dict):
        raise BadAnswer("not a JSON object")
    missing = [k for k in ANSWER_SCHEMA["required"] if k not in data]
    if missing:
        raise BadAnswer(f"missing {', '.join(missing)}")
    priority = data["suggested_priority"]
    if not isinstance(priority, str) or priority.lower() not in Priority._value2member_map_:
        raise BadAnswer(f"suggested_priority {priority!r} is not a priority")
    for flag in ("security", "frustration"):
        if not isinstance(data[flag], bool):
            raise BadAnswer(f"{flag} is not true or false")
    confidence = data["confidence"]
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise BadAnswer("confidence is not a number")
    if not 0 <= confidence <= 1:
        raise BadAnswer(f"confidence {confidence} is not between 0 and 1")
    reason = data["reason"]
    if not isinstance(reason, str) or not reason.strip():
        raise BadAnswer("reason is empty")
    return Analysis(
        suggested_priority=Priority(priority.lower()),
        security=data["security"],
        frustration=data["frustration"],
        confidence=float(confidence),
        reason=" ".join(reason.split())[:REASON_LIMIT],
        source="model",
    )
