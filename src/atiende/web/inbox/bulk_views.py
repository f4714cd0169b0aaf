"""The inbox's bulk action: confirm first when it is big, then a summary per ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from atiende.automation.macros.services import bulk_apply_macro
from atiende.core.errors import AtiendeError
from atiende.tickets import saved_views
from atiende.tickets.services.bulk import bulk_update
from atiende.web.common import HtmxHttpRequest, actor, apply_errors, staff_required
from atiende.web.inbox import bulk as bulk_helpers
from atiende.web.inbox.bulk import BulkSummary, bulk_change
from atiende.web.inbox.forms import BulkForm, tag_list
from atiende.web.inbox.views import safe_next


@staff_required
@require_POST
def bulk(request: HtmxHttpRequest) -> HttpResponse:
    """Apply one action to the selected tickets; answer with a per-ticket summary."""
    caller = actor(request)
    form = BulkForm(
        request.POST,
        choices=saved_views.filter_choices(caller),
        macros=bulk_helpers.bulk_macros(caller),
    )
    back = safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        if request.htmx:
            return render(request, "web/inbox/_bulk_errors.html", {"form": form}, status=422)
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        change = bulk_change(
            caller,
            action=data["action"],
            assignee=data.get("assignee") or "",
            status=data.get("status") or "",
            priority=data.get("priority") or "",
            add_tags=tag_list(data.get("add_tags") or ""),
            remove_tags=tag_list(data.get("remove_tags") or ""),
            merge_target=data.get("merge_target"),
        )
        count = len(data["ids"])
        confirmed = request.POST.get("confirmed", "")
        if not bulk_helpers.is_confirmed(change.action, confirmed=confirmed, count=count):
            ask = bulk_helpers.confirmation(caller, change, count=count)
            return _ask_first(request, ask, back)
        if change.action == "macro":
            # A macro's actions only, on each ticket: no reply text goes to many customers.
            outcome = bulk_apply_macro(caller, ticket_ids=data["ids"], macro_id=data["macro"])
        else:
            outcome = bulk_update(caller, ticket_ids=data["ids"], change=change)
        result = BulkSummary(
            outcome,
            action=change.action,
            target_number=bulk_helpers.target_number(caller, change),
        )
    except AtiendeError as error:
        if request.htmx:
            apply_errors(form, error)
            return render(
                request, "web/inbox/_bulk_errors.html", {"form": form}, status=error.status
            )
        messages.error(request, str(error.detail))
        return HttpResponseRedirect(back)
    if not request.htmx:
        level = messages.WARNING if result.failed else messages.SUCCESS
        messages.add_message(request, level, result.details())
        return HttpResponseRedirect(back)
    response = render(request, "web/inbox/_bulk_result.html", {"result": result})
    response["HX-Trigger"] = "inboxChanged"
    return response


def _ask_first(request: HtmxHttpRequest, ask: bulk_helpers.Confirmation, back: str) -> HttpResponse:
    """The question before a bulk close or merge: a panel inside the bulk form for htmx (its
    button re-posts the form, confirmed), a page of its own without JavaScript."""
    context = {"ask": ask, "token": f"{ask.action}:{ask.count}", "back": back}
    if request.htmx:
        return render(request, "web/inbox/_bulk_confirm.html", context)
    context["post"] = [
        (name, value)
        for name in ("ids", "action", "merge_target", "next")
        for value in request.POST.getlist(name)
    ]
    return render(request, "web/inbox/bulk_confirm.html", context)
