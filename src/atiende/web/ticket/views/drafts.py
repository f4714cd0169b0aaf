"""The composer's draft: saved as the agent types (``web/composer_draft.js``), restored by the
ticket page, which renders the composer with it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.core.errors import AtiendeError, Invalid
from atiende.tickets import services as tickets
from atiende.web.common import actor, error_fragment, staff_required
from atiende.web.ticket.views.common import load_ticket


class DraftForm(forms.Form):
    body = forms.CharField(required=False, strip=False)
    public = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", required=False
    )
    last_seen = forms.IntegerField(required=False, min_value=0)


@staff_required
@require_POST
def save_draft(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Keep the composer's text; 204 when kept, 409 when a send has overtaken this save."""
    ticket = load_ticket(request, ticket_id)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return error_fragment(request, Invalid(_("The draft could not be read.")))
    data = form.cleaned_data
    try:
        kept = tickets.save_draft(
            actor(request),
            ticket_id=ticket.pk,
            body=data["body"] or "",
            public=data["public"] if data["public"] != "" else True,
            written_after=data["last_seen"],
        )
    except AtiendeError as error:
        return error_fragment(request, error)
    return HttpResponse(status=204 if kept else 409)
