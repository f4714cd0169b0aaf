"""Readable slugs in any language: "¿Cómo cambio mi contraseña?" → "como-cambio-mi-contrasena"."""

from __future__ import annotations

from django.utils.text import slugify

from atiende.core.folding import fold_accents

MAX_LENGTH = 120


def slug_for(title: str) -> str:
    """An ASCII slug for ``title`` (accents folded, never empty)."""
    slug = slugify(fold_accents(title))[:MAX_LENGTH].strip("-")
    return slug or "article"
