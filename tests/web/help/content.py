"""A small knowledge base built through the kb services, for the reading side's tests."""

from __future__ import annotations

import io
from dataclasses import dataclass

from atiende.accounts.models import User
from atiende.kb.models import ArticleAttachment, ArticleTranslation, Category, Section
from atiende.kb.services import articles, attachments, structure
from tests.factories import SYSTEM, make_agent, web


@dataclass
class KB:
    agent: User
    category: Category
    section: Section
    public: ArticleTranslation  # published, public, Spanish (with an English translation)
    public_en: ArticleTranslation
    internal: ArticleTranslation  # published, agents only
    draft: ArticleTranslation
    archived: ArticleTranslation
    hidden_section: Section  # only the internal article lives here


def write(
    agent: User,
    section: Section,
    title: str,
    body: str = "Texto.",
    *,
    language: str = "es",
    visibility: str = "public",
    publish: bool = True,
) -> ArticleTranslation:
    actor = web(agent)
    translation = articles.create_article(
        actor,
        section_id=section.pk,
        language=language,
        title=title,
        body=body,
        visibility=visibility,
    )
    if publish:
        articles.publish(SYSTEM, translation_id=translation.pk)  # admins publish
        translation.refresh_from_db()
    return translation


def translate(
    agent: User, source: ArticleTranslation, language: str, title: str, body: str = "Text."
) -> ArticleTranslation:
    """Another language of ``source``'s article, published."""
    translation = articles.add_translation(
        web(agent), article_id=source.article_id, language=language, title=title, body=body
    )
    articles.publish(SYSTEM, translation_id=translation.pk)
    translation.refresh_from_db()
    return translation


def build_kb() -> KB:
    agent = make_agent()
    actor = web(agent)
    category = structure.create_category(actor, names={"es": "Cuenta", "en": "Account"})
    section = structure.create_section(
        actor, category_id=category.pk, names={"es": "Acceso", "en": "Access"}
    )
    hidden = structure.create_section(
        actor, category_id=category.pk, names={"es": "Procedimientos internos"}
    )
    public = write(agent, section, "Cambiar la contraseña", "# Pasos\n\nAbre *Perfil*.")
    public_en = translate(agent, public, "en", "Change your password", "# Steps\n\nOpen Profile.")
    internal = write(agent, hidden, "Restablecer cuentas bloqueadas", visibility="internal")
    draft = write(agent, section, "Borrador secreto", publish=False)
    archived = write(agent, section, "Artículo retirado")
    articles.archive(SYSTEM, translation_id=archived.pk)
    archived.refresh_from_db()
    return KB(agent, category, section, public, public_en, internal, draft, archived, hidden)


def attach(
    translation: ArticleTranslation,
    data: bytes = b"\x89PNG\r\n\x1a\n fake",
    *,
    filename: str = "paso.png",
) -> ArticleAttachment:
    """An article file, uploaded through the editor's service (its type sniffed)."""
    return attachments.upload_attachment(
        SYSTEM, article_id=translation.article_id, filename=filename, stream=io.BytesIO(data)
    )


def article_url(translation: ArticleTranslation, language: str | None = None) -> str:
    lang = language or translation.language
    return f"/help/{lang}/articles/{translation.article_id}-{translation.slug}/"
