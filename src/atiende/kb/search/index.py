"""Keep the index equal to the published texts: one translation at a time, or all of them.

Called by ``kb.subscribers`` inside the publishing transaction (the index rows commit or roll
back with the publication) and by ``atiende kb reindex``. Title words count ``TITLE_WEIGHT``
times (BM25F's field weight folded into the term frequency and the document length).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from atiende.kb.models import (
    ArticleState,
    ArticleTranslation,
    SearchDocument,
    SearchPosting,
    SearchWord,
)
from atiende.kb.search import analyzer, vocabulary
from atiende.kb.search.text import plain_text

K1 = 1.2
B = 0.75

TITLE_WEIGHT = 3.0
BATCH = 500
# The average text length the stored impacts assume (queries use the real one for scores).
REFERENCE_LENGTH = 100.0


def impact(frequency: float, length: float) -> float:
    """BM25's term weight without the idf, against ``REFERENCE_LENGTH``."""
    norm = K1 * (1 - B + B * length / REFERENCE_LENGTH)
    return frequency * (K1 + 1) / (frequency + norm)


def _document(
    translation: ArticleTranslation,
) -> tuple[SearchDocument, list[SearchPosting], set[tuple[str, str]]]:
    language = translation.language
    text = plain_text(translation.published_body)
    title = analyzer.forms(translation.published_title, language)
    body = analyzer.forms(text, language)
    frequency: defaultdict[str, float] = defaultdict(float)
    for _form, term in title:
        frequency[term] += TITLE_WEIGHT
    for _form, term in body:
        frequency[term] += 1.0
    length = TITLE_WEIGHT * len(title) + len(body)
    document = SearchDocument(
        translation_id=translation.pk,
        article_id=translation.article_id,
        language=language,
        length=length,
        version=translation.published_version,
        text=text,
    )
    postings = [
        SearchPosting(
            translation_id=translation.pk,
            article_id=translation.article_id,
            language=language,
            term=term,
            frequency=count,
            length=length,
            impact=impact(count, length),
        )
        for term, count in sorted(frequency.items())
    ]
    return document, postings, set(title) | set(body)


def _write(translations: Iterable[ArticleTranslation]) -> int:
    documents: list[SearchDocument] = []
    postings: list[SearchPosting] = []
    words: set[tuple[str, str, str]] = set()
    for translation in translations:
        document, rows, forms = _document(translation)
        documents.append(document)
        postings += rows
        words |= {(translation.language, form, term) for form, term in forms}
    SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
    SearchPosting.objects.bulk_create(postings, batch_size=BATCH)
    SearchWord.objects.bulk_create(
        [SearchWord(language=lang, form=form, term=term) for lang, form, term in sorted(words)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    vocabulary.forget()
    return len(documents)


def drop_translation(translation_id: int) -> None:
    """Take a translation out of the index (archived, withdrawn, deleted)."""
    SearchPosting.objects.filter(translation_id=translation_id).delete()
    SearchDocument.objects.filter(translation_id=translation_id).delete()


def index_translation(translation_id: int) -> None:
    """Index the published text of a translation, or drop it when it is not published."""
    drop_translation(translation_id)
    translation = ArticleTranslation.objects.filter(
        pk=translation_id, state=ArticleState.PUBLISHED
    ).first()
    if translation is not None:
        _write([translation])


def rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every published translation from scratch (after a restore or an upgrade)."""
    with transaction.atomic():
        SearchPosting.objects.all().delete()
        SearchDocument.objects.all().delete()
        SearchWord.objects.all().delete()
        done = 0
        published = ArticleTranslation.objects.filter(state=ArticleState.PUBLISHED).order_by("pk")
        batch: list[ArticleTranslation] = []
        for translation in published.iterator(chunk_size=BATCH):
            batch.append(translation)
            if len(batch) == BATCH:
                done += _write(batch)
                batch = []
                if progress is not None:
                    progress(done)
        done += _write(batch)
    if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses wrong
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_searchposting, kb_searchdocument, kb_searchword")
    return done
