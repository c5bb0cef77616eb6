"""Automation rules: their shape, their validation, their TOML form and their test.

Pure: no database and no clock. A rule is checked once, when it is written or
imported, so evaluating it on every ticket change is only comparisons. The Desk
(``desk/automations.py``) decides *when* rules run and carries out their actions
in the transaction of the change that fired them.

The TOML form is the one operators keep under version control::

    [[rule]]
    name = "Acme outages to Alice"
    trigger = "ticket_created"
    conditions = [{ field = "client", op = "is", value = "Acme" }]
    actions = [{ action = "assign", to = "alice" }]
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import regex  # type: ignore[import-untyped]  # no stubs ship with it

from .enums import Channel, Priority, Status
from .errors import RuleError, ValidationError
from .events import EventKind
from .sla import Badge

__all__ = [
    "ACTIONS",
    "FIELDS",
    "Action",
    "ActionSpec",
    "Condition",
    "FieldSpec",
    "Rule",
    "RuleError",
    "Trigger",
    "dump_rules",
    "parse_rules",
    "rule_from",
    "trigger_of",
]


class Trigger(StrEnum):
    """What makes a rule look at a ticket. The values are what rule files and the
    ``automation_rule`` table store, so existing rules read the same."""

    TICKET_CREATED = "ticket_created"
    STATUS_CHANGED = "status_changed"
    REPLY_ADDED = "reply_added"
    SLA_AT_RISK = "sla_at_risk"
    SLA_BREACHED = "sla_breached"
    PERIODIC = "periodic"
    """The worker's timer, on every ticket not yet Resolved or Closed."""


TRIGGERS = tuple(Trigger)

_TRIGGER_OF_EVENT: dict[str, Trigger] = {
    EventKind.CREATED: Trigger.TICKET_CREATED,
    EventKind.STATUS_CHANGED: Trigger.STATUS_CHANGED,
    EventKind.REOPENED: Trigger.STATUS_CHANGED,
    EventKind.RESOLVED: Trigger.STATUS_CHANGED,
    EventKind.CLOSED: Trigger.STATUS_CHANGED,
    EventKind.CUSTOMER_REPLY: Trigger.REPLY_ADDED,
    EventKind.TECHNICIAN_REPLY: Trigger.REPLY_ADDED,
}
_TRIGGER_OF_BADGE: dict[str, Trigger] = {
    Badge.AT_RISK: Trigger.SLA_AT_RISK,
    Badge.BREACHED: Trigger.SLA_BREACHED,
}


def trigger_of(kind: str, to_value: str | None) -> Trigger | None:
    """The trigger an audit Event fires, if any: an SLA badge's by the badge it turned."""
    if kind == EventKind.SLA_BADGE_CHANGED:
        return _TRIGGER_OF_BADGE.get(to_value or "")
    return _TRIGGER_OF_EVENT.get(kind)


RULE_KEYS = (
    "name",
    "description",
    "trigger",
    "order",
    "enabled",
    "stop_after_match",
    "conditions",
    "actions",
)
"""A rule's keys, in the order a rule file writes them."""

OPS = ("is", "is_not", "in", "contains", "matches", "gt", "lt")
TEXT_OPS = ("is", "is_not", "in", "contains", "matches")
ORDER_OPS = ("is", "is_not", "in", "gt", "lt")

REGEX_TIMEOUT = 0.05
"""Seconds a ``matches`` pattern may run on one value before it counts as no match:
an operator's regex must not stall a transaction (catastrophic backtracking)."""

MAX_PATTERN = 500
PLACEHOLDERS = ("number", "subject", "client", "priority", "status", "assignee", "channel")
"""What ``{name}`` in a note or notification is replaced with."""

_SLA_VALUES = tuple(b.value for b in Badge)


