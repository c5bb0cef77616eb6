"""``regentra kb list|show|add|edit|import``: the knowledge base from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from regentra_core import NotFoundError, ValidationError, kb_articles, render_article

from ..render import styled
from .context import CliContext, pass_cli
from .output import console, emit_json, json_option, safe
from .reading import read_text


@click.group("kb")
def kb() -> None:
    """Knowledge-base articles: what technicians and AI drafts draw on."""


def _as_json(article: object) -> dict[str, object]:
    return {
        name: getattr(article, name)
        for name in ("slug", "title", "tags", "body", "created_at", "updated_at")
    }


@kb.command("list")
@json_option
@pass_cli
def kb_list(state: CliContext, as_json: bool) -> None:
    """Every article, by title."""
    articles = kb_articles(state.db)
    if as_json:
        emit_json([{k: v for k, v in _as_json(a).items() if k != "body"} for a in articles])
        return
    out = console()
    if not articles:
        out.print("No articles yet: regentra kb add or regentra kb import DIR.")
        return
    table = Table(box=None, header_style="bold")
    for name in ("Slug", "Title", "Tags", "Updated"):
        table.add_column(name)
    for a in articles:
        table.add_row(
            safe(a.slug, flat=True),
            safe(a.title, flat=True),
            safe(a.tags, flat=True),
            f"{a.updated_at:%Y-%m-%d}",
        )
    out.print(table)


def _find(state: CliContext, slug: str) -> object:
    for article in kb_articles(state.db):
        if article.slug == slug:
            return article
    raise NotFoundError(f"no KB article {slug!r} (regentra kb list shows them)")


@kb.command("show")
@click.argument("slug")
@json_option
@pass_cli
def kb_show(state: CliContext, slug: str, as_json: bool) -> None:
    """Print article SLUG as Markdown (the form ``kb import`` reads back)."""
    article = _find(state, slug)
    if as_json:
        emit_json(_as_json(article))
        return
    title, tags, body = (getattr(article, n) for n in ("title", "tags", "body"))
    console().print(safe(render_article(title, tags, body)))


def _read(source: str | None) -> str | None:
    if source is None:
        return None
    return read_text(source)


@kb.command("add")
@click.option("--title", required=True)
@click.option(
    "--body-file",
    "body_file",
    metavar="FILE|-",
    required=True,
    help="Markdown body (- reads standard input).",
)
@click.option("--tags", default="", help="Comma-separated tags.")
@click.option("--slug", help="Its short name (default: from the title).")
@json_option
@pass_cli
def kb_add(
    state: CliContext, title: str, body_file: str, tags: str, slug: str | None, as_json: bool
) -> None:
    """Add an article."""
    body = _read(body_file) or ""
    article = state.desk().add_article(title, body, tags=tags, slug=slug)
    if as_json:
        emit_json(_as_json(article))
        return
    click.echo(f"Added KB article {article.slug}.")


@kb.command("edit")
@click.argument("slug")
@click.option("--title")
@click.option("--body-file", "body_file", metavar="FILE|-", help="New Markdown body.")
@click.option("--tags")
@json_option
@pass_cli
def kb_edit(
    state: CliContext,
    slug: str,
    title: str | None,
    body_file: str | None,
    tags: str | None,
    as_json: bool,
) -> None:
    """Change an article's title, body or tags."""
    if title is None and body_file is None and tags is None:
        raise click.UsageError("give --title, --body-file or --tags")
    article = state.desk().edit_article(slug, title=title, body=_read(body_file), tags=tags)
    if as_json:
        emit_json(_as_json(article))
        return
    click.echo(f"Updated KB article {article.slug}.")


@kb.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
@pass_cli
def kb_import(state: CliContext, folder: Path, as_json: bool) -> None:
    """Add or update an article from each FOLDER/*.md ('# Title', 'Tags: ...', body).

    All or nothing: a file that cannot be read stops the import, named.
    """
    files = []
    for path in sorted(folder.glob("*.md")):
        files.append((path.stem, read_text(path)))
    if not files:
        raise ValidationError(f"no .md files in {folder}")
    added, updated, same = state.desk().import_articles(files)
    if as_json:
        emit_json({"added": added, "updated": updated, "unchanged": same})
        return
    console().print(
        styled("Imported: ", "bold") + f"{added} added, {updated} updated, {same} unchanged"
    )
