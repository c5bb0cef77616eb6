"""The knowledge base: articles technicians write and AI drafts draw on, added,
edited and imported by use cases over the transaction they run in (``Desk`` lists
them; the search index follows by itself)."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import kb
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..records import ArticleRecord
from ..store.models import KBArticle
from .moves import clean_text
from .tx import Tx

TITLE_LIMIT = 300
TAGS_LIMIT = 500


def add_article(
    tx: Tx, title: str, body: str, *, tags: str = "", slug: str | None = None
) -> ArticleRecord:
    """A new article; its slug comes from the title unless given, made unique."""
    title = clean_text(title, what="title", limit=TITLE_LIMIT)
    body = clean_text(body, what="article body")
    tags = clean_text(kb.normalise_tags(tags), what="tags", required=False, limit=TAGS_LIMIT)
    tx.require_technician()
    s = tx.session
    wanted = kb.slug_for(slug or title)
    if slug and s.exec(select(KBArticle).where(KBArticle.slug == wanted)).first():
        raise ValidationError(f"there is already an article {wanted!r}")
    article = _insert_article(tx, _free_slug(s, wanted), title, body, tags)
    return ArticleRecord.of(article)


def edit_article(
    tx: Tx,
    slug: str,
    *,
    title: str | None = None,
    body: str | None = None,
    tags: str | None = None,
) -> ArticleRecord:
    """Change what is given; nothing changed is refused as no change."""
    tx.require_technician()
    article = _article(tx.session, slug)
    if not _update_article(tx, article, title, body, tags):
        raise NoChange(f"article {slug!r} is unchanged")
    return ArticleRecord.of(article)


def import_articles(tx: Tx, files: list[tuple[str, str]]) -> tuple[int, int, int]:
    """Add or update one article per ``(name, text)`` Markdown file (slug: the
    file's name), all in one transaction: a bad file stops the import, named,
    and nothing is half-imported. Returns (added, updated, unchanged)."""
    parsed = [(kb.slug_for(name), kb.parse(text, source=name)) for name, text in files]
    added = updated = same = 0
    tx.require_technician()
    for slug, text in parsed:
        title = clean_text(text.title, what=f"{slug}: title", limit=TITLE_LIMIT)
        body = clean_text(text.body, what=f"{slug}: body")
        existing = tx.session.exec(select(KBArticle).where(KBArticle.slug == slug)).first()
        if existing is None:
            _insert_article(tx, slug, title, body, text.tags)
            added += 1
        elif _update_article(tx, existing, title, body, text.tags):
            updated += 1
        else:
            same += 1
    tx.event(
        None,
        EventKind.KB_IMPORTED,
        detail=f"{added} added, {updated} updated, {same} unchanged",
    )
    return added, updated, same


def _insert_article(tx: Tx, slug: str, title: str, body: str, tags: str) -> KBArticle:
    now = tx.now()
    article = KBArticle(
        slug=slug, title=title, body=body, tags=tags, created_at=now, updated_at=now
    )
    tx.session.add(article)
    tx.session.flush()
    tx.event(None, EventKind.KB_ADDED, to=slug, detail=title)
    return article


def _update_article(
    tx: Tx,
    article: KBArticle,
    title: str | None,
    body: str | None,
    tags: str | None,
) -> bool:
    changes: list[str] = []
    if title is not None:
        title = clean_text(title, what="title", limit=TITLE_LIMIT)
        if title != article.title:
            article.title = title
            changes.append("title")
    if body is not None:
        body = clean_text(body, what="article body")
        if body != article.body:
            article.body = body
            changes.append("body")
    if tags is not None:
        tags = kb.normalise_tags(tags)
        if tags != article.tags:
            article.tags = clean_text(tags, what="tags", required=False, limit=TAGS_LIMIT)
            changes.append("tags")
    if not changes:
        return False
    article.updated_at = tx.now()
    tx.session.flush()
    tx.event(None, EventKind.KB_EDITED, to=article.slug, detail=", ".join(changes))
    return True


def _article(s: Session, slug: str) -> KBArticle:
    article = s.exec(select(KBArticle).where(KBArticle.slug == slug)).first()
    if article is None:
        raise NotFoundError(f"no KB article {slug!r}")
    return article


def _free_slug(s: Session, wanted: str) -> str:
    slug, n = wanted, 2
    while s.exec(select(KBArticle.id).where(KBArticle.slug == slug)).first() is not None:
        slug, n = f"{wanted}-{n}", n + 1
    return slug