@dataclass(frozen=True, slots=True)
class Condition:
    """``field op value``; ``value`` is already parsed to what the field compares."""

    field: str
    op: str
    value: Any
    """As written (enum values in their canonical spelling), for export."""
    want: Any = None
    """What is compared: text case-folded, so ``Acme`` is ``acme``."""

    def describe(self) -> str:
        shown = ", ".join(map(str, self.value)) if isinstance(self.value, tuple) else self.value
        if isinstance(shown, bool):
            shown = str(shown).lower()
        elif shown == "":
            shown = '""'  # "assignee is nobody" reads as a rule, "assignee is" as a typo
        return f"{self.field} {self.op.replace('_', ' ')} {shown}"

    def raw(self) -> dict[str, Any]:
        value: Any = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, "op": self.op, "value": value}


@dataclass(frozen=True, slots=True)
class Action:
    """One step a rule takes, with its arguments by name."""

    action: str
    args: tuple[tuple[str, Any], ...]

    def arg(self, name: str) -> Any:
        return dict(self.args)[name]

    def describe(self) -> str:
        parts = " ".join(f"{k}={_short(v)}" for k, v in self.args)
        return f"{self.action} {parts}"

    def raw(self) -> dict[str, Any]:
        return {"action": self.action, **dict(self.args)}


@dataclass(frozen=True, slots=True)
class Rule:
    """An operator's rule: when ``trigger`` happens and every condition holds, act."""

    name: str
    trigger: Trigger
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    description: str = ""
    order: int = 100
    enabled: bool = True
    stop_after_match: bool = False

    def raw(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "trigger": self.trigger,
            "order": self.order,
            "enabled": self.enabled,
            "stop_after_match": self.stop_after_match,
            "conditions": [c.raw() for c in self.conditions],
            "actions": [a.raw() for a in self.actions],
        }


@dataclass(frozen=True, slots=True)
class Check:
    """One condition's verdict on one ticket."""

    condition: Condition
    matched: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's verdict on one ticket: every condition's check, and whether all held."""

    rule: Rule
    checks: tuple[Check, ...] = field(default=())

    @property
    def matched(self) -> bool:
        return all(c.matched for c in self.checks)


Facts = Callable[[str], Any]
"""A ticket's value for a condition field (computed only when a rule asks)."""


# -- building and checking -----------------------------------------------------


