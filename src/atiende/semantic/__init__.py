"""Meaning-based search: an offline multilingual sentence encoder, stored vectors and hybrid
ranking with full-text results (issue 15). Knows no app: others index and query through it."""
