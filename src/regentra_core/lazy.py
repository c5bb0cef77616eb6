"""Names a package re-exports, imported when first used (PEP 562).

A command that needs only the errors or the settings must not pay for SQLAlchemy,
the models, the Desk or APScheduler because their package's ``__init__`` named
them: ``regentra --version`` took 1.6 s that way.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from the
    submodule ``where[name]`` (relative to ``package``) the first time it is asked."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