def rule_from(raw: Mapping[str, Any], *, where: str = "rule") -> Rule:
    """Check one rule given as plain data (a TOML table, JSON, a form) and build it."""
    known = set(RULE_KEYS)
    extra = sorted(set(raw) - known)
    if extra:
        raise RuleError(
            f"{where}: unknown key {extra[0]!r} (keys: {', '.join(sorted(known))})", extra[0]
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError(f"{where}: a rule needs a name", "name")
    name = name.strip()
    if len(name) > 100:
        raise RuleError(f"{where}: the name is longer than 100 characters", "name")
    where = f"{where} {name!r}"
    trigger = raw.get("trigger")
    if trigger not in TRIGGERS:
        raise RuleError(
            f"{where}: trigger {trigger!r} is not one of {', '.join(TRIGGERS)}", "trigger"
        )
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise RuleError(f"{where}: description must be text", "description")
    order = raw.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 1_000_000:
        raise RuleError(f"{where}: order must be a whole number from 0 to 1000000", "order")
    flags = {}
    for key, default in (("enabled", True), ("stop_after_match", False)):
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise RuleError(f"{where}: {key} must be true or false", key)
        flags[key] = value
    conditions = raw.get("conditions", [])
    actions = raw.get("actions", [])
    if not isinstance(conditions, list):
        raise RuleError(f"{where}: conditions must be a list", "conditions")
    if not isinstance(actions, list) or not actions:
        raise RuleError(f"{where}: a rule needs at least one action", "actions")
    checked_conditions = []
    for i, c in enumerate(conditions, start=1):
        try:
            checked_conditions.append(condition_from(c, where=f"{where}, condition {i}"))
        except RuleError as exc:
            raise RuleError(str(exc), "conditions", i) from None
    checked_actions = []
    for i, a in enumerate(actions, start=1):
        try:
            checked_actions.append(action_from(a, where=f"{where}, action {i}"))
        except RuleError as exc:
            raise RuleError(str(exc), "actions", i) from None
    return Rule(
        name=name,
        trigger=Trigger(trigger),
        conditions=tuple(checked_conditions),
        actions=tuple(checked_actions),
        description=description.strip(),
        order=order,
        enabled=flags["enabled"],
        stop_after_match=flags["stop_after_match"],
    )


def condition_from(raw: Any, *, where: str) -> Condition:
    if not isinstance(raw, Mapping) or set(raw) != {"field", "op", "value"}:
        raise RuleError(f"{where}: a condition is {{ field = ..., op = ..., value = ... }}")
    name, op, value = raw["field"], raw["op"], raw["value"]
    spec = FIELDS.get(name)
    if spec is None:
        raise RuleError(f"{where}: unknown field {name!r} (fields: {', '.join(FIELDS)})")
    if op not in OPS:
        raise RuleError(f"{where}: unknown op {op!r} (ops: {', '.join(OPS)})")
    if op not in spec.ops:
        raise RuleError(f"{where}: {name} takes {', '.join(spec.ops)}, not {op!r}")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: 'in' takes a list of values")
        values = tuple(spec.value(v, where) for v in value)
        return Condition(name, op, values, tuple(_folded(v) for v in values))
    if op == "matches":
        if not isinstance(value, str) or len(value) > MAX_PATTERN:
            raise RuleError(f"{where}: 'matches' takes a pattern of up to {MAX_PATTERN} characters")
        try:
            regex.compile(value)
        except regex.error as exc:
            raise RuleError(f"{where}: the pattern {value!r} is not valid: {exc}") from None
        return Condition(name, op, value, value)
    parsed = spec.value(value, where)
    return Condition(name, op, parsed, _folded(parsed))


def _folded(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def action_from(raw: Any, *, where: str) -> Action:
    if not isinstance(raw, Mapping) or "action" not in raw:
        raise RuleError(f"{where}: an action is {{ action = ..., ... }}")
    name = raw["action"]
    spec = ACTIONS.get(name)
    if spec is None:
        raise RuleError(f"{where}: unknown action {name!r} (actions: {', '.join(ACTIONS)})")
    keys = spec.keys
    given = set(raw) - {"action"}
    if given != set(keys):
        missing = sorted(set(keys) - given)
        extra = sorted(given - set(keys))
        what = f"needs {', '.join(missing)}" if missing else f"does not take {', '.join(extra)}"
        raise RuleError(f"{where}: {name} {what} (it takes {', '.join(keys)})")
    return Action(name, tuple((key, spec.value(key, raw[key], where)) for key in keys))


# -- the vocabulary: every condition field and every action, one entry each ------------
#
# A field or an action is its entry here (what a rule file may say: the operators or
# keys, how a value is checked) and its effect in ``desk/automations.py`` (``READERS``
# reads the field off a ticket, ``EFFECTS`` carries the action out), beside the
# moves it is made of: this module is pure and never reaches the store. A test holds
# the two tables to the same names.


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A condition field: the operators that make sense on it and its values' check."""

    name: str
    ops: tuple[str, ...]
    parse: Callable[[Any, str], Any]
    """The value as compared (lower-case text, an enum's value), or a ``RuleError``."""
    rank: Callable[[Any], int] | None = None
    """How ``gt``/``lt`` order the field's values when not as text or numbers."""

    def value(self, value: Any, where: str) -> Any:
        try:
            return self.parse(value, where)
        except RuleError:
            raise
        except ValidationError as exc:
            raise RuleError(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An action: the keys it takes (all required) and their values' check."""

    name: str
    keys: tuple[str, ...]
    parse: Callable[[str, Any, str], Any] | None = None
    """Each key's value as the action uses it (after the check every text key gets)."""

    def value(self, key: str, value: Any, where: str) -> Any:
        if self.parse is None:
            return _text(self.name, key, value, where)
        try:
            return self.parse(key, value, where)
        except RuleError:
            raise
        except ValidationError as exc:
            raise RuleError(f"{where}: {exc}") from None


def _as_text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str):
        raise RuleError(f"{where}: {name} takes text, not {value!r}")
    return value


def _plain(name: str) -> Callable[[Any, str], Any]:
    return lambda value, where: _as_text(value, where, name).strip()


def _enum_value(name: str, parse: Callable[[str], Any]) -> Callable[[Any, str], Any]:
    return lambda value, where: parse(_as_text(value, where, name)).value


def _vip(value: Any, where: str) -> Any:
    if not isinstance(value, bool):
        raise RuleError(f"{where}: vip is true or false")
    return value


def _hours(value: Any, where: str) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise RuleError(f"{where}: hours_since_update takes a number of hours")
    return value  # as written (72 stays 72 in an export); compared as a number


def _sla(value: Any, where: str) -> Any:
    key = _as_text(value, where, "sla").strip().lower().replace(" ", "_").replace("-", "_")
    if key not in _SLA_VALUES:
        raise RuleError(f"{where}: sla is one of {', '.join(_SLA_VALUES)}, not {value!r}")
    return key


def _priority_rank(value: Any) -> int:
    return Priority(value).rank if value else -1


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("channel", ("is", "is_not", "in"), _enum_value("channel", Channel.parse)),
        FieldSpec("client", TEXT_OPS, _plain("client")),
        FieldSpec("vip", ("is", "is_not"), _vip),
        FieldSpec("contact_email", TEXT_OPS, _plain("contact_email")),
        FieldSpec(
            "priority", ORDER_OPS, _enum_value("priority", Priority.parse), rank=_priority_rank
        ),
        FieldSpec("status", ("is", "is_not", "in"), _enum_value("status", Status.parse)),
        FieldSpec("assignee", TEXT_OPS, _plain("assignee")),
        FieldSpec("subject", TEXT_OPS, _plain("subject")),
        FieldSpec("body", TEXT_OPS, _plain("body")),
        FieldSpec("sla", ("is", "is_not", "in"), _sla),
        FieldSpec("hours_since_update", ("is", "is_not", "gt", "lt"), _hours),
    )
}
"""Each condition field by name, in the order the error messages list them."""


