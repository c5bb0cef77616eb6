"""The core never pulls in the UI or heavy optional libraries at import time."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import regentra_core

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(regentra_core.__path__, "regentra_core.")
    if ".migrations" not in m.name
)


@pytest.mark.parametrize("module", ["regentra_core", *CORE_MODULES])
def test_core_module_imports_neither_textual_nor_litellm(module):
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps([m for m in ('textual', 'litellm', 'regentra_tui') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_cli_commands_do_not_import_textual_or_litellm():
    code = (
        "import json, sys, click; from regentra_tui.cli import cli; "
        "[cli.get_command(click.Context(cli), n) for n in cli.list_commands(click.Context(cli))]; "
        "print(json.dumps([m for m in ('textual', 'litellm') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_import_no_database_code(argv):
    # Start-up is most of a short command's time: SQLAlchemy, the models and the
    # Desk cost over a second here, and none of them is needed to print help.
    code = (
        "import json, sys; from regentra_tui.cli import cli; "
        f"cli({argv!r}, prog_name='regentra', standalone_mode=False); "
        "print(json.dumps([m for m in ('sqlalchemy', 'sqlmodel', 'whoosh', 'regentra_core.desk')"
        " if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == []


def test_the_command_table_names_every_command_with_its_own_help():
    import importlib

    from regentra_tui.cli import COMMANDS
    from regentra_tui.cli.root import _shortened

    for name, (module, attribute, short) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command.name == name
        assert _shortened(short, 500) == command.get_short_help_str(500), name


def test_starting_the_app_does_not_import_litellm():
    code = "import json, sys; import regentra_tui.app; print(json.dumps('litellm' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False


# The core's public surface: the package root names what an interface may use.


def _where_and_type_checking_imports() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """``_WHERE`` as written, and what the ``TYPE_CHECKING`` block imports: name ->
    (module, name at home), read from the source as mypy reads it."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(regentra_core))
    imported: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                module = "." * statement.level + (statement.module or "")
                for alias in statement.names:
                    imported[alias.asname or alias.name] = (module, alias.name)
    return regentra_core._WHERE, imported


def test_the_public_surface_lists_each_name_once_in_all_and_where():
    assert len(regentra_core.__all__) == len(set(regentra_core.__all__))
    assert sorted(regentra_core.__all__) == sorted(regentra_core._WHERE)


def test_every_public_name_resolves_to_the_object_its_module_holds():
    import importlib

    from regentra_core.lazy import source

    for name, where in regentra_core._WHERE.items():
        module, attribute = source(where, name)
        home = importlib.import_module(module, "regentra_core")
        assert getattr(regentra_core, name) is getattr(home, attribute), name


def test_mypy_sees_every_public_name_where_it_is_imported_from():
    # A name in _WHERE but not in the TYPE_CHECKING imports is typed Any by the
    # module's __getattr__, silently: the interfaces would lose their type checks.
    from regentra_core.lazy import source

    where, imported = _where_and_type_checking_imports()
    assert {name: source(w, name) for name, w in where.items()} == imported


def test_no_public_name_is_also_a_core_module():
    # Importing regentra_core.<name> sets that attribute to the module, so a public
    # name spelled like a module would be shadowed by it depending on import order.
    modules = {m.name for m in pkgutil.iter_modules(regentra_core.__path__)}
    assert modules.isdisjoint(regentra_core.__all__)


def test_the_interfaces_import_the_core_only_through_its_root():
    # What the import contract in pyproject.toml enforces, counted: regentra_tui
    # imported 42 core modules; every one of them now goes through the package root.
    import grimp

    interfaces = [p for p in ("regentra_tui", "regentra_web") if _importable(p)]
    graph = grimp.build_graph("regentra_core", *interfaces)
    reached = {
        imported
        for interface in interfaces
        for importer in graph.find_descendants(interface) | {interface}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("regentra_core")
    }
    assert reached == {"regentra_core"}


def _importable(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None
