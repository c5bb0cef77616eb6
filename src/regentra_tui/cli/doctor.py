"""``regentra doctor``: check a desk as the calling account and say how to fix it."""

from __future__ import annotations

import click
from rich.text import Text

from regentra_core import examine_desk, utcnow

from ..render import styled
from .context import CliContext, pass_cli
from .output import console, emit_json, safe


@click.command("doctor")
@click.option(
    "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
)
@pass_cli
def doctor(state: CliContext, as_json: bool) -> None:
    """Check the desk as you: file owners and modes, your group, the index, the
    worker, free disk space and the config in effect (secrets as set / not set).

    Prints each problem and warning with the command that fixes it; exits 1 if
    there is any problem (warnings alone exit 0).
    """
    exam = examine_desk(state.settings, state.database_target(), utcnow())
    if as_json:
        emit_json(
            {
                "facts": dict(exam.facts),
                "problems": [{"problem": f.problem, "fix": f.fix} for f in exam.findings],
                "warnings": [{"warning": f.problem, "fix": f.fix} for f in exam.warnings],
            }
        )
    else:
        out = console()
        width = max(len(name) for name, _ in exam.facts)
        for name, value in exam.facts:
            out.print(styled(f"{name + ':':<{width + 1}} ", "bold") + safe(value))
        out.print()
        for finding in exam.findings:
            out.print(styled("✗ ", "bold red") + safe(finding.problem))
            out.print(Text("  fix: ") + safe(finding.fix))
        for warning in exam.warnings:
            out.print(styled("! ", "bold yellow") + safe(warning.problem))
            out.print(Text("  fix: ") + safe(warning.fix))
        warned = f" ({len(exam.warnings)} warning(s))" if exam.warnings else ""
        if exam.findings:
            out.print(f"{len(exam.findings)} problem(s) found{warned}.")
        else:
            out.print(styled("✓ ", "bold green") + Text(f"No problems found{warned}."))
    if exam.findings:
        raise SystemExit(1)
