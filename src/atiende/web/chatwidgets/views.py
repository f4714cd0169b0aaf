"""Chat widget settings (admins): list, create, edit, activate or deactivate, delete one that
never had a chat; the tag a site embeds, ready to copy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from atiende.core.errors import AtiendeError
from atiende.messaging.chat import widget_selectors as selectors
from atiende.messaging.chat import widgets as services
from atiende.messaging.models import ChatWidget
from atiende.web.chatwidgets.forms import ChatWidgetForm, apply_widget_errors
from atiende.web.common import actor
from atiende.web.setup.common import cursor_of, page, settings_view
from atiende.web.setup.record_actions import RecordActions, group_choices

SECTION = "chat-widgets"
TEMPLATE = "web/chatwidgets/widget.html"


@settings_view
@require_GET
def widget_list(request: HttpRequest) -> HttpResponse:
    found = selectors.list_widgets(actor(request), cursor=cursor_of(request))
    return render(request, "web/chatwidgets/list.html", {"section": SECTION, "page": found})


@settings_view
@require_http_methods(["GET", "POST"])
def widget_create(request: HttpRequest) -> HttpResponse:
    initial = ChatWidgetForm.initial_for(ChatWidget(prechat_fields=services.DEFAULT_PRECHAT))
    form = ChatWidgetForm(request.POST or None, initial=initial, groups=group_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_widget(actor(request), **form.service_data())
        except AtiendeError as error:
            apply_widget_errors(form, error)
        else:
            messages.success(
                request, _("Chat widget created. Put the tag below on the pages of your site.")
            )
            return redirect("chat-widget", widget_id=created.pk)
    return page(request, TEMPLATE, {"section": SECTION, "form": form, "widget": None}, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def widget_edit(request: HttpRequest, widget_id: int) -> HttpResponse:
    caller = actor(request)
    widget = selectors.get_widget(caller, widget_id)
    form = ChatWidgetForm(
        request.POST or None,
        initial=ChatWidgetForm.initial_for(widget),
        groups=group_choices(request),
        stored_prechat=widget.prechat_fields,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_widget(caller, widget_id=widget.pk, changes=form.service_data())
        except AtiendeError as error:
            apply_widget_errors(form, error)
        else:
            messages.success(request, _("Chat widget saved."))
            return redirect("chat-widget", widget_id=widget.pk)
    return page(request, TEMPLATE, _context(widget, form), form=form)


def _context(widget: ChatWidget, form: ChatWidgetForm) -> dict[str, Any]:
    return {
        "section": SECTION,
        "form": form,
        "widget": widget,
        "snippet": selectors.embed_snippet(widget),
    }


ACTIONS = RecordActions(
    id_arg="widget_id",
    page="chat-widget",
    listing="chat-widgets",
    switched_on=gettext_lazy("The widget is active: the sites that embed it show it."),
    switched_off=gettext_lazy("The widget is inactive: no site shows it any more."),
    deleted=gettext_lazy("Chat widget deleted."),
)
widget_active = ACTIONS.switch_view(
    lambda caller, pk, active: services.update_widget(
        caller, widget_id=pk, changes={"active": active}
    ),
    "Activate (``active=1``) or deactivate the widget.",
)
widget_delete = ACTIONS.delete_view(lambda caller, pk: services.delete_widget(caller, widget_id=pk))
