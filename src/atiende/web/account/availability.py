"""An agent's availability from the workspace: the status switch in the header (online, away,
offline), their out-of-office periods on their account page, and their workload — open chats
and tickets against the capacities an administrator set — in the switch's menu and on their
account page.

The writes go through ``accounts.services`` (``set_agent_status``, ``add_out_of_office``,
``end_out_of_office``), which announce the change so assignment can drain the backlog. The
workload is read only (``tickets.workload.own_workload``): capacities are set by
administrators, in Settings → Agents.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.accounts.models import AgentStatus
from atiende.accounts.selectors import effective_status, own_out_of_office
from atiende.accounts.services import add_out_of_office, end_out_of_office, set_agent_status
from atiende.core.errors import AtiendeError
from atiende.tickets.workload import own_workload
from atiende.web.account.forms import OutOfOfficeForm
from atiende.web.common import HtmxHttpRequest, actor, current_user
from atiende.web.setup.common import account_view, page, submit

SESSION_KEY = "agent_status"


def menu_context(status: str) -> dict[str, Any]:
    """What the switch shows: the status, its name, and the three choices."""
    labels = dict(AgentStatus.choices)
    return {
        "status": status if status in labels else "",
        "label": str(labels.get(status, _("Status"))),
        "choices": [(value, str(name)) for value, name in AgentStatus.choices],
    }


def _menu(
    request: HtmxHttpRequest, status: str, *, error: str = "", code: int = 200
) -> HttpResponse:
    context = {"show": True, **menu_context(status), "error": error, "back_to": _page(request)}
    return render(request, "web/account/_status_menu.html", context, status=code)


def _page(request: HtmxHttpRequest) -> str:
    """The page the menu is on: for htmx the browser's page (``HX-Current-URL``), not this
    view's own URL, so the menu's no-script form still goes back where the agent was."""
    current = request.htmx.current_url if request.htmx else None
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _back(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(wanted if safe and wanted else reverse("inbox"))


@account_view
@require_http_methods(["GET", "POST"])
def status(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the switch with the agent's status now (remembered in the session). POST: set it."""
    me = current_user(request)
    if request.method == "GET":
        now_status = effective_status(me.pk, timezone.now())
        request.session[SESSION_KEY] = now_status
        return _menu(request, now_status)
    chosen = request.POST.get("status", "")
    try:
        row = set_agent_status(actor(request), user_id=me.pk, status=chosen)
    except AtiendeError as error:
        if request.htmx:
            held = str(request.session.get(SESSION_KEY, ""))
            return _menu(request, held, error=str(error.detail), code=error.status)
        messages.error(request, str(error.detail))
        return _back(request)
    request.session[SESSION_KEY] = str(row.status)
    if request.htmx:
        return _menu(request, str(row.status))
    messages.success(
        request, _("Your status is now %(status)s.") % {"status": row.get_status_display()}
    )
    return _back(request)


@account_view
@require_GET
def workload(request: HtmxHttpRequest) -> HttpResponse:
    """The agent's own open chats and tickets against their capacities: the status menu loads
    it as a fragment each time it opens (htmx); without scripts, a page of their account."""
    context = {"section": "workload", "load": own_workload(actor(request))}
    if request.htmx:
        return render(request, "web/account/_workload.html", context)
    return page(request, "web/account/workload.html", context)


@account_view
@require_http_methods(["GET", "POST"])
def out_of_office(request: HttpRequest) -> HttpResponse:
    """The agent's periods away: the current and coming ones, and a form to add one."""
    me = current_user(request)
    form = OutOfOfficeForm(request.POST or None)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return add_out_of_office(
                actor(request),
                user_id=me.pk,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data.get("note") or "",
            )

        done = gettext_lazy("Out-of-office period added.")
        if result := submit(request, form, write, done=done, to=reverse("account-away")):
            return result
    context = {
        "section": "away",
        "form": form,
        "periods": own_out_of_office(me.pk, timezone.now()),
        "now": timezone.now(),
    }
    return page(request, "web/account/out_of_office.html", context, form=form)


@account_view
@require_POST
def out_of_office_end(request: HttpRequest, period_id: int) -> HttpResponse:
    """Remove a coming period, or end the current one now (back early)."""
    end_out_of_office(actor(request), period_id=period_id)
    messages.success(request, _("Out-of-office period removed."))
    return redirect("account-away")
