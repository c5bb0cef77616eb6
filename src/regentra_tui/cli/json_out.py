"""``--json`` output: plain JSON values from the core's records, written by orjson.

Apart from ``output`` (which draws with Rich) so a command printing JSON imports
neither Rich nor the core's heavy parts. orjson because the standard encoder drops
to its pure-Python path whenever it indents: a 10,000-ticket list spent most of
its printing there. The records go to orjson as they are: it writes their enums,
lists and strings itself and asks :func:`_record` only for each dataclass's fields
and each date (``jsonable`` in Python first was 40 ms of a 200-ticket list).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import click
import orjson

from regentra_core import json_safe

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """Add ``--json`` to a command."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
    )(func)


def jsonable(value: Any) -> Any:
    """Turn dataclasses, enums and datetimes into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        names += list(getattr(type(value), "derived", ()))
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """``value`` (plain JSON values) as indented UTF-8 JSON text.

    What orjson cannot write as the standard encoder would (an integer beyond 64
    bits, a lone surrogate, an infinite float, which orjson writes as null) goes
    through the standard encoder, so the output parses the same either way.
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    if "null" in text and _has_nonfinite(value):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return text


def _has_nonfinite(value: Any) -> bool:
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return any(_has_nonfinite(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nonfinite(v) for v in value)
    return False


def emit_json(value: Any) -> None:
    """Readable UTF-8 JSON, with terminal-unsafe characters as ``\\u`` escapes."""
    sys.stdout.write(json_safe(dumps_records(value)))
    sys.stdout.write("\n")


def dumps_records(value: Any) -> str:
    """``dumps(jsonable(value))``, the same text, with orjson walking the records.

    Whatever orjson would write otherwise than that (a float that is not finite,
    which it writes as null; an integer beyond 64 bits; a lone surrogate; a dict
    key that is not a string) takes the old way, so the output never differs.
    """
    options = (
        orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
    )
    try:
        _check_finite(value)
        return orjson.dumps(value, default=_record, option=options).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError, _NotFinite):
        return dumps(jsonable(value))


class _NotFinite(Exception):
    """A float orjson would write as null: the standard encoder writes it instead."""


_FIELDS: dict[type, tuple[str, ...]] = {}
"""Each record type's fields and ``derived`` properties, in ``jsonable``'s order."""


def _record(value: Any) -> Any:
    """What orjson asks for: a record as a dict of its fields (``jsonable``'s names
    and order), a date as ISO text, a set as a list; TypeError for anything else."""
    kind = type(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(kind)
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(value))
            names += tuple(getattr(kind, "derived", ()))
            _FIELDS[kind] = names
        fields = {name: getattr(value, name) for name in names}
        for item in fields.values():
            _check_finite(item)
        return fields
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set):
        _check_finite(value)
        return list(value)
    raise TypeError(f"not JSON: {kind.__name__}")


def _check_finite(value: Any) -> None:
    """_NotFinite for a float that is not finite in ``value`` or the containers in it
    (records are checked when orjson hands them to :func:`_record`)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotFinite
    elif isinstance(value, dict):
        for item in value.values():
            _check_finite(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            if not dataclasses.is_dataclass(item):
                _check_finite(item)
