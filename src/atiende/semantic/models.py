"""Stored sentence vectors, one per indexed object, and a change counter per kind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Embedding(models.Model):
    """The vector of one object of a ``kind`` ("article": a translation's id, "ticket": a
    ticket's id). ``vector`` holds float16 bytes (``DIMENSIONS`` × 2); an empty ``vector``
    is a dropped object (kept so that other processes learn of the drop). ``seq`` is the
    kind's generation when the row was last written: a process reloads only newer rows."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    vector = models.BinaryField(_("vector"))
    model = models.CharField(_("model"), max_length=40)
    seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="semantic_one_per_object")
        ]
        indexes = [models.Index(fields=["kind", "seq"], name="semantic_kind_seq")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class Generation(models.Model):
    """How many writes a kind has seen (``value``) since its row was made (``epoch``, a random
    token: a table emptied and refilled is a new epoch, never mistaken for the old one)."""

    kind = models.CharField(max_length=20, primary_key=True)
    epoch = models.CharField(max_length=32)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"
