"""The knowledge base's own full-text index: an inverted index in plain tables.

Written only by ``kb.search.index`` (from the publish/withdraw events, in the same
transaction, and by ``atiende kb reindex``); read only by ``kb.search.query``, always joined
to the reading gate. Decision 0008 says why it is not FTS5 / tsvector.
"""

from __future__ import annotations

from django.db import models

from atiende.kb.models.articles import Article, ArticleTranslation


class SearchDocument(models.Model):
    """One indexed (published) translation and its weighted length, for BM25."""

    translation = models.OneToOneField(
        ArticleTranslation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=12)
    length = models.FloatField()
    version = models.PositiveIntegerField()
    # The body as plain text (Markdown parsed once, here), for snippets.
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["language"], name="kb_searchdoc_language")]

    def __str__(self) -> str:
        return f"{self.translation_id} ({self.language})"


class SearchPosting(models.Model):
    """A term of one translation: its weighted frequency (title words count more) and the
    document's weighted length, kept here so ranking reads no other table."""

    id = models.BigAutoField(primary_key=True)
    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The article's id, not a foreign key: postings go with their translation (cascade), and
    # a key here would make every article deletion scan the postings.
    article_id = models.BigIntegerField()
    language = models.CharField(max_length=12)
    term = models.CharField(max_length=40)
    frequency = models.FloatField()
    length = models.FloatField()
    # The term's BM25 weight in this text against a fixed average length: the order in which
    # a term's best texts are read first (``kb.search.query`` bounds its candidates by it).
    impact = models.FloatField()

    class Meta:
        indexes = [
            models.Index(
                fields=["language", "term", "-impact", "translation"], name="kb_posting_impact"
            ),
            # Covering: ranking and frequencies read the index alone, never the table.
            models.Index(
                fields=["language", "term", "translation", "article_id", "frequency", "length"],
                name="kb_posting_term",
            ),
            models.Index(fields=["translation"], name="kb_posting_translation"),
        ]

    def __str__(self) -> str:
        return f"{self.translation_id}:{self.term}"


class SearchWord(models.Model):
    """The words (folded) that indexed texts contain, with their term: what a mistyped
    query word is compared with, and what a word being typed is completed from."""

    id = models.BigAutoField(primary_key=True)
    language = models.CharField(max_length=12)
    form = models.CharField(max_length=40)
    term = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "form"], name="kb_searchword_form")
        ]

    def __str__(self) -> str:
        return f"{self.language}:{self.form}"
