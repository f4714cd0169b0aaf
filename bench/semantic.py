"""Meaning-based search: the encoder's speed and memory, the index's size and ``nearest``
latency with 100,000 solved-ticket vectors (issue 15: suggestions while typing p95 < 100 ms).

Prints figures (and one JSON line); asserts nothing. Uses its own database, never the
development one:

    .venv/bin/python bench/semantic.py                 # SQLite in /tmp/atiende_bench_semantic
    .venv/bin/python bench/semantic.py --postgres      # database atiende_bench_semantic
    .venv/bin/python bench/semantic.py --vectors 20000 --repeat 100

Seeding: ``--real`` ticket-like texts (default 2,000) are encoded for real through
``semantic.services.index_many`` (that is the throughput figure); the rest up to ``--vectors``
are random unit vectors written through ``semantic.services.index_vectors`` (the same batched
write path, minus the encoder: 100,000 real encodes would take minutes and time the encoder,
not the index). A query therefore competes with 100,000 rows, of which the real ones are its
plausible answers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PG_URL = "postgres://postgres@127.0.0.1:5432/atiende_bench_semantic"
KIND = "ticket"

SUBJECTS = [
    ("No puedo iniciar sesión", "Cambié la contraseña y la app dice que mis datos no son válidos."),
    ("Cobro duplicado", "Me cobraron dos veces la factura de este mes en la tarjeta."),
    ("Envío retrasado", "Mi pedido lleva diez días en camino y el seguimiento no cambia."),
    ("Cannot sign in", "Since the update the app rejects my password."),
    ("Refund for a broken item", "The lamp arrived broken, I want my money back."),
    ("Change billing address", "Please update the address on my invoices."),
    ("Exportar contactos", "¿Cómo exporto mis contactos a una hoja de cálculo?"),
    ("Two-factor codes not arriving", "I do not get the SMS with the code to sign in."),
    ("La impresora no imprime", "La impresora aparece desconectada en la oficina."),
    ("Cancel my subscription", "I want to cancel before the next billing date."),
]
RESOLUTIONS = [
    "Borramos la sesión guardada y volvió a entrar.",
    "Devolvimos el cargo duplicado; tarda de 3 a 5 días.",
    "The carrier lost the parcel; we sent a new one.",
    "Refunded the full price to the original card.",
    "Updated the address; new invoices use it.",
    "Reinstalled the printer driver and restarted the spooler.",
]
QUERIES = [
    "no puedo entrar a mi cuenta",
    "me cobraron dos veces",
    "where is my order",
    "quiero cancelar la suscripción",
    "la impresora no funciona",
    "how do I export my contacts",
    "no me llega el código por SMS",
    "refund please, it came broken",
]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def setup(postgres: bool) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    if postgres:
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'atiende_bench_semantic'"
            ).fetchone():
                conn.execute("CREATE DATABASE atiende_bench_semantic")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ATIENDE_DATA_DIR"] = "/tmp/atiende_bench_semantic"  # noqa: S108  (throwaway)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    os.environ["ATIENDE_SEMANTIC"] = "on"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def timed(run: Callable[[], Any], repeat: int) -> dict[str, float]:
    """p50, p95 and max in milliseconds (after one warm-up run)."""
    run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }


def real_texts(count: int) -> list[str]:
    rng = random.Random(7)
    texts = []
    for i in range(count):
        subject, body = SUBJECTS[i % len(SUBJECTS)]
        extra = rng.choice(["", " Es urgente.", " Thanks!", " Gracias de antemano.", " Hoy."])
        texts.append(f"{subject} #{i}\n{body}{extra}\n{rng.choice(RESOLUTIONS)}")
    return texts


def run(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    from django.db import connection

    from atiende.semantic import encoder, matrix, services
    from atiende.semantic.models import Embedding
    from atiende.semantic.selectors import nearest

    out: dict[str, Any] = {"database": connection.vendor, "vectors": args.vectors}
    before = rss_mb()
    began = time.perf_counter()
    assert encoder.available(), "the encoder did not load"
    out["encoder_load_s"] = round(time.perf_counter() - began, 2)
    out["encoder_rss_mb"] = {"before": round(before), "after": round(rss_mb())}
    out["encoder_rss_mb"]["model"] = (
        out["encoder_rss_mb"]["after"] - out["encoder_rss_mb"]["before"]
    )

    # Start from an empty kind each run, so every figure is of this run's rows.
    Embedding.objects.filter(kind=KIND).delete()
    matrix.forget()

    texts = real_texts(args.real)
    began = time.perf_counter()
    services.index_many(KIND, [services.Text(i + 1, "es", t) for i, t in enumerate(texts)])
    spent = time.perf_counter() - began
    out["index_many_real"] = {
        "texts": len(texts),
        "seconds": round(spent, 2),
        "texts_per_s": round(len(texts) / spent, 1),
    }
    began = time.perf_counter()
    encoder.encode(texts[:500])
    spent = time.perf_counter() - began
    out["encode_only_texts_per_s"] = round(500 / spent, 1)

    rng = np.random.default_rng(42)
    began = time.perf_counter()
    batch = 5000
    for first in range(args.real, args.vectors, batch):
        size = min(batch, args.vectors - first)
        vectors = rng.standard_normal((size, encoder.DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        items = [services.Text(first + i + 1, "en", "") for i in range(size)]
        services.index_vectors(KIND, items, vectors)
    out["seed_random_s"] = round(time.perf_counter() - began, 1)
    out["index_size_bytes"] = index_size(connection.vendor)

    rss = rss_mb()
    began = time.perf_counter()
    nearest(KIND, np.ones(encoder.DIMENSIONS, dtype=np.float32), 5)
    out["matrix_first_load_s"] = round(time.perf_counter() - began, 2)
    held = matrix.current(KIND, "default")
    out["matrix"] = {
        "rows": len(held),
        "bytes": int(held.vectors.nbytes + held.ids.nbytes),
        "rss_growth_mb": round(rss_mb() - rss),
    }

    query_vectors = encoder.encode(QUERIES)
    assert query_vectors is not None
    cycle = iter(range(10**9))

    def next_query() -> str:
        return QUERIES[next(cycle) % len(QUERIES)]

    def next_vector() -> Any:
        return query_vectors[next(cycle) % len(QUERIES)]

    out["encode_query"] = timed(lambda: encoder.encode([next_query()]), args.repeat)
    out["nearest_vector"] = timed(lambda: nearest(KIND, next_vector(), 5), args.repeat)
    out["nearest_text_total"] = timed(lambda: nearest(KIND, next_query(), 5), args.repeat)
    few = set(rng.choice(args.vectors, 500, replace=False).tolist())
    tenth = set(rng.choice(args.vectors, args.vectors // 10, replace=False).tolist())
    out["nearest_restrict_500"] = timed(
        lambda: nearest(KIND, next_vector(), 5, restrict_to=few), args.repeat
    )
    out["nearest_restrict_10pct"] = timed(
        lambda: nearest(KIND, next_vector(), 5, restrict_to=tenth), args.repeat
    )
    counter = iter(range(10**9))

    def write_then_query() -> None:
        services.index_vectors(
            KIND, [services.Text(next(counter) % 1000 + 1, "es", "")], query_vectors[:1]
        )
        nearest(KIND, next_vector(), 5)

    out["write_then_nearest"] = timed(write_then_query, min(args.repeat, 50))
    hits = nearest(KIND, "me cobraron dos veces la factura", 3)
    out["sample_hits"] = [(i, round(s, 3), texts[i - 1][:40]) for i, s in hits if i <= len(texts)]
    return out


def index_size(vendor: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(vector)), 0) FROM semantic_embedding"
            " WHERE kind = %s",
            [KIND],
        )
        rows, vector_bytes = cursor.fetchone()
        size = {"rows": rows, "vector_bytes": vector_bytes}
        if vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('semantic_embedding')")
            size["table_with_indexes_bytes"] = cursor.fetchone()[0]
        else:
            try:
                cursor.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'semantic%%'"
                    " OR name LIKE 'sqlite_autoindex_semantic%%'"
                )
                size["table_with_indexes_bytes"] = cursor.fetchone()[0]
            except Exception:  # dbstat not compiled in
                size["table_with_indexes_bytes"] = -1
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    setup(args.postgres)
    out = run(args)
    width = max(len(k) for k in out)
    for key, value in out.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
