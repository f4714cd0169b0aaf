"""The history of an article's text: every published version, a diff between two versions,
and a restore (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core.errors import AtiendeError
from atiende.core.permissions import is_admin
from atiende.kb import editor_selectors as selectors
from atiende.kb.services import versions
from atiende.web.common import actor, staff_required
from atiende.web.kb.views import refused, translation_or_404


@staff_required
def history(request: HttpRequest, translation_id: int) -> HttpResponse:
    """Every published version with its author; compare any two; restore one."""
    translation = translation_or_404(request, translation_id)
    who = actor(request)
    kept = list(selectors.versions(who, translation.pk))
    diff = None
    error = None
    if "old" in request.GET and "new" in request.GET:
        try:
            diff = versions.diff_versions(
                who,
                translation_id=translation.pk,
                old=int(request.GET["old"]),
                new=int(request.GET["new"]),
            )
        except (ValueError, AtiendeError):
            error = _("Choose two versions of this article.")
    context = {
        "t": translation,
        "versions": kept,
        "diff": diff,
        "diff_error": error,
        "is_admin": is_admin(who),
    }
    return render(request, "web/kb/history.html", context, status=422 if error else 200)


@staff_required
@require_POST
def restore(request: HttpRequest, translation_id: int, number: int) -> HttpResponse:
    translation = translation_or_404(request, translation_id)
    try:
        version = versions.restore_version(
            actor(request), translation_id=translation.pk, number=number
        )
    except AtiendeError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("Version %(old)s restored as version %(new)s.")
            % {"old": number, "new": version.number},
        )
    return redirect("kb-history", translation.pk)


# --- from a ticket --------------------------------------------------------------------------
