"""``regentra report sla|time|volume|backlog``: figures for managers and invoices."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime

import click
from rich.table import Table

from regentra_core import (
    REPORT_KINDS,
    ReportPeriod,
    build_report,
    check_day,
    parse_day,
    report_csv_rows,
)

from ..report_text import TEXT_COLUMNS, cell, header
from .context import CliContext, pass_cli
from .output import console, emit_json, safe


@click.command("report")
@click.argument("kind", type=click.Choice(REPORT_KINDS, case_sensitive=False))
@click.option("--from", "start", metavar="DATE", help="First day (default: 30 days ago).")
@click.option("--to", "end", metavar="DATE", help="Last day, included (default: today).")
@click.option("--client", metavar="NAME", help="Only this client's tickets.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV (for a spreadsheet).")
@pass_cli
def report(
    state: CliContext,
    kind: str,
    start: str | None,
    end: str | None,
    client: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Report KIND: sla (met/breached), time (billable hours and minutes per client
    and technician; --json and --csv give whole minutes), volume (by channel and
    status) or backlog (open tickets by age)."""
    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    today = datetime.now(UTC).date()
    last = check_day(parse_day(end, today), what="--to day") if end else today
    first = (
        check_day(parse_day(start, today), what="--from day")
        if start
        else ReportPeriod.last(30, last).start
    )
    result = build_report(state.db, kind.lower(), ReportPeriod(first, last), client=client)
    if as_json:
        emit_json(
            {
                "report": result.kind,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "client": client,
                "rows": result.records(),
            }
        )
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows(report_csv_rows(result))
        return
    out = console()
    scope = f"{first} to {last}" if kind != "backlog" else f"open as of {today}"
    out.print(safe(f"{result.title}, {scope}" + (f", {client}" if client else ""), flat=True))
    if not result.rows:
        out.print("Nothing in this period.")
        return
    table = Table(box=None, header_style="bold")
    for name in result.columns:
        table.add_column(header(name), justify="left" if name in TEXT_COLUMNS else "right")
    for row in result.rows:
        table.add_row(
            *(safe(cell(c, v), flat=True) for c, v in zip(result.columns, row, strict=True))
        )
    out.print(table)
