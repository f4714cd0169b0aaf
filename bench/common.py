"""Shared bits of the benchmark runner: where the bench databases live, timing statistics.

Nothing here imports Django, so the runner can choose the database before Django starts.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Another name keeps a second fixture, e.g. for runs interleaved with an older commit's bench.
PG_DATABASE = os.environ.get("ATIENDE_BENCH_DATABASE", "atiende_bench")
PG_URL = f"{PG_SERVER}/{PG_DATABASE}"
# A stable place (not a fresh temporary directory) so a loaded database is reused next run.
WORK_DIR = Path(tempfile.gettempdir()) / "atiende-bench"
DATABASES = ("sqlite", "postgres")


def data_dir(db: str) -> Path:
    """ATIENDE_DATA_DIR of the bench: the SQLite file, static files and server logs live here."""
    return WORK_DIR / db


def configure_environment(db: str) -> dict[str, str]:
    """Point Django (this process and the servers it starts) at the bench database."""
    env = {
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "ATIENDE_DATA_DIR": str(data_dir(db)),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        # The bench times reads, not the per-user limiter (600 a minute by default): one
        # user's thousands of timed requests a minute would be answered 429.
        "ATIENDE_API_RATE_LIMIT": "1000000000",
    }
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("ATIENDE_TASKS_IMMEDIATE", None)
    os.environ.update(env)
    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return env


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list (``share`` in 0..1)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Figure:
    """One measured line: latency figures in milliseconds, or a rate, with what it needs."""

    name: str
    median_ms: float = math.nan
    p95_ms: float = math.nan
    rate: float = math.nan  # per second, for load and create figures
    unit: str = ""  # what ``rate`` counts, e.g. "creates/s"
    count: int = 0  # requests or rows measured
    errors: int = 0
    target: str = ""
    ok: bool | None = None  # None: no target
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_samples(cls, name: str, samples_ms: list[float], **kwargs: Any) -> Figure:
        ordered = sorted(samples_ms)
        return cls(
            name=name,
            median_ms=statistics.median(ordered) if ordered else math.nan,
            p95_ms=percentile(ordered, 0.95),
            count=len(ordered),
            **kwargs,
        )

    def check(self, *, median_below: float | None = None, p95_below: float | None = None) -> None:
        """Compare with the target and record both the target text and the verdict."""
        parts, ok = [], self.errors == 0
        if median_below is not None:
            parts.append(f"median < {median_below:g} ms")
            ok = ok and self.median_ms < median_below
        if p95_below is not None:
            parts.append(f"p95 < {p95_below:g} ms")
            ok = ok and self.p95_ms < p95_below
        self.target, self.ok = ", ".join(parts), ok

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fmt(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISS")


def print_figure(figure: Figure) -> None:
    """One line per figure, aligned, as it is measured."""
    if not math.isnan(figure.rate):
        value = f"{fmt(figure.rate, 0):>10} {figure.unit:<11}"
        if not math.isnan(figure.median_ms):
            value += f" median {fmt(figure.median_ms):>7} ms  p95 {fmt(figure.p95_ms):>7} ms"
    else:
        value = f"median {fmt(figure.median_ms):>7} ms  p95 {fmt(figure.p95_ms):>7} ms"
    tail = f"  n={figure.count}"
    if figure.errors:
        tail += f" errors={figure.errors}"
    if figure.note:
        tail += f"  {figure.note}"
    mark = verdict(figure.ok)
    print(f"  {figure.name:<34} {value}{tail}" + (f"  [{mark}]" if mark else ""), flush=True)
