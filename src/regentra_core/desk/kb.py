"""The knowledge base: articles technicians write and AI drafts draw on."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import kb
from ..errors import NoChange, NotFoundError, ValidationError
from ..events import EventKind
from ..records import ArticleRecord
from ..store.models import KBArticle
from ._base import DeskBase, clean_text

TITLE_LIMIT = 300
TAGS_LIMIT = 500


class KbCases(DeskBase):
    """Adding, editing and importing KB articles (the search index follows by itself)."""

    def add_article(
        self, title: str, body: str, *, tags: str = "", slug: str | None = None
    ) -> ArticleRecord:
        """A new article; its slug comes from the title unless given, made unique."""
        title = clean_text(title, what="title", limit=TITLE_LIMIT)
        body = clean_text(body, what="article body")
        tags = clean_text(kb.normalise_tags(tags), what="tags", required=False, limit=TAGS_LIMIT)
        with self._write() as s:
            self._require_technician()
            wanted = kb.slug_for(slug or title)
            if slug and s.exec(select(KBArticle).where(KBArticle.slug == wanted)).first():
                raise ValidationError(f"there is already an article {wanted!r}")
            article = self._insert_article(s, _free_slug(s, wanted), title, body, tags)
        return ArticleRecord.of(article)

    def edit_article(
        self,
        slug: str,
        *,
        title: str | None = None,
        body: str | None = None,
        tags: str | None = None,
    ) -> ArticleRecord:
        """Change what is given; nothing changed is refused as no change."""
        with self._write() as s:
            self._require_technician()
            article = _article(s, slug)
            changed = self._update_article(s, article, title, body, tags)
            if not changed:
                raise NoChange(f"article {slug!r} is unchanged")
        return ArticleRecord.of(article)

    def import_articles(self, files: list[tuple[str, str]]) -> tuple[int, int, int]:
        """Add or update one article per ``(name, text)`` Markdown file (slug: the
        file's name), all in one transaction: a bad file stops the import, named,
        and nothing is half-imported. Returns (added, updated, unchanged)."""
        parsed = [(kb.slug_for(name), kb.parse(text, source=name)) for name, text in files]
        added = updated = same = 0
        with self._write() as s:
            self._require_technician()
            for slug, text in parsed:
                title = clean_text(text.title, what=f"{slug}: title", limit=TITLE_LIMIT)
                body = clean_text(text.body, what=f"{slug}: body")
                existing = s.exec(select(KBArticle).where(KBArticle.slug == slug)).first()
                if existing is None:
                    self._insert_article(s, slug, title, body, text.tags)
                    added += 1
                elif self._update_article(s, existing, title, body, text.tags):
                    updated += 1
                else:
                    same += 1
            self._event(
                s,
                None,
                EventKind.KB_IMPORTED,
                detail=f"{added} added, {updated} updated, {same} unchanged",
            )
            return added, updated, same

    def _insert_article(self, s: Session, slug: str, title: str, body: str, tags: str) -> KBArticle:
        now = self.clock()
        article = KBArticle(
            slug=slug, title=title, body=body, tags=tags, created_at=now, updated_at=now
        )
        s.add(article)
        s.flush()
        self._event(s, None, EventKind.KB_ADDED, to=slug, detail=title)
        return article

    def _update_article(
        self,
        s: Session,
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
        article.updated_at = self.clock()
        s.flush()
        self._event(s, None, EventKind.KB_EDITED, to=article.slug, detail=", ".join(changes))
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
