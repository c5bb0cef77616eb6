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
