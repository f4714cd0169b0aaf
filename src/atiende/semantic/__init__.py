"""Meaning-based search: an offline multilingual sentence encoder, stored vectors and hybrid
ranking with full-text results (issue 15). Knows no app: others index and query through it."""

import os

# OpenBLAS (numpy's) runs a thread per core by default, and its threads spin while they wait:
# on a busy two-core server a 1 ms query took 20-600 ms that way. One thread per process is
# faster for our small products (one query vector, batches of short texts). Set before numpy
# loads (this package is imported before anything of ours imports numpy); an explicit
# OPENBLAS_NUM_THREADS in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
