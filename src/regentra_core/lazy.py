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


def source(where: str, name: str) -> tuple[str, str]:
    """The module and the attribute a re-exported ``name`` comes from.

    ``where`` is the module (``".queries"``), or the module and the name it has there
    (``".queries:technicians"``) when the package exports it under a clearer one: at
    the package root, ``technicians`` would not say whose list it is.
    """
    module, _, attribute = where.partition(":")
    return module, attribute or name


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from the
    submodule ``where[name]`` (relative to ``package``; see :func:`source`) the first
    time it is asked."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = source(where[name], name)
        value = getattr(importlib.import_module(module, package), attribute)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
