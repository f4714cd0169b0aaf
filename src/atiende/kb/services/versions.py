"""Published versions: compare any two, restore an old one (as a new version, nothing lost)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_admin, require_staff
from atiende.kb.models import ArticleVersion
from atiende.kb.services.articles import lock_translation, publish_locked


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: ``kind`` is "same", "added", "removed" or "gap"."""

    kind: str
    text: str


@dataclass(frozen=True)
class Diff:
    old: int
    new: int
    title_changed: bool
    old_title: str
    new_title: str
    lines: tuple[DiffLine, ...]

    def html(self) -> SafeString:
        """The lines as escaped HTML (``<ins>``/``<del>``): the text is never markup."""
        tags = {"added": "ins", "removed": "del", "same": "span", "gap": "span"}
        signs = {"added": "+", "removed": "−", "same": " ", "gap": "…"}
        rows = format_html_join(
            "\n",
            '<{} class="diff-{}"><span class="diff-sign" aria-hidden="true">{}</span>{}</{}>',
            ((tags[x.kind], x.kind, signs[x.kind], x.text, tags[x.kind]) for x in self.lines),
        )
        return format_html('<pre class="kb-diff">{}</pre>', rows)


def _version(translation_id: int, number: int) -> ArticleVersion:
    version = ArticleVersion.objects.filter(translation_id=translation_id, number=number).first()
    if version is None:
        raise NotFound(_("No such version."))
    return version


def diff_lines(old: str, new: str, *, context: int = 3) -> tuple[DiffLine, ...]:
    """Line by line, with ``context`` unchanged lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", line) for line in a[i1:i2])
                continue
            lines.extend(DiffLine("removed", line) for line in a[i1:i2])
            lines.extend(DiffLine("added", line) for line in b[j1:j2])
    return tuple(lines)


def diff_versions(actor: Actor, *, translation_id: int, old: int, new: int) -> Diff:
    """What changed from version ``old`` to version ``new`` (staff only)."""
    require_staff(actor)
    before, after = _version(translation_id, old), _version(translation_id, new)
    return Diff(
        old=old,
        new=new,
        title_changed=before.title != after.title,
        old_title=before.title,
        new_title=after.title,
        lines=diff_lines(before.body, after.body),
    )


def restore_version(
    actor: Actor, *, translation_id: int, number: int, note: str = ""
) -> ArticleVersion:
    """Publish version ``number``'s text again as a new version (administrators).

    Every version stays; the working copy takes the restored text unless it holds unpublished
    edits, which are kept as they are.
    """
    require_admin(actor)
    with transaction.atomic():
        translation = lock_translation(translation_id)
        old = _version(translation.pk, number)
        unpublished_edits = (translation.title, translation.body) != (
            translation.published_title,
            translation.published_body,
        )
        if not unpublished_edits or not translation.published_version:
            translation.title, translation.body = old.title, old.body
            translation.revision += 1
        return publish_locked(
            actor,
            translation,
            author=actor.user,
            note=note or _("Restored version %(number)s") % {"number": number},
            title=old.title,
            body=old.body,
            restored_from=number,
        )
