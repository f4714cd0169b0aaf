"""The switch and the delete button of a configured record's settings page (a channel account,
a chat widget): the same shape for each, written once.

Both are POST-only admin views (``settings_view``, CSRF as every form) that call one service
and go back with a message: the switch to the record's page, the delete to the list — or,
when the service refuses (``AtiendeError``: the record is in use), to the record's page with
the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError
from atiende.web.common import actor
from atiende.web.setup import selectors as setup_selectors
from atiende.web.setup.common import settings_view

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

type Text = str | StrPromise
type View = Callable[..., HttpResponse]
Switch = Callable[[Actor, int, bool], object]
Delete = Callable[[Actor, int], object]


def group_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """The active groups a record can be routed to, as a form's choices."""
    return [(g.pk, g.name) for g in setup_selectors.active_groups(actor(request))]


@dataclass(frozen=True)
class RecordActions:
    """Where one kind of record's actions lead and what they say."""

    id_arg: str  # the URL's keyword for the record's id ("account_id")
    page: str  # the URL name of the record's page
    listing: str  # the URL name of the list of such records
    switched_on: Text
    switched_off: Text
    deleted: Text

    def page_of(self, record_id: int) -> str:
        return reverse(self.page, kwargs={self.id_arg: record_id})

    def switch_view(self, switch: Switch, doc: str) -> View:
        """A view that turns the record on (``active=1``) or off through ``switch``."""

        @settings_view
        @require_POST
        def view(request: HttpRequest, **ids: int) -> HttpResponse:
            record_id = ids[self.id_arg]
            active = request.POST.get("active") == "1"
            switch(actor(request), record_id, active)
            messages.success(request, self.switched_on if active else self.switched_off)
            return redirect(self.page_of(record_id))

        view.__doc__ = doc
        return view

    def delete_view(self, delete: Delete) -> View:
        """A view that deletes the record through ``delete``, or says why it may not."""

        @settings_view
        @require_POST
        def view(request: HttpRequest, **ids: int) -> HttpResponse:
            record_id = ids[self.id_arg]
            try:
                delete(actor(request), record_id)
            except AtiendeError as error:
                messages.error(request, str(error.detail))
                return redirect(self.page_of(record_id))
            messages.success(request, self.deleted)
            return redirect(self.listing)

        return view
