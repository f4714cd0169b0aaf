"""Failed effects are visible in the admin, which cannot change them."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from atiende.outbox.models import Effect, EffectState
from atiende.outbox.services import enqueue
from tests.factories import make_admin
from tests.outbox.conftest import Service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_admin_lists_failed_effects_read_only(client: Client, service: Service) -> None:
    client.force_login(make_admin(email="root@example.com"))
    with transaction.atomic():
        effect = enqueue("test.effect", payload={"n": 1})
    Effect.objects.filter(pk=effect.pk).update(
        state=EffectState.FAILED, attempts=8, last_error="Unavailable: try later"
    )
    listing = client.get(reverse("admin:outbox_effect_changelist") + "?state__exact=failed")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "test.effect" in body and "Unavailable: try later" in body
    page = client.get(reverse("admin:outbox_effect_change", args=[effect.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:outbox_effect_add")).status_code == 403
    changed = client.post(reverse("admin:outbox_effect_change", args=[effect.pk]), {"kind": "x"})
    assert changed.status_code == 403
    effect.refresh_from_db()
    assert effect.kind == "test.effect"
