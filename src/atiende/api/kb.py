"""/kb/…: authoring the knowledge base (staff only; customers get 403 or 404).

Categories and sections; articles (what every language shares) and their translations
(each with its own workflow: submit, publish, ask for changes, archive, unarchive,
schedule); every published version, a diff between two and a restore. A save carrying a
stale ``revision`` is a 409 naming ``revision``, with the current one in ``current``.
Readers' pages live in the help center, not here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.errors import render_extra
from atiende.api.schemas.common import Id, Version, errors
from atiende.api.schemas.kb import (
    KbArticleFilter,
    KbArticleIn,
    KbArticleOut,
    KbArticleUpdateIn,
    KbCategoryIn,
    KbCategoryOut,
    KbCategoryUpdateIn,
    KbDiffFilter,
    KbDiffOut,
    KbFileOut,
    KbNoteIn,
    KbScheduleIn,
    KbSectionFilter,
    KbSectionIn,
    KbSectionOut,
    KbSectionUpdateIn,
    KbTranslationIn,
    KbTranslationOut,
    KbTranslationPage,
    KbTranslationUpdateIn,
    KbVersionOut,
)
from atiende.api.writes import once
from atiende.core.errors import FieldError, Invalid, PayloadTooLarge
from atiende.core.pagination import SortKey, paginate
from atiende.kb import editor_selectors as selectors
from atiende.kb.models import ArticleAttachment
from atiende.kb.services import articles, attachments, structure, versions, workflow

router = Router(tags=["kb"])
RECENT_FIRST = SortKey("updated_at", descending=True, kind=datetime.datetime)

render_extra("kb_revision", lambda request, revision: {"current": {"revision": revision}})


def _file_out(attachment: ArticleAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "article_id": attachment.article_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": attachments.file_url(attachment.pk),
        "markdown": attachments.markdown_for(attachment),
    }


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Invalid.field("verify_by", _("Enter a date as YYYY-MM-DD.")) from None


# --- categories and sections ----------------------------------------------------------------


@router.get("/kb/categories", response={200: list[KbCategoryOut], **errors(403, 404)})
def list_categories(request: HttpRequest) -> Any:
    """Every category in order, with its sections."""
    return list(selectors.categories(actor(request)))


@router.post("/kb/categories", response={201: KbCategoryOut, **errors(403, 404, 409, 422)})
def create_category(request: HttpRequest, payload: KbCategoryIn) -> HttpResponse:
    fields = payload.model_dump()
    return once(request, 201, lambda c: structure.create_category(c, **fields), KbCategoryOut)


@router.patch(
    "/kb/categories/{category_id}", response={200: KbCategoryOut, **errors(403, 404, 409, 422)}
)
def update_category(request: HttpRequest, category_id: Id, payload: KbCategoryUpdateIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return structure.update_category(actor(request), category_id=category_id, **changes)


@router.delete("/kb/categories/{category_id}", response={204: None, **errors(403, 404, 422)})
def delete_category(request: HttpRequest, category_id: Id) -> Status[None]:
    """Delete an empty category (one with sections is a 422)."""
    structure.delete_category(actor(request), category_id=category_id)
    return Status(204, None)


@router.get("/kb/sections", response={200: list[KbSectionOut], **errors(403, 404, 422)})
def list_sections(request: HttpRequest, filters: Query[KbSectionFilter]) -> Any:
    found = selectors.sections(actor(request))
    if filters.category_id is not None:
        found = found.filter(category_id=filters.category_id)
    return list(found)


@router.post("/kb/sections", response={201: KbSectionOut, **errors(403, 404, 409, 422)})
def create_section(request: HttpRequest, payload: KbSectionIn) -> HttpResponse:
    fields = payload.model_dump()
    return once(request, 201, lambda c: structure.create_section(c, **fields), KbSectionOut)


@router.patch(
    "/kb/sections/{section_id}", response={200: KbSectionOut, **errors(403, 404, 409, 422)}
)
def update_section(request: HttpRequest, section_id: Id, payload: KbSectionUpdateIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return structure.update_section(actor(request), section_id=section_id, **changes)


@router.delete("/kb/sections/{section_id}", response={204: None, **errors(403, 404, 422)})
def delete_section(request: HttpRequest, section_id: Id) -> Status[None]:
    """Delete an empty section (one with articles is a 422)."""
    structure.delete_section(actor(request), section_id=section_id)
    return Status(204, None)


# --- articles and translations --------------------------------------------------------------


@router.get("/kb/articles", response={200: KbTranslationPage, **errors(403, 404, 422)})
def list_articles(request: HttpRequest, filters: Query[KbArticleFilter]) -> dict[str, Any]:
    """Every translation in any state, most recently changed first (``state=submitted``:
    the review queue)."""
    found = selectors.editable_translations(
        actor(request),
        state=filters.state or "",
        language=filters.language,
        section_id=filters.section_id,
        query=filters.q,
    )
    result = paginate(found, RECENT_FIRST, limit=filters.limit, cursor=filters.cursor)
    return {"items": list(result.items), "next_cursor": result.next_cursor}


@router.post("/kb/articles", response={201: KbTranslationOut, **errors(403, 404, 422)})
def create_article(request: HttpRequest, payload: KbArticleIn) -> HttpResponse:
    """A new article with its first translation, as a draft owned by the caller."""
    fields = payload.model_dump()
    return once(request, 201, lambda c: articles.create_article(c, **fields), KbTranslationOut)


@router.get("/kb/articles/{article_id}", response={200: KbArticleOut, **errors(403, 404, 422)})
def read_article(request: HttpRequest, article_id: Id) -> Any:
    return selectors.get_article(actor(request), article_id)


@router.patch(
    "/kb/articles/{article_id}", response={200: KbArticleOut, **errors(403, 404, 409, 422)}
)
def update_article(request: HttpRequest, article_id: Id, payload: KbArticleUpdateIn) -> Any:
    """Section, visibility, owner, verify-by date and related articles (symmetric)."""
    changes = payload.model_dump(exclude_unset=True)
    owner_cleared = "owner_id" in changes and changes["owner_id"] is None
    date_cleared = "verify_by" in changes and changes["verify_by"] is None
    verify_by = changes.get("verify_by")
    return articles.update_article(
        actor(request),
        article_id=article_id,
        revision=payload.revision,
        section_id=changes.get("section_id"),
        visibility=changes.get("visibility"),
        owner_id=changes.get("owner_id"),
        clear_owner=owner_cleared,
        verify_by=_date(verify_by) if verify_by is not None else None,
        clear_verify_by=date_cleared,
        related_ids=changes.get("related_ids"),
    )


@router.post(
    "/kb/articles/{article_id}/translations",
    response={201: KbTranslationOut, **errors(403, 404, 422)},
)
def add_translation(request: HttpRequest, article_id: Id, payload: KbTranslationIn) -> HttpResponse:
    """The article in another language: a draft of its own."""
    fields = payload.model_dump()
    return once(
        request,
        201,
        lambda c: articles.add_translation(c, article_id=article_id, **fields),
        KbTranslationOut,
    )


@router.post(
    "/kb/articles/{article_id}/files", response={201: KbFileOut, **errors(403, 404, 413, 422)}
)
def upload_file(request: HttpRequest, article_id: Id, file: File[UploadedFile]) -> HttpResponse:
    """Upload an image or file (multipart field ``file``); paste ``markdown`` into the body."""
    limit = attachments.max_bytes()
    if file.size is not None and file.size > limit:
        message = _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
        raise PayloadTooLarge(message, errors=[FieldError("file", message)])
    caller = actor(request)
    name = file.name or ""

    def handler() -> tuple[int, KbFileOut]:
        stored = attachments.upload_attachment(
            caller, article_id=article_id, filename=name, stream=file
        )
        return 201, KbFileOut(**_file_out(stored))

    assert caller.user is not None
    content = idempotency.file_fingerprint(name, file)
    return idempotency.run(request, caller.user, handler, content=content)


@router.get(
    "/kb/translations/{translation_id}", response={200: KbTranslationOut, **errors(403, 404, 422)}
)
def read_translation(request: HttpRequest, translation_id: Id) -> Any:
    return selectors.get_translation(actor(request), translation_id)


@router.patch(
    "/kb/translations/{translation_id}",
    response={200: KbTranslationOut, **errors(403, 404, 409, 422)},
)
def update_translation(
    request: HttpRequest, translation_id: Id, payload: KbTranslationUpdateIn
) -> Any:
    """Save the working copy; readers keep the published text until it is published again."""
    changes = payload.model_dump(exclude_unset=True)
    return articles.update_translation(actor(request), translation_id=translation_id, **changes)


@router.delete("/kb/translations/{translation_id}", response={204: None, **errors(403, 404, 422)})
def delete_translation(request: HttpRequest, translation_id: Id) -> Status[None]:
    """Delete a translation never published (a published one is archived instead)."""
    articles.delete_translation(actor(request), translation_id=translation_id)
    return Status(204, None)


def _act(request: HttpRequest, make: Any) -> HttpResponse:
    return once(request, 200, make, KbTranslationOut)


@router.post(
    "/kb/translations/{translation_id}/submit",
    response={200: KbTranslationOut, **errors(403, 404, 422)},
)
def submit_translation(request: HttpRequest, translation_id: Id) -> HttpResponse:
    """Ask an administrator to publish the working copy."""
    return _act(request, lambda c: workflow.submit_for_review(c, translation_id=translation_id))


@router.post(
    "/kb/translations/{translation_id}/publish",
    response={200: KbVersionOut, **errors(403, 404, 422)},
)
def publish_translation(
    request: HttpRequest, translation_id: Id, payload: KbNoteIn
) -> HttpResponse:
    """Publish the working copy as a new version (administrators)."""
    return once(
        request,
        200,
        lambda c: articles.publish(c, translation_id=translation_id, note=payload.note),
        KbVersionOut,
    )


@router.post(
    "/kb/translations/{translation_id}/request-changes",
    response={200: KbTranslationOut, **errors(403, 404, 422)},
)
def request_changes(request: HttpRequest, translation_id: Id, payload: KbNoteIn) -> HttpResponse:
    """Send a submitted text back to draft with a note (administrators)."""
    return _act(
        request,
        lambda c: workflow.request_changes(c, translation_id=translation_id, note=payload.note),
    )


@router.post(
    "/kb/translations/{translation_id}/archive",
    response={200: KbTranslationOut, **errors(403, 404, 422)},
)
def archive_translation(request: HttpRequest, translation_id: Id) -> HttpResponse:
    """Take the text out of reading (administrators); its versions stay."""

    def make(caller: Any) -> Any:
        articles.archive(caller, translation_id=translation_id)
        return selectors.get_translation(caller, translation_id)

    return _act(request, make)


@router.post(
    "/kb/translations/{translation_id}/unarchive",
    response={200: KbTranslationOut, **errors(403, 404, 422)},
)
def unarchive_translation(request: HttpRequest, translation_id: Id) -> HttpResponse:
    return _act(request, lambda c: workflow.unarchive(c, translation_id=translation_id))


@router.post(
    "/kb/translations/{translation_id}/schedule",
    response={200: KbTranslationOut, **errors(403, 404, 422)},
)
def schedule_translation(
    request: HttpRequest, translation_id: Id, payload: KbScheduleIn
) -> HttpResponse:
    """Publish the working copy at ``publish_at`` (administrators); null cancels."""
    when = payload.publish_at
    return _act(
        request, lambda c: workflow.schedule(c, translation_id=translation_id, publish_at=when)
    )


# --- versions -------------------------------------------------------------------------------


@router.get(
    "/kb/translations/{translation_id}/versions",
    response={200: list[KbVersionOut], **errors(403, 404, 422)},
)
def list_versions(request: HttpRequest, translation_id: Id) -> Any:
    """Every published version, newest first, with its author."""
    return list(selectors.versions(actor(request), translation_id))


@router.get(
    "/kb/translations/{translation_id}/versions/{number}",
    response={200: KbVersionOut, **errors(403, 404, 422)},
)
def read_version(request: HttpRequest, translation_id: Id, number: Version) -> Any:
    return selectors.get_version(actor(request), translation_id, number)


@router.get(
    "/kb/translations/{translation_id}/diff", response={200: KbDiffOut, **errors(403, 404, 422)}
)
def diff_versions(request: HttpRequest, translation_id: Id, filters: Query[KbDiffFilter]) -> Any:
    """What changed from version ``old`` to version ``new``, line by line."""
    caller = actor(request)
    selectors.get_translation(caller, translation_id)
    diff = versions.diff_versions(
        caller, translation_id=translation_id, old=filters.old, new=filters.new
    )
    return {
        "old": diff.old,
        "new": diff.new,
        "title_changed": diff.title_changed,
        "old_title": diff.old_title,
        "new_title": diff.new_title,
        "lines": [{"kind": line.kind, "text": line.text} for line in diff.lines],
        "html": str(diff.html()),
    }


@router.post(
    "/kb/translations/{translation_id}/versions/{number}/restore",
    response={201: KbVersionOut, **errors(403, 404, 422)},
)
def restore_version(
    request: HttpRequest, translation_id: Id, number: Version, payload: KbNoteIn
) -> HttpResponse:
    """Publish an old version's text again as a new version (administrators); nothing is
    lost."""
    return once(
        request,
        201,
        lambda c: versions.restore_version(
            c, translation_id=translation_id, number=number, note=payload.note
        ),
        KbVersionOut,
    )
