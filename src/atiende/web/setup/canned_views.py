"""Canned responses — macros edited for their text: one's own (account, any agent). A
macro's actions are kept as they are when its text is edited here. (The shared ones are the
settings' macros page, ``macro_views``.)

``shared`` picks which macros and which URLs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from atiende.automation.macros.services import create_macro, delete_macro, update_macro
from atiende.core.errors import AtiendeError
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import cursor_of, page, submit
from atiende.web.setup.forms import CannedResponseForm

URLS = {
    True: ("settings-canned", "settings-canned-edit", "settings-canned-delete"),
    False: ("account-canned", "account-canned-edit", "account-canned-delete"),
}


def _groups(request: HttpRequest) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in selectors.active_groups(actor(request))]


def canned_list(request: HttpRequest, *, shared: bool) -> HttpResponse:
    """The responses with a form to add one."""
    list_url, edit_url, delete_url = URLS[shared]
    form = CannedResponseForm(request.POST or None, groups=_groups(request))
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return create_macro(actor(request), shared=shared, **data)

        done = _("Canned response created.")
        if result := submit(request, form, write, done=done, to=reverse(list_url)):
            return result
    found = (selectors.shared_canned_page if shared else selectors.personal_canned_page)(
        actor(request), cursor=cursor_of(request)
    )
    context = {
        "section": "canned",
        "shared": shared,
        "page": found,
        "form": form,
        "edit_url": edit_url,
        "delete_url": delete_url,
        "base": "web/setup/base.html" if shared else "web/account/base.html",
    }
    return page(request, "web/setup/canned.html", context, form=form)


def canned_edit(request: HttpRequest, response_id: int, *, shared: bool) -> HttpResponse:
    list_url, _edit, delete_url = URLS[shared]
    found = selectors.get_canned(actor(request), response_id, shared=shared)
    initial = {
        "name": found.name,
        "body": found.body,
        "group_id": found.group_id,
        "is_active": found.is_active,
    }
    form = CannedResponseForm(request.POST or None, initial=initial, groups=_groups(request))
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return update_macro(actor(request), macro_id=found.pk, changes=data)

        done = _("Canned response saved.")
        if result := submit(request, form, write, done=done, to=reverse(list_url)):
            return result
    context = {
        "section": "canned",
        "object": found,
        "form": form,
        "delete_url": delete_url,
        "base": "web/setup/base.html" if shared else "web/account/base.html",
    }
    return page(request, "web/setup/edit.html", context, form=form)


def canned_delete(request: HttpRequest, response_id: int, *, shared: bool) -> HttpResponse:
    list_url = URLS[shared][0]
    found = selectors.get_canned(actor(request), response_id, shared=shared)
    try:
        delete_macro(actor(request), macro_id=found.pk)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Canned response deleted."))
    return redirect(list_url)
