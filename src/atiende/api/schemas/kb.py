"""Knowledge-base authoring schemas: categories, sections, articles, translations, versions."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import (
    BodyIn,
    Clean,
    Id,
    Name,
    Page,
    Query,
    Timestamp,
    UpdateIn,
    Version,
)

LanguageCode = Annotated[str, Clean, StringConstraints(max_length=12)]
Names = Annotated[dict[LanguageCode, Name], Field(max_length=20)]
Order = Annotated[int, Field(ge=0, le=2**31 - 1)]
Title = Annotated[str, Clean, StringConstraints(max_length=250)]
ArticleBody = Annotated[str, Clean, StringConstraints(max_length=200_000)]
Slug = Annotated[str, Clean, StringConstraints(max_length=120)]
Note = Annotated[str, Clean, StringConstraints(max_length=500)]
DateText = Annotated[str, Clean, StringConstraints(max_length=10)]
# JSON has no date type: a body's instant is ISO 8601 text, parsed despite the strict bodies.
Instant = Annotated[Timestamp, Field(strict=False)]
VisibilityName = Literal["public", "internal"]
StateFilter = Literal["draft", "review", "published", "archived", "submitted"]


class KbCategoryIn(BodyIn):
    names: Names = Field(description='Per language, e.g. {"es": "Facturación", "en": "Billing"}.')
    position: Order = 0


class KbCategoryUpdateIn(UpdateIn):
    names: Names | None = None
    position: Order | None = None


class KbSectionIn(BodyIn):
    category_id: Id
    names: Names
    position: Order = 0


class KbSectionUpdateIn(UpdateIn):
    category_id: Id | None = None
    names: Names | None = None
    position: Order | None = None


class KbSectionOut(Schema):
    id: int
    category_id: int
    names: dict[str, str]
    slug: str
    position: int


class KbCategoryOut(Schema):
    id: int
    names: dict[str, str]
    slug: str
    position: int
    sections: list[KbSectionOut]

    @staticmethod
    def resolve_sections(obj: Any) -> list[Any]:
        return list(obj.sections.all())


class KbSectionFilter(Schema):
    category_id: Id | None = None


class KbArticleFilter(PageIn):
    state: StateFilter | None = None
    language: LanguageCode = ""
    section_id: Id | None = None
    q: Query = ""


class KbArticleIn(BodyIn):
    section_id: Id
    language: LanguageCode
    title: Title
    body: ArticleBody = ""
    visibility: VisibilityName = "public"


class KbTranslationIn(BodyIn):
    language: LanguageCode
    title: Title
    body: ArticleBody = ""


class KbTranslationUpdateIn(UpdateIn):
    revision: Version = Field(description="The ``revision`` you read; a newer one is a 409.")
    title: Title | None = None
    body: ArticleBody | None = None
    slug: Slug | None = None


class KbArticleUpdateIn(UpdateIn):
    nullable: ClassVar[frozenset[str]] = frozenset({"owner_id", "verify_by"})
    revision: Version = Field(description="The article's ``revision`` you read.")
    section_id: Id | None = None
    visibility: VisibilityName | None = None
    owner_id: Id | None = None
    verify_by: DateText | None = Field(default=None, description="YYYY-MM-DD; null clears it.")
    related_ids: Annotated[list[Id], Field(max_length=50)] | None = None


class KbNoteIn(BodyIn):
    note: Note = ""


class KbScheduleIn(BodyIn):
    publish_at: Instant | None = Field(description="When to publish; null cancels.")


class KbTranslationOut(Schema):
    id: int
    article_id: int
    language: str
    title: str
    body: str
    slug: str
    state: str
    visibility: str
    revision: int
    submitted_at: datetime.datetime | None
    review_note: str
    publish_at: datetime.datetime | None
    published_at: datetime.datetime | None
    published_version: int
    published_title: str
    published_body: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_visibility(obj: Any) -> str:
        return str(obj.article.visibility)


KbTranslationPage = Page[KbTranslationOut]


class KbArticleOut(Schema):
    id: int
    section_id: int
    visibility: str
    owner_id: int | None
    verify_by: datetime.date | None
    revision: int
    source_ticket_id: int | None
    related_ids: list[int]
    translations: list[KbTranslationOut]

    @staticmethod
    def resolve_related_ids(obj: Any) -> list[int]:
        return sorted(obj.related.values_list("pk", flat=True))

    @staticmethod
    def resolve_translations(obj: Any) -> list[Any]:
        return list(obj.translations.select_related("article").order_by("language"))


class KbVersionOut(Schema):
    number: int
    title: str
    body: str
    author_id: int | None
    note: str
    restored_from: int | None
    created_at: datetime.datetime


class KbDiffFilter(Schema):
    old: Version
    new: Version


class KbDiffLineOut(Schema):
    kind: Literal["same", "added", "removed", "gap"]
    text: str


class KbDiffOut(Schema):
    old: int
    new: int
    title_changed: bool
    old_title: str
    new_title: str
    lines: list[KbDiffLineOut]
    html: str = Field(description="The lines as escaped HTML with <ins> and <del>.")


class KbFileOut(Schema):
    id: int
    article_id: int
    filename: str
    content_type: str
    size: int
    url: str
    markdown: str = Field(description="What to paste into the article's body.")
