"""``regentra ai analyze|draft|reviews|review``: the AI helper from the shell."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from regentra_core.ai import reviews
from regentra_core.clock import utcnow

from ..render import REVIEW_COLUMNS, review_cells, styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe


@click.group("ai")
def ai() -> None:
    """Analyse tickets, draft replies from the KB, and review what the AI suggested."""


@ai.command("analyze")
@click.argument("number", type=int)
@json_option
@pass_cli
def analyze(state: CliContext, number: int, as_json: bool) -> None:
    """Suggest a priority and flag security or frustration on ticket NUMBER.

    The suggestion is kept for review; a flag raises a Low or Medium ticket to High
    by policy (never down). The ticket's priority is otherwise left as it is.
    """
    desk = state.desk()
    analysis = state.wiring().assistant().analyze_ticket(desk, number)
    if as_json:
        emit_json(analysis.as_json())
        return
    out = console()
    flags = [
        f
        for f, on in (("security", analysis.security), ("frustration", analysis.frustration))
        if on
    ]
    out.print(
        styled(f"#{number} ", "bold")
        + f"suggested {analysis.suggested_priority.label}, "
        + (styled(", ".join(flags), "bold red") if flags else styled("no flags", "dim"))
        + f", confidence {analysis.confidence:.2f} ({analysis.source})"
    )
    out.print(safe(analysis.reason))
    if analysis.fallback:
        out.print(styled(f"The model's answer was not used: {analysis.fallback}", "yellow"))


@ai.command("draft")
@click.argument("number", type=int)
@json_option
@pass_cli
def draft(state: CliContext, number: int, as_json: bool) -> None:
    """Draft a reply to ticket NUMBER from the best KB articles (never sent)."""
    made = state.wiring().assistant().draft(state.desk(), number)
    assert made is not None
    if as_json:
        emit_json(made.as_json())
        return
    out = console()
    label = "model draft" if made.source == "model" else "extractive draft (no model)"
    out.print(styled(f"#{number} {label}, suggestion {made.suggestion_id}", "bold"))
    if made.articles:
        out.print(styled("From: " + "; ".join(made.articles), "dim"))
    if made.fallback:
        out.print(styled(f"The model was not used: {made.fallback}", "yellow"))
    out.print(safe(made.text))


@ai.command("reviews")
@click.option("--all", "show_all", is_flag=True, help="Reviewed ones too, not only pending.")
@json_option
@pass_cli
def review_list(state: CliContext, show_all: bool, as_json: bool) -> None:
    """The review queue: pending suggestions and drafts, least confident first."""
    rows = reviews.suggestions(state.db, pending_only=not show_all)
    weeks = reviews.accuracy(state.db, now=utcnow())
    if as_json:
        emit_json({"suggestions": rows, "accuracy": weeks})
        return
    out = console()
    if not rows:
        out.print("Nothing to review.")
    else:
        table = Table(box=None, header_style="bold")
        for name in REVIEW_COLUMNS:
            table.add_column(name, no_wrap=name != "Why")
        for r in rows:
            table.add_row(*(Text(cell) for cell in review_cells(r)))
        out.print(table)
    if weeks:
        out.print(styled("Accuracy by week", "bold"))
        for w in weeks:
            share = f"{w.accuracy:.0%}" if w.accuracy is not None else "-"
            out.print(f"  {w.week}  {share:>4}  ({w.correct} correct, {w.wrong} wrong)")


@ai.command("review")
@click.argument("suggestion_id", type=int)
@click.argument("verdict", type=click.Choice(["correct", "wrong"]))
@json_option
@pass_cli
def review(state: CliContext, suggestion_id: int, verdict: str, as_json: bool) -> None:
    """Mark suggestion SUGGESTION_ID correct or wrong."""
    row = state.desk().review_suggestion(suggestion_id, verdict)
    if as_json:
        emit_json({"id": row.id, "verdict": row.verdict, "reviewed_by": row.reviewed_by})
        return
    click.echo(f"Suggestion {suggestion_id} marked {verdict}.")