def _text(action: str, key: str, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: {action} {key} must be text")
    return value.strip()


def _master(key: str, value: Any, where: str) -> Any:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RuleError(f"{where}: master is a ticket number")
    return value


def _enum_arg(action: str, parse: Callable[[str], Any]) -> Callable[[str, Any, str], Any]:
    def check(key: str, value: Any, where: str) -> str:
        _text(action, key, value, where)
        return str(parse(value).value)  # as typed: the refusal quotes it

    return check


def _notify(key: str, value: Any, where: str) -> Any:
    text = _text("notify", key, value, where)
    if key == "to" and text.lower() != "contact":
        if not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", text):
            raise RuleError(f"{where}: notify to is an email address or contact")
    return text


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec("assign", ("to",)),
        ActionSpec("set_priority", ("value",), _enum_arg("set_priority", Priority.parse)),
        ActionSpec("set_status", ("value",), _enum_arg("set_status", Status.parse)),
        ActionSpec("add_note", ("body",)),
        ActionSpec("notify", ("to", "subject", "body"), _notify),
        ActionSpec("add_to_master", ("master",), _master),
    )
}
"""Each action by name, in the order the error messages list them."""


# -- evaluating ----------------------------------------------------------------


def evaluate(rule: Rule, facts: Facts) -> Verdict:
    """Check every condition (all of them, so a dry run can show each verdict)."""
    return Verdict(rule, tuple(check(c, facts) for c in rule.conditions))


def first_failure(rule: Rule, facts: Facts) -> Check | None:
    """The first condition that does not hold (None: the rule matches): what a real
    run logs for a rule that did not match, without checking the rest."""
    for condition in rule.conditions:
        result = check(condition, facts)
        if not result.matched:
            return result
    return None


def matches(rule: Rule, facts: Facts) -> bool:
    """Whether every condition holds, stopping at the first that does not."""
    return all(check(c, facts).matched for c in rule.conditions)


