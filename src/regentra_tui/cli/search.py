"""``regentra search`` and ``regentra reindex``."""

from __future__ import annotations

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from regentra_core import available_procs

from ..render import snippet_text, styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--kind", type=click.Choice(["ticket", "kb"]), help="Only tickets or only articles.")
@json_option
@pass_cli
def search(
    state: CliContext, query: tuple[str, ...], limit: int, kind: str | None, as_json: bool
) -> None:
    """Full-text search: words, "phrases", prefix*, and client: status: priority: assignee:.

    What a command just wrote is found: changes no worker has indexed yet are indexed
    first (briefly), or the note on stderr says how many are missing and what to run.
    """
    from regentra_core import search_fresh

    hits = search_fresh(
        state.search_index(),
        " ".join(query),
        limit=limit,
        kind=kind,
        worker_running=lambda: _worker_running(state),
    )
    if hits.note:  # on stderr, so --json stays a plain list of hits
        click.echo(f"Note: {hits.note}", err=True)
    if as_json:
        emit_json(list(hits))
        return
    out = console()
    if not hits:
        out.print("Nothing found.")
        return
    for hit in hits:
        label = f"#{hit.key}" if hit.kind == "ticket" else f"KB {hit.key}"
        line = styled(f"{label:<8} ", "bold") + safe(hit.title, flat=True)
        if hit.status:
            line += styled(f"  [{hit.status}]", "dim")
        out.print(line)
        for snippet in hit.snippets[:2]:
            out.print(Text("    ") + snippet_text(snippet))


def _worker_running(state: CliContext) -> bool:
    """Whether a live worker holds the desk's lease (it will index what is pending),
    by the database's clock."""
    from regentra_core import current_lease

    lease = current_lease(state.db)
    return lease is not None and lease.alive()


@click.command("reindex")
@pass_cli
def reindex(state: CliContext) -> None:
    """Rebuild the search index from the database, with a progress bar."""
    index = state.search_index()
    index.procs = available_procs()
    columns = (TextColumn("Indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console(), transient=False) as progress:
        task = progress.add_task("index", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = index.rebuild(report)
    click.echo(f"Indexed {count} document(s) into {index.location}")
