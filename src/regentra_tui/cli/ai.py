"""``regentra ai analyze|draft|reviews|review``: the AI helper from the shell."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from regentra_core import (
    NO_DAEMON,
    WAIT_SLACK,
    Analysis,
    Draft,
    Unanswered,
    ai_accuracy,
    ai_suggestions,
    answer_of,
    daemon_running,
    needs_daemon,
    utcnow,
    wait_for_answer,
)

from ..render import REVIEW_COLUMNS, review_cells, styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe


@click.group("ai")
def ai() -> None:
    """Analyse tickets, draft replies from the KB, and review what the AI suggested."""


def wait_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--wait",
        "wait",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="With a model whose key only the worker daemon holds: how long to wait "
        "for its answer (default: ai_timeout_seconds + 10).",
    )(func)


def _asked(state: CliContext, number: int, kind: str, wait: float | None) -> Draft | Analysis:
    """Ask the worker daemon (it holds the model's key) and wait for its answer.

    The request is stored first, so when no daemon runs, or the wait ends, it stays
    and the daemon answers it later: its answer lands in the review queue.
    """
    request = state.desk().request_ai(number, kind)
    stays = f"request {request.id} stays; its answer will be in `regentra ai reviews`"
    if not daemon_running(state.db):
        raise Unanswered(f"{NO_DAEMON} ({stays})")
    seconds = wait if wait is not None else state.settings.ai_timeout_seconds + WAIT_SLACK
    view = wait_for_answer(state.db, request.id, seconds)
    if view.state == "failed":
        raise Unanswered(f"the worker daemon gave up request {request.id}: {view.error}")
    if view.pending:
        raise Unanswered(f"the worker daemon did not answer within {seconds:g} s ({stays})")
    return answer_of(state.db, view)


@ai.command("analyze")
@click.argument("number", type=int)
@wait_option
@json_option
@pass_cli
def analyze(state: CliContext, number: int, wait: float | None, as_json: bool) -> None:
    """Suggest a priority and flag security or frustration on ticket NUMBER.

    The suggestion is kept for review; a flag raises a Low or Medium ticket to High
    by policy (never down). The ticket's priority is otherwise left as it is. With a
    model whose key only the worker daemon can read, the daemon makes it: this waits.
    """
    if needs_daemon(state.settings):
        answer = _asked(state, number, "analysis", wait)
        assert isinstance(answer, Analysis)
        analysis = answer
    else:
        analysis = state.wiring().assistant().analyze_ticket(state.desk(), number)
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
@wait_option
@json_option
@pass_cli
def draft(state: CliContext, number: int, wait: float | None, as_json: bool) -> None:
    """Draft a reply to ticket NUMBER from the best KB articles (never sent).

    With a model whose key only the worker daemon can read, the daemon makes it and
    this waits for it (--wait); when no daemon runs the request stays for it.
    """
    made: Draft | Analysis | None
    if needs_daemon(state.settings):
        made = _asked(state, number, "draft", wait)
    else:
        made = state.wiring().assistant().draft(state.desk(), number)
    assert isinstance(made, Draft)
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
    rows = ai_suggestions(state.db, pending_only=not show_all)
    weeks = ai_accuracy(state.db, now=utcnow())
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
