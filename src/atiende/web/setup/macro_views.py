"""Shared macros in the settings (what were "canned responses"): a reply text with
placeholders plus actions, for every agent or one group's; how often each is used.

Agents' personal macros stay on their account page (``canned_views``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.automation.macros.services import (
    KNOWN_PLACEHOLDERS,
    create_macro,
    delete_macro,
    update_macro,
)
from atiende.automation.models import Macro
from atiende.core.errors import AtiendeError
from atiende.web.common import actor
from atiende.web.setup import rules, selectors
from atiende.web.setup.common import cursor_of, settings_view
from atiende.web.setup.forms import CannedResponseForm
from atiende.web.setup.rule_pages import rule_page, save_rule


def _form(request: HttpRequest, initial: dict[str, Any] | None = None) -> CannedResponseForm:
    groups = [(g.pk, g.name) for g in selectors.active_groups(actor(request))]
    return CannedResponseForm(request.POST or None, initial=initial, groups=groups)


def _macro_page(request: HttpRequest, found: Macro | None) -> HttpResponse:
    initial = None
    if found is not None:
        initial = {"name": found.name, "body": found.body, "group_id": found.group_id,
                   "is_active": found.is_active}  # fmt: skip
    form = _form(request, initial)
    acts = rules.actions_editor()
    if request.method == "POST":
        acts.read(request.POST)
    elif found is not None:
        acts.fill(rules.action_rows(found.actions))

    def write(data: dict[str, Any]) -> object:
        fields = {**data, "actions": rules.actions_of(acts)}
        if found is None:
            return create_macro(actor(request), shared=True, **fields)
        return update_macro(actor(request), macro_id=found.pk, changes=fields)

    done, to = _("Macro saved."), reverse("settings-canned")
    if saved := save_rule(request, form, [acts], write, done=done, to=to):
        return saved
    context: dict[str, Any] = {
        "section": "canned",
        "object": found,
        "actions": acts,
        "action_choices": [(n, label) for n, label in rules.action_choices() if n != "apply_macro"],
        "placeholders": [f"{{{{ {name} }}}}" for name in KNOWN_PLACEHOLDERS],
    }
    if found is None:
        context["page"] = selectors.shared_macros_page(actor(request), cursor=cursor_of(request))
        context["personal_count"] = selectors.personal_macro_count()
        return rule_page(request, "web/setup/macros.html", context, form=form, editors=[acts])
    return rule_page(request, "web/setup/macro.html", context, form=form, editors=[acts])


@settings_view
@require_http_methods(["GET", "POST"])
def macro_list(request: HttpRequest) -> HttpResponse:
    """The shared macros with their use, and a form to add one."""
    return _macro_page(request, None)


@settings_view
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    return _macro_page(request, selectors.get_canned(actor(request), response_id, shared=True))


@settings_view
@require_POST
def macro_delete(request: HttpRequest, response_id: int) -> HttpResponse:
    found = selectors.get_canned(actor(request), response_id, shared=True)
    try:
        delete_macro(actor(request), macro_id=found.pk)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Macro deleted."))
    return redirect("settings-canned")
