"""The knowledge base's first write path: outline, a draft, a published version."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.core.event_types import ArticlePublished
from atiende.core.events import capture_events
from atiende.kb.models import ArticleState, ArticleTranslation
from atiende.kb.services import articles, structure
from atiende.kb.slugs import slug_for
from tests.factories import make_admin, make_agent, make_customer, web

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("¿Cómo cambio mi contraseña?", "como-cambio-mi-contrasena"),
        ("Año nuevo: facturación", "ano-nuevo-facturacion"),
        ("¿¿??", "article"),
    ],
)
def test_slugs_are_readable_ascii(title: str, slug: str) -> None:
    assert slug_for(title) == slug


def test_an_agent_writes_and_publishes_an_article() -> None:
    agent = web(make_agent())
    category = structure.create_category(agent, names={"es": "Cuenta", "en": "Account"})
    section = structure.create_section(agent, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(
        agent, section_id=section.pk, language="es", title="Cambiar la contraseña", body="Pasos"
    )
    assert draft.state == ArticleState.DRAFT and draft.published_version == 0
    twin = articles.create_article(
        agent, section_id=section.pk, language="es", title="Cambiar la contraseña"
    )
    assert twin.slug == "cambiar-la-contrasena-2"

    with capture_events() as events:
        version = articles.publish(web(make_admin()), translation_id=draft.pk)
    draft.refresh_from_db()
    assert (version.number, draft.state, draft.published_body) == (1, "published", "Pasos")
    [event] = [e for e in events if isinstance(e, ArticlePublished)]
    assert (event.translation_id, event.version, event.language) == (draft.pk, 1, "es")


def test_customers_cannot_write_and_bad_input_is_named() -> None:
    agent = web(make_agent())
    section = structure.create_section(
        agent,
        category_id=structure.create_category(agent, names={"es": "Cuenta"}).pk,
        names={"es": "Acceso"},
    )
    with pytest.raises(Forbidden):
        articles.create_article(
            web(make_customer()), section_id=section.pk, language="es", title="x"
        )
    with pytest.raises(Invalid) as caught:
        articles.create_article(agent, section_id=section.pk, language="xx", title=" ")
    assert {e.field for e in caught.value.errors} == {"language", "title"}
    with pytest.raises(NotFound):
        articles.create_article(agent, section_id=10**9, language="es", title="x")
    with pytest.raises(Invalid):
        structure.create_category(agent, names={"es": " "})
    assert not ArticleTranslation.objects.exists()


def test_only_staff_read_internal_articles_and_nobody_reads_drafts() -> None:
    from atiende.core.actor import Actor
    from atiende.kb.selectors import readable_translations

    agent = web(make_agent())
    section = structure.create_section(
        agent,
        category_id=structure.create_category(agent, names={"es": "Cuenta"}).pk,
        names={"es": "Acceso"},
    )
    public = articles.create_article(agent, section_id=section.pk, language="es", title="Pública")
    internal = articles.create_article(
        agent, section_id=section.pk, language="es", title="Interna", visibility="internal"
    )
    draft = articles.create_article(agent, section_id=section.pk, language="es", title="Borrador")
    admin = web(make_admin())
    for translation in (public, internal):
        articles.publish(admin, translation_id=translation.pk)

    def ids(actor: Actor | None) -> set[int]:
        return set(readable_translations(actor).values_list("pk", flat=True))

    assert ids(None) == ids(web(make_customer())) == {public.pk}
    assert ids(agent) == {public.pk, internal.pk}
    assert draft.pk not in ids(agent)