def check(condition: Condition, facts: Facts) -> Check:
    actual = facts(condition.field)
    op, want = condition.op, condition.want
    rank = FIELDS[condition.field].rank
    if rank is not None and op in ("gt", "lt"):
        have, bound = rank(actual), rank(want)
        return Check(condition, have > bound if op == "gt" else have < bound)
    if isinstance(actual, str):
        actual = actual.casefold()
    if op == "is":
        return Check(condition, actual == want)
    if op == "is_not":
        return Check(condition, actual != want)
    if op == "in":
        return Check(condition, actual in want)
    if op == "gt":
        return Check(condition, actual is not None and actual > want)
    if op == "lt":
        return Check(condition, actual is not None and actual < want)
    text = actual or ""
    if op == "contains":
        return Check(condition, want in text)
    try:
        found = _compiled(want).search(facts(condition.field) or "", timeout=REGEX_TIMEOUT)
    except TimeoutError:
        return Check(condition, False, f"pattern gave up after {REGEX_TIMEOUT * 1000:.0f} ms")
    return Check(condition, found is not None)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    """A rule's pattern, compiled once per process (rules are checked on every change)."""
    return regex.compile(pattern)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace ``{number}``, ``{subject}``... in an action's text; other braces stay."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
        template,
    )


# -- the TOML form ---------------------------------------------------------------


def parse_rules(text: str) -> list[Rule]:
    """Every rule of a rule file, or one error naming the line that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"not valid TOML: {exc}") from None
    lines = text.splitlines()
    extra = sorted(set(data) - {"rule"})
    if extra:
        raise RuleError(
            f"line {_line_of(lines, extra[0], 0, len(lines)) or 1}: unknown table "
            f"{extra[0]!r}; a rule file holds [[rule]] tables"
        )
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise RuleError("line 1: rules are [[rule]] tables")
    starts = [i for i, line in enumerate(lines) if line.strip() == "[[rule]]"]
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, table in enumerate(tables):
        start = starts[n] if n < len(starts) else 0
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        try:
            rule = rule_from(table, where=f"rule {n + 1}")
        except RuleError as exc:
            line = _line_of(lines, exc.key, start, end) if exc.key else None
            if line is not None and exc.item > 1:
                line = _item_line(lines, line - 1, end, exc.item) or line
            raise RuleError(f"line {line or start + 1}: {exc}") from None
        if rule.name.casefold() in seen:
            line = _line_of(lines, "name", start, end) or start + 1
            raise RuleError(f"line {line}: a second rule named {rule.name!r}")
        seen.add(rule.name.casefold())
        rules.append(rule)
    return rules


def _line_of(lines: Sequence[str], key: str, start: int, end: int) -> int | None:
    """The 1-based line in ``lines[start:end]`` that sets ``key``."""
    pattern = re.compile(rf"\s*(?:\[\[?)?{re.escape(key)}\s*(?:=|\]\]?)")
    for i in range(start, min(end, len(lines))):
        if pattern.match(lines[i]):
            return i + 1
    return None


def _item_line(lines: Sequence[str], at: int, end: int, item: int) -> int | None:
    """The line where the ``item``-th inline table of a list starting at ``at`` opens."""
    seen = 0
    for i in range(at, min(end, len(lines))):
        seen += lines[i].count("{")
        if seen >= item:
            return i + 1
    return None


def dump_rules(rules: Iterable[Rule]) -> str:
    """The rule file for ``rules``, in the shape ``parse_rules`` reads."""
    blocks = []
    for rule in rules:
        lines = [
            "[[rule]]",
            f"name = {_toml(rule.name)}",
            f"description = {_toml(rule.description)}",
            f"trigger = {_toml(rule.trigger)}",
            f"order = {rule.order}",
            f"enabled = {_toml(rule.enabled)}",
            f"stop_after_match = {_toml(rule.stop_after_match)}",
            _array("conditions", [c.raw() for c in rule.conditions]),
            _array("actions", [a.raw() for a in rule.actions]),
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _array(key: str, items: Sequence[Mapping[str, Any]]) -> str:
    if not items:
        return f"{key} = []"
    pad = " " * (len(key) + 4)
    tables = [
        "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in item.items()) + " }" for item in items
    ]
    return f"{key} = [" + (",\n" + pad).join(tables) + "]"


def _toml(value: Any) -> str:
    """A TOML literal: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _short(value: Any, limit: int = 40) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
