"""Knowledge-base search: latency at 10,000 articles in two languages, and the hit rate.

    .venv/bin/python bench/kb_search.py                     # SQLite: search and suggestions p95
    .venv/bin/python bench/kb_search.py --db postgres       # PostgreSQL (atiende_bench_kbsearch)
    .venv/bin/python bench/kb_search.py --hit-rate          # right article in the top 3

Latency (issue 15: search p95 < 50 ms, suggestions p95 < 100 ms): ``--articles`` articles
(default 10,000), each published in Spanish and English (20,000 indexed texts), written
from the labelled articles of ``bench/data/kb_articles.json`` mixed with each other so the
vocabulary and its frequencies look like a real help center. The articles' table rows are
bulk-inserted and the index built by ``kb.search.index.rebuild`` (what ``atiende kb
reindex`` runs); the database is kept and reused while it holds the same number of articles.
Queries are the labelled customer questions (``kb_questions.json``): the search as the help
center page runs it (``kb.search.search``, logged, through the gate, as a visitor) and the
suggestions as the request form asks for them while typing (``kb.suggest.suggest``, the
question cut at two thirds, then whole).

Hit rate: a fresh database with only the labelled articles, published through the services
(so every subscriber indexes them, the semantic encoder's included when it is installed);
for each question, whether its article is among the first three of the full-text search
alone and of the hybrid suggestions. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import PG_SERVER, REPO, WORK_DIR, Figure, print_figure

DATA = Path(__file__).resolve().parent / "data"
ROUNDS = 400


def configure(db: str, name: str, *, fresh: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "atiende.settings"
    os.environ["ATIENDE_DATA_DIR"] = str(WORK_DIR / f"{name}-{db}")
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("ATIENDE_TASKS_IMMEDIATE", None)
    if db == "postgres":
        database = f"atiende_bench_{name.replace('-', '_')}"
        sqls = [f"DROP DATABASE IF EXISTS {database}"] if fresh else []
        for sql in [*sqls, f"CREATE DATABASE {database}"]:
            subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], capture_output=True)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)
        path = WORK_DIR / f"{name}-{db}"
        path.mkdir(parents=True, exist_ok=True)
        if fresh:
            for leftover in path.glob("*.sqlite3*"):
                leftover.unlink()
    sys.path.insert(0, str(REPO / "src"))


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def outline() -> int:
    from atiende.core.actor import Actor
    from atiende.kb.models import Section
    from atiende.kb.services import structure

    existing = Section.objects.first()
    if existing is not None:
        return existing.pk
    system = Actor.system("bench")
    category = structure.create_category(system, names={"es": "Ayuda", "en": "Help"})
    return structure.create_section(system, category_id=category.pk, names={"es": "General"}).pk


# ---------------------------------------------------------------------------------------------
# Latency


def texts(count: int) -> list[dict[str, tuple[str, str]]]:
    """``count`` articles, each a title and body per language, mixed from the labelled ones."""
    base = load("kb_articles.json")
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for article in base:
        for lang, text in article["translations"].items():
            by_language[lang].append((text["title"], text["body"]))
    models = ["Pro", "Lite", "X12", "Plus", "2024", "Max", "Mini", "Cloud", "Caja", "Tienda"]
    rng = random.Random(15)
    articles = []
    for i in range(count):
        article = {}
        for lang in ("es", "en"):
            pool = by_language[lang]
            title, body = pool[i % len(pool)]
            extra = " ".join(rng.choice(pool)[1] for _ in range(2))
            article[lang] = (f"{title} ({rng.choice(models)} {i})", f"{body}\n\n{extra}")
        articles.append(article)
    return articles


def seed(count: int) -> None:
    from django.db import transaction

    from atiende.kb.models import Article, ArticleState, ArticleTranslation, SearchDocument
    from atiende.kb.search.index import rebuild
    from atiende.kb.slugs import slug_for

    if SearchDocument.objects.count() == 2 * count:
        print(f"reusing the index of {count} articles", flush=True)
        return
    started = time.perf_counter()
    section = outline()
    with transaction.atomic():
        ArticleTranslation.objects.all().delete()
        Article.objects.all().delete()
        made = Article.objects.bulk_create([Article(section_id=section) for _ in range(count)])
        rows = []
        for article, text in zip(made, texts(count), strict=True):
            for lang, (title, body) in text.items():
                rows.append(
                    ArticleTranslation(
                        article=article,
                        language=lang,
                        title=title,
                        body=body,
                        slug=f"{slug_for(title)[:100]}-{article.pk}",
                        state=ArticleState.PUBLISHED,
                        published_version=1,
                        published_title=title,
                        published_body=body,
                    )
                )
        ArticleTranslation.objects.bulk_create(rows, batch_size=1000)
    print(f"inserted {len(rows)} translations in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    rebuild(progress=lambda done: print(f"  indexed {done}", end="\r", flush=True))
    print(f"indexed in {time.perf_counter() - started:.0f} s            ", flush=True)


def seed_vectors(count: int) -> str:
    """Meaning vectors for the seeded texts, as ``kb.semantic_index`` would store them.

    Encoding 20,000 texts takes many minutes, so each labelled article is encoded once and
    every seeded text gets its base article's vector with a little noise (the semantic
    app's ``index_vectors``): the nearest-neighbour search then works on 20,000 realistic
    rows, which is what a suggestion pays for.
    """
    import numpy as np

    from atiende.kb.models import ArticleTranslation
    from atiende.kb.semantic_index import KIND
    from atiende.semantic import encoder, services
    from atiende.semantic.models import Embedding

    if not encoder.available():
        return "unavailable (full text alone)"
    if Embedding.objects.filter(kind=KIND).count() == 2 * count:
        return "on, 20,000 article vectors reused" if count == 10_000 else "on"
    base = {
        (lang, title): i
        for i, article in enumerate(load("kb_articles.json"))
        for lang, text in article["translations"].items()
        for title in [text["title"]]
    }
    titles = list(base)
    encoded = encoder.encode([title for _lang, title in titles])
    assert encoded is not None
    rng = np.random.default_rng(15)
    rows = ArticleTranslation.objects.order_by("pk").values_list("pk", "language", "title")
    items, vectors = [], []
    for pk, lang, title in rows.iterator(chunk_size=2000):
        plain = title.rsplit(" (", 1)[0]
        index = titles.index((lang, plain)) if (lang, plain) in base else 0
        vector = encoded[index] + rng.normal(0, 0.02, encoder.DIMENSIONS).astype(np.float32)
        items.append(services.Text(pk, lang, ""))
        vectors.append(vector / np.linalg.norm(vector))
    for start in range(0, len(items), 2000):
        services.index_vectors(
            KIND, items[start : start + 2000], np.asarray(vectors[start : start + 2000])
        )
    return f"on, {len(items):,} article vectors"


def index_size(db: str) -> str:
    from django.db import connection

    from atiende.kb.models import SearchPosting, SearchWord

    postings, words = SearchPosting.objects.count(), SearchWord.objects.count()
    tables = ("kb_searchposting", "kb_searchdocument", "kb_searchword")
    with connection.cursor() as cursor:
        if db == "postgres":
            cursor.execute(
                "SELECT sum(pg_total_relation_size(c)) FROM unnest(%s::regclass[]) AS c",
                [list(tables)],
            )
        else:
            try:
                cursor.execute(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                    "(SELECT name FROM sqlite_master WHERE tbl_name IN (%s, %s, %s))",
                    list(tables),
                )
            except Exception:
                return f"{postings:,} postings, {words:,} words"
        size = float(cursor.fetchone()[0] or 0)
    return f"{postings:,} postings, {words:,} words, {size / 1e6:.0f} MB with indexes"


def timed(call: Any, inputs: list[tuple[str, str]], rounds: int) -> list[float]:
    samples = []
    for i in range(rounds):
        text, lang = inputs[i % len(inputs)]
        start = time.perf_counter()
        call(text, lang)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def latency(db: str, count: int, rounds: int) -> None:
    from atiende.kb.search import search
    from atiende.kb.suggest import suggest

    seed(count)
    questions = [(item["q"], item["lang"]) for item in load("kb_questions.json")]
    random.Random(7).shuffle(questions)
    typing = [(text[: max(3, len(text) * 2 // 3)], lang) for text, lang in questions]

    def run_search(text: str, lang: str) -> None:
        search(None, text, language=lang, source="help")

    def run_suggest(text: str, lang: str) -> None:
        suggest(None, text, language=lang, source="form")

    vectors = seed_vectors(count)
    print(f"database: {db}; {count:,} articles in es and en; {index_size(db)}")
    print(f"semantic encoder: {vectors}")
    timed(run_search, questions, 30)  # warm up: vocabulary, caches, plans
    figure = Figure.from_samples("KB search (help center)", timed(run_search, questions, rounds))
    figure.check(p95_below=50)
    print_figure(figure)
    timed(run_suggest, questions, 30)
    mixed = [item for pair in zip(typing, questions, strict=True) for item in pair]
    figure = Figure.from_samples("suggestions while typing", timed(run_suggest, mixed, rounds))
    figure.check(p95_below=100)
    print_figure(figure)


# ---------------------------------------------------------------------------------------------
# Hit rate


def publish_labelled() -> dict[int, str]:
    """The labelled articles, published through the services; article id → key."""
    from atiende.core.actor import Actor
    from atiende.kb.models import ArticleTranslation
    from atiende.kb.services import articles

    system = Actor.system("bench")
    section = outline()
    keys: dict[int, str] = {}
    for item in load("kb_articles.json"):
        article_id = None
        for lang, text in item["translations"].items():
            if article_id is None:
                draft = articles.create_article(
                    system,
                    section_id=section,
                    language=lang,
                    title=text["title"],
                    body=text["body"],
                )
                article_id = draft.article_id
            else:  # the second language of the same article (the editor's workflow is apart)
                draft = ArticleTranslation.objects.create(
                    article_id=article_id,
                    language=lang,
                    title=text["title"],
                    body=text["body"],
                    slug=articles.unique_slug(lang, text["title"]),
                )
            articles.publish(system, translation_id=draft.pk)
        assert article_id is not None
        keys[article_id] = item["key"]
    return keys


def hit_rate(db: str) -> None:
    report_hits(db, publish_labelled())


def report_hits(db: str, keys: dict[int, str]) -> None:
    from atiende.kb.search import query
    from atiende.kb.suggest import suggest
    from atiende.semantic.encoder import available

    questions = load("kb_questions.json")
    semantic = available()
    hits: dict[str, dict[str, list[bool]]] = {
        "full text": defaultdict(list),
        "hybrid": defaultdict(list),
    }
    misses: list[str] = []
    for item in questions:
        text, lang, want = item["q"], item["lang"], item["article"]
        full = [keys[r.article_id] for r in query.run(None, text, language=lang, limit=3).results]
        hybrid = [keys[s.article_id] for s in suggest(None, text, language=lang, limit=3)]
        for name, found in (("full text", full), ("hybrid", hybrid)):
            for group in ("all", lang, item["kind"]):
                hits[name][group].append(want in found)
        if want not in hybrid:
            misses.append(f"    [{lang}] {text!r} → {want}; got {hybrid}")
    groups = ["all", "es", "en", "noaccent", "typo", "paraphrase", "cross"]
    print(f"database: {db}; {len(keys)} articles, {len(questions)} questions")
    print(f"semantic encoder: {'on' if semantic else 'unavailable: hybrid = full text alone'}")
    print("right article in the top 3:")
    print(f"  {'':<10}" + "".join(f"{g:>12}" for g in groups))
    counts = "".join(f"{'n=' + str(len(hits['hybrid'][g])):>12}" for g in groups)
    print(f"  {'':<10}{counts}")
    for name in ("full text", "hybrid"):
        cells = "".join(
            f"{100 * sum(hits[name][g]) / max(1, len(hits[name][g])):>11.1f}%" for g in groups
        )
        print(f"  {name:<10}{cells}")
    if misses and os.environ.get("KB_BENCH_MISSES"):
        print("  hybrid misses:")
        print("\n".join(misses))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--hit-rate", action="store_true", help="measure the hit rate instead")
    args = parser.parse_args(argv)
    if args.hit_rate:
        configure(args.db, "kbsearch-hits", fresh=True)
        setup_django()
        hit_rate(args.db)
    else:
        configure(args.db, "kbsearch", fresh=False)
        setup_django()
        latency(args.db, args.articles, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
