"""The one webhook endpoint of every channel account: ``/hooks/<webhook_key>/``.

``POST`` checks the signature and stores the request as received with the verdict in one
commit (``channels.services.receive``), asks for its processing (``channels.tasks``), and
answers at once with an empty 200, before any processing (the task does it): Telegram, Meta
and Twilio retry whatever is not a 2xx, and a slow answer makes them retry too. 403 when the
signature is refused (the payload stays, quarantined), 404 for an unknown or inactive key,
413 over the provider's size limit (3 MiB for Meta's batches, 1 MiB for the others:
``registry.max_body``).
A payload the adapter cannot read is still acknowledged (200) and quarantined by processing,
naming the field: a 4xx would only make the provider send the same bytes again and again.

``GET`` answers Meta's verification of the URL (``hub.challenge``).

The absolute URL the adapters see (Twilio signs it) is rebuilt by Django: behind a TLS proxy
``SECURE_PROXY_SSL_HEADER`` must be set and the proxy must pass the original ``Host``.

A key past its rate (``channels.services.webhook_limits``: a token bucket per key, sized by
the body) gets a 429 with ``Retry-After`` before anything is stored: a leaked key must not be
able to fill the disk. Twilio answers the call or SMS with the TwiML the account says
(``channels.webhook_answers``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from atiende.core.errors import NotFound, PayloadTooLarge
from atiende.messaging.channels import registry, services
from atiende.messaging.channels.contract import Incoming, SignatureError
from atiende.messaging.channels.services.webhook_limits import take
from atiende.messaging.channels.tasks import enqueue_processing
from atiende.messaging.channels.webhook_answers import answer_for


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, webhook_key: str) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request, webhook_key)
    body = _body(request)
    if body is None:
        return HttpResponse(status=413)
    verdict = take(webhook_key, len(body))
    if not verdict.allowed:
        return HttpResponse(status=429, headers={"Retry-After": str(verdict.retry_after)})
    incoming = Incoming(
        method="POST",
        url=request.build_absolute_uri(),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
        query=_query(request),
        received_at=timezone.now(),
    )
    try:
        payload = services.receive(webhook_key, incoming)
    except NotFound:
        return HttpResponse(status=404)
    except PayloadTooLarge:
        return HttpResponse(status=413)
    except SignatureError:
        return HttpResponse(status=403)
    enqueue_processing(payload)
    answer = answer_for(payload.account)
    if answer is None:
        return HttpResponse(status=200)
    return HttpResponse(answer.body, content_type=answer.content_type)


def _handshake(request: HttpRequest, webhook_key: str) -> HttpResponse:
    try:
        challenge = services.handshake(webhook_key, _query(request))
    except NotFound:
        return HttpResponse(status=404)
    except SignatureError:
        return HttpResponse(status=403)
    return HttpResponse(challenge, content_type="text/plain")


def _body(request: HttpRequest) -> bytes | None:
    """The raw body, or ``None`` when it is larger than any provider sends."""
    limit = registry.LARGEST_BODY
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _query(request: HttpRequest) -> dict[str, str]:
    """The query string's parameters (the last value of a repeated one)."""
    return {name: str(value) for name, value in request.GET.items()}
