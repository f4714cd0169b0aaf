"""Idempotent POSTs: a retried request with the same ``Idempotency-Key`` gets the first answer.

The key row is inserted in the same transaction as the work it guards. Concurrent retries
therefore queue on the key's unique constraint (PostgreSQL) or on the write lock (SQLite), and
find the committed first answer instead of doing the work twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from atiende.accounts.models import User
from atiende.api.models import IdempotencyKey
from atiende.core.errors import BadRequest, Conflict, FieldError, Invalid
from atiende.messaging.crypto import decrypt, encrypt

HEADER = "Idempotency-Key"
MAX_KEY = 255
# Printable ASCII, no space at either end (HTTP would strip it): what a header can carry as is.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"

Handler = Callable[[], tuple[int, Schema | dict[str, Any]]]


def _request_hash(request: HttpRequest, content: bytes | None) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.body if content is None else content)
    return digest.hexdigest()


def file_fingerprint(name: str, file: Any) -> bytes:
    """What identifies an uploaded file's request (its body was streamed, not kept)."""
    digest = hashlib.sha256(name.encode("utf-8", "replace") + b"\n")
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.digest()


def _seal(data: Any, sealed: tuple[str, ...], *, open_: bool = False) -> Any:
    """Encrypt (or decrypt) the secret members of a stored answer, e.g. a new token."""
    if not sealed or not isinstance(data, dict):
        return data
    turn = decrypt if open_ else encrypt
    return {k: turn(v) if k in sealed and isinstance(v, str) else v for k, v in data.items()}


def _as_json(out: Schema | dict[str, Any]) -> Any:
    """The answer as JSON data, encoded exactly as ninja encodes its own responses."""
    data = out if isinstance(out, dict) else out.model_dump()
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _response(status: int, data: object, *, replayed: bool) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder), status=status, content_type="application/json"
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def run(
    request: HttpRequest,
    user: User,
    handler: Handler,
    *,
    content: bytes | None = None,
    sealed: tuple[str, ...] = (),
) -> HttpResponse:
    """Run ``handler`` once per (user, key); replay its stored answer on retries.

    ``content`` identifies the request body when it was streamed (uploads); members named in
    ``sealed`` are stored encrypted (a token is shown on a retry, never kept in clear).
    """
    key = request.headers.get(HEADER)
    if key is None:
        status, out = handler()
        return _response(status, _as_json(out), replayed=False)
    if len(key) > MAX_KEY or not re.fullmatch(KEY_PATTERN, key):
        raise BadRequest(
            _("The Idempotency-Key must be 1 to %(max)d printable characters.") % {"max": MAX_KEY},
            errors=[FieldError(HEADER, _("Invalid key."))],
        )
    request_hash = _request_hash(request, content)
    expired = timezone.now() - timedelta(hours=settings.ATIENDE_IDEMPOTENCY_TTL_HOURS)
    with transaction.atomic():
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=expired).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    request_hash=request_hash,
                )
        except IntegrityError:
            first = IdempotencyKey.objects.get(user=user, key=key)
            if first.request_hash != request_hash:
                raise Invalid(
                    _("This Idempotency-Key was already used for a different request."),
                    errors=[FieldError(HEADER, _("Reused with a different request."))],
                ) from None
            if first.status is None:
                raise Conflict(
                    _("A request with this Idempotency-Key is still being processed.")
                ) from None
            return _response(first.status, _seal(first.response, sealed, open_=True), replayed=True)
        status, out = handler()
        data = _as_json(out)
        record.status, record.response = status, _seal(data, sealed)
        record.save(update_fields=["status", "response"])
    return _response(status, data, replayed=False)
