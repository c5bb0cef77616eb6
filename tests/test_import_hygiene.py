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
        "import json, sys; from regentra_tui.cli import cli; "
        "print(json.dumps([m for m in ('textual', 'litellm') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_starting_the_app_does_not_import_litellm():
    code = "import json, sys; import regentra_tui.app; print(json.dumps('litellm' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False
