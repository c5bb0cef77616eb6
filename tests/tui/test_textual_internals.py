"""The app uses Textual's public API; what key routing still needs from Textual's
internals is in one module, ``regentra_tui/key_routing.py``, which says why.

A private name (``x._name``) the app reads that none of the app's own code
defines is someone else's internals: Textual's, most likely, and free to change
in any release. Read from the source, so a new screen is held to it too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import regentra_tui

PACKAGE = Path(regentra_tui.__file__).parent
ROUTING = PACKAGE / "key_routing.py"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


PUBLIC = {"_exit"}
"""Names public despite the underscore (``os._exit``: ending a process whose terminal
hung up, ``hangup.py``)."""


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__") and name not in PUBLIC


def _own_private_names() -> set[str]:
    """Private names the app's own code defines: its functions, methods, classes,
    attributes it assigns, and names it imports from its own modules."""
    names: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return {n for n in names if _private(n)}


def _foreign_private_reads(source: str, own: set[str]) -> list[str]:
    return sorted(
        {
            node.attr
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own
        }
    )


def test_the_check_finds_a_private_textual_name():
    source = "async def f(app):\n    return await app._check_bindings('x')\n"
    assert _foreign_private_reads(source, set()) == ["_check_bindings"]


def test_only_key_routing_reads_textuals_internals():
    own = _own_private_names()
    found = {
        str(path.relative_to(PACKAGE)): names
        for path in SOURCES
        if path != ROUTING
        and (names := _foreign_private_reads(path.read_text(encoding="utf-8"), own))
    }
    assert found == {}


def test_key_routing_says_what_it_takes_from_textual_and_on_which_version():
    from regentra_tui import key_routing

    doc = " ".join((key_routing.__doc__ or "").split())
    used = _foreign_private_reads(ROUTING.read_text(encoding="utf-8"), _own_private_names())
    assert used, "key_routing uses no internals: drop this test and the docstring's list"
    for name in used:
        assert name in doc, name
    assert "Textual 8.2.8" in doc


def _short_sleeps(source: str) -> list[int]:
    """Lines that sleep a constant under 10 ms (a poll, not a rest)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "sleep"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, int | float)
        and 0 < node.args[0].value < 0.01
    ]


def test_the_app_waits_on_events_not_millisecond_polls():
    assert _short_sleeps("import asyncio\nasync def f():\n    await asyncio.sleep(0.001)\n") == [3]
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in SOURCES
        if (lines := _short_sleeps(path.read_text(encoding="utf-8")))
    }
    assert found == {}
