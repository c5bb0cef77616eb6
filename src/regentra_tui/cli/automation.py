"""``regentra automation ...``: operators' rules from the shell and from version control."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from regentra_core import ValidationError, dry_run_rule, dump_rules, rule_log, stored_rules

from ..render import styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe
from .reading import read_text


@click.group("automation")
def automation() -> None:
    """Automation rules: list, import/export as TOML, switch on/off, dry-run, log."""


@automation.command("list")
@json_option
@pass_cli
def automation_list(state: CliContext, as_json: bool) -> None:
    """Every rule in the order it runs."""
    stored = stored_rules(state.db)
    if as_json:
        emit_json([s.rule.raw() for s in stored])
        return
    out = console()
    if not stored:
        out.print("No rules yet: regentra automation import FILE (see regentra automation export).")
        return
    table = Table(box=None, header_style="bold")
    for name in ("Order", "Name", "Trigger", "On", "Stop", "Conditions", "Actions"):
        table.add_column(name)
    for s in stored:
        r = s.rule
        table.add_row(
            str(r.order),
            safe(r.name, flat=True),
            r.trigger,
            "yes" if r.enabled else styled("off", "dim"),
            "stop" if r.stop_after_match else "",
            safe("; ".join(c.describe() for c in r.conditions) or "always", flat=True, limit=60),
            safe("; ".join(a.describe() for a in r.actions), flat=True, limit=60),
        )
    out.print(table)


@automation.command("export")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of standard output.")
@pass_cli
def automation_export(state: CliContext, output: str | None) -> None:
    """Every rule as TOML (``automation import`` reads it back)."""
    text = dump_rules(s.rule for s in stored_rules(state.db))
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote {text.count('[[rule]]')} rules to {output}.")


@automation.command("import")
@click.argument("file", metavar="FILE|-")
@json_option
@pass_cli
def automation_import(state: CliContext, file: str, as_json: bool) -> None:
    """Add or replace (by name) every rule in FILE; a bad file changes nothing."""
    text = read_text(file)
    try:
        added, changed = state.desk().import_rules(text)
    except ValidationError as exc:
        raise ValidationError(f"{file}: {exc}; nothing was imported") from None
    if as_json:
        emit_json({"added": added, "changed": changed})
        return
    click.echo(f"Imported {file}: {len(added)} added, {len(changed)} changed.")


def _switch(state: CliContext, name: str, on: bool) -> None:
    row = state.desk().set_rule_enabled(name, on)
    click.echo(f"Rule {row.name!r} is {'on' if on else 'off'}.")


@automation.command("enable")
@click.argument("name")
@pass_cli
def automation_enable(state: CliContext, name: str) -> None:
    """Switch rule NAME on."""
    _switch(state, name, True)


@automation.command("disable")
@click.argument("name")
@pass_cli
def automation_disable(state: CliContext, name: str) -> None:
    """Switch rule NAME off (it stays, with its log)."""
    _switch(state, name, False)


@automation.command("log")
@click.option("--rule", "rule", metavar="NAME", help="Only this rule's evaluations.")
@click.option("--ticket", type=int, metavar="N", help="Only evaluations on ticket N.")
@click.option("--matched", is_flag=True, help="Leave out evaluations that did not match.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@json_option
@pass_cli
def automation_log(
    state: CliContext,
    rule: str | None,
    ticket: int | None,
    matched: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Every evaluation, newest first: matched or not, and what it did."""
    rows = rule_log(state.db, rule=rule, ticket=ticket, limit=limit, matched_only=matched)
    if as_json:
        emit_json(rows)
        return
    out = console()
    if not rows:
        out.print("No evaluations logged.")
        return
    table = Table(box=None, header_style="bold")
    for name in ("When (UTC)", "Rule", "Trigger", "Ticket", "Outcome", "Detail"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            safe(r.rule, flat=True),
            r.trigger,
            f"#{r.ticket}" if r.ticket else "",
            r.outcome,
            safe(r.detail, flat=True, limit=80),
        )
    out.print(table)


@automation.command("dry-run")
@click.argument("name")
@click.option("--ticket", type=int, metavar="N", help="Show each condition's verdict on #N.")
@json_option
@pass_cli
def automation_dry_run(state: CliContext, name: str, ticket: int | None, as_json: bool) -> None:
    """What rule NAME would do, changing nothing: on one ticket, or how many open ones."""
    result = dry_run_rule(state.db, name, ticket=ticket)
    rule = result.rule
    if as_json:
        payload: dict[str, object] = {"rule": rule.name, "trigger": rule.trigger}
        if result.verdict is not None:
            payload |= {
                "ticket": ticket,
                "matched": result.verdict.matched,
                "conditions": [
                    {**c.condition.raw(), "matched": c.matched, "note": c.note}
                    for c in result.verdict.checks
                ],
                "actions": [a.raw() for a in rule.actions],
                "would_execute": result.verdict.matched,
            }
        else:
            payload |= {"checked": result.checked, "matching": result.matching}
        emit_json(payload)
        return
    out = console()
    if result.verdict is None:
        out.print(
            f"Rule {rule.name!r} matches {len(result.matching)} of {result.checked} open tickets"
            + (": " + ", ".join(f"#{n}" for n in result.matching[:50]) if result.matching else ".")
        )
        return
    out.print(f"Rule {rule.name!r} ({rule.trigger}) on #{ticket}:")
    for c in result.verdict.checks:
        mark = styled("  matched  ", "green") if c.matched else styled("  no match ", "red")
        line = safe(c.condition.describe() + (f" ({c.note})" if c.note else ""), flat=True)
        out.print(mark + line)
    if not result.verdict.checks:
        out.print("  (no conditions: always matches)")
    verdict = "Would execute" if result.verdict.matched else "Would NOT execute"
    out.print(f"{verdict}:")
    for a in rule.actions:
        out.print(safe("  " + a.describe(), flat=True))
