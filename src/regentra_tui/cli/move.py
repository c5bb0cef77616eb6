"""``regentra migrate-db``: copy this desk into PostgreSQL (or another database)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .context import CliContext, pass_cli
from .output import emit_json, json_option


@click.command("migrate-db")
@click.option(
    "--to",
    "target_url",
    required=True,
    metavar="URL",
    help="Where to copy the desk, e.g. postgresql+psycopg://regentra@db.example/regentra",
)
@json_option
@pass_cli
def migrate_db(state: CliContext, target_url: str, as_json: bool) -> None:
    """Copy this desk into an empty PostgreSQL database, verified table by table.

    Stop the worker and the apps first (the copy reads a desk nobody changes);
    then point ``database_url`` at the new database. The search index is rebuilt by
    the worker on first start.
    """
    from regentra_core import Database, copy_desk

    source = state.db
    if not state.desk().actor.is_lead:
        raise click.ClickException("only a lead technician may move the desk")
    target = Database(target_url)
    try:
        columns = (
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # On stderr: with --json, stdout stays the one JSON document.
        with Progress(*columns, console=Console(stderr=True), transient=as_json) as progress:
            tasks: dict[str, object] = {}

            def report(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = progress.add_task(table, total=total)
                progress.update(tasks[table], completed=done)  # type: ignore[arg-type]

            copies = copy_desk(source, target, report)
    finally:
        target.close()
    if as_json:
        emit_json(
            {
                "target": target.display_url,
                "tables": [
                    {"table": c.table, "rows": c.rows, "checksum": c.checksum} for c in copies
                ],
            }
        )
        return
    rows = sum(c.rows for c in copies)
    click.echo(
        f"Copied {rows:,} rows in {len(copies)} tables to {target.display_url}; every table's "
        "row count and checksum match the source."
    )
    click.echo(f'Next: set database_url = "{target.display_url}" in the desk\'s config.')
