"""Settings home, groups and agents. Admins only; every write is an ``accounts.services`` call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atiende.accounts.availability_selectors import availability_of
from atiende.accounts.models import User
from atiende.accounts.selectors import get_group
from atiende.accounts.services import (
    create_group,
    create_user,
    update_availability,
    update_group,
    update_user,
)
from atiende.core.errors import AtiendeError
from atiende.web.account.passwords import send_invitation
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import cursor_of, page, settings_view, submit
from atiende.web.setup.forms import AgentForm, CapacityForm, GroupForm, NewAgentForm
from atiende.web.setup.group_views import group_rule_forms


@settings_view
def home(request: HttpRequest) -> HttpResponse:
    """The sections of the workspace settings."""
    return page(request, "web/setup/home.html", {"section": "home"})


def _members(request: HttpRequest) -> list[tuple[int, str]]:
    return selectors.staff_choices(actor(request))


@settings_view
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest) -> HttpResponse:
    """The groups, with a form to add one."""
    form = GroupForm(request.POST or None, members=_members(request))
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return create_group(actor(request), **data)

        done = submit(request, form, write, done=_("Group created."), to=reverse("settings-groups"))
        if done:
            return done
    found = selectors.groups_page(actor(request), cursor=cursor_of(request))
    context = {"section": "groups", "page": found, "form": form}
    return page(request, "web/setup/groups.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def group(request: HttpRequest, group_id: int) -> HttpResponse:
    """Edit a group: name, address, active, and who belongs to it."""
    found = get_group(actor(request), group_id)
    initial = {
        "name": found.name,
        "description": found.description,
        "email": found.email,
        "is_active": found.is_active,
        "member_ids": [m.pk for m in found.members.all()],
    }
    form = GroupForm(request.POST or None, initial=initial, members=_members(request))
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return update_group(actor(request), group_id=found.pk, changes=data)

        done = submit(request, form, write, done=_("Group saved."), to=reverse("settings-groups"))
        if done:
            return done
    context = {"section": "groups", "group": found, "form": form, **group_rule_forms(found.pk)}
    return page(request, "web/setup/group.html", context, form=form)


@settings_view
def agents(request: HttpRequest) -> HttpResponse:
    """Agents and administrators, suspended ones included."""
    q = request.GET.get("q", "")
    found = selectors.staff_page(actor(request), q=q, cursor=cursor_of(request))
    context = {"section": "agents", "page": found, "q": q}
    return page(request, "web/setup/agents.html", context)


@settings_view
@require_http_methods(["GET", "POST"])
def agent_new(request: HttpRequest) -> HttpResponse:
    """Create an agent and, by default, email them a link to choose their password."""
    me = actor(request)
    initial = {"locale": "", "time_zone": "UTC"}
    if me.user is not None:
        initial["time_zone"] = me.user.time_zone
    form = NewAgentForm(request.POST or None, initial=initial, groups=selectors.group_choices())
    if request.method == "POST":
        created: list[User] = []

        def write(data: dict[str, Any]) -> object:
            fields = {k: v for k, v in data.items() if k != "send_invitation"}
            created.append(create_user(me, **fields))
            return created[-1]

        done = submit(request, form, write, done=_("Agent created."), to=reverse("settings-agents"))
        if done:
            if form.cleaned_data.get("send_invitation"):
                send_invitation(request, created[0])
                messages.info(request, _("An invitation was sent to %s.") % created[0].email)
            return done
    return page(request, "web/setup/agent.html", {"section": "agents", "form": form}, form=form)


def _agent_form(agent: User, data: Any = None) -> AgentForm:
    initial = {
        "name": agent.name,
        "email": agent.email,
        "role": agent.role,
        "group_ids": [g.pk for g in agent.groups.all()],
        "locale": agent.locale,
        "time_zone": agent.time_zone,
        "two_factor_required": agent.two_factor_required,
    }
    return AgentForm(data, initial=initial, groups=selectors.group_choices())


def _capacity_form(request: HttpRequest, agent: User, data: Any = None) -> CapacityForm | None:
    """The agent's capacities as saved, for an active agent (a suspended one gets none)."""
    if not agent.is_active:
        return None
    row = availability_of(actor(request), agent.pk)
    initial = {"capacity": row.capacity, "chat_capacity": row.chat_capacity}
    return CapacityForm(data, initial=initial)


@settings_view
@require_http_methods(["GET", "POST"])
def agent(request: HttpRequest, user_id: int) -> HttpResponse:
    """Edit an agent's name, email, role, groups, language and time zone."""
    found = selectors.get_staff_member(actor(request), user_id)
    form = _agent_form(found, request.POST or None)
    if request.method == "POST":

        def write(data: dict[str, Any]) -> object:
            return update_user(actor(request), user_id=found.pk, changes=data)

        done = submit(request, form, write, done=_("Agent saved."), to=reverse("settings-agents"))
        if done:
            return done
    context = {
        "section": "agents",
        "agent": found,
        "form": form,
        "capacity_form": _capacity_form(request, found),
    }
    return page(request, "web/setup/agent.html", context, form=form)


@settings_view
@require_POST
def agent_capacity(request: HttpRequest, user_id: int) -> HttpResponse:
    """Set the agent's ticket and chat capacity (empty: no limit); errors next to the fields
    on the agent's page."""
    found = selectors.get_staff_member(actor(request), user_id)
    capacity_form = _capacity_form(request, found, request.POST)
    if capacity_form is None:
        messages.error(request, _("A suspended agent is given no tickets."))
        return redirect("settings-agent", user_id=found.pk)

    def write(data: dict[str, Any]) -> object:
        return update_availability(actor(request), user_id=found.pk, changes=data)

    done = _("Capacity saved.")
    to = reverse("settings-agent", args=[found.pk])
    if saved := submit(request, capacity_form, write, done=done, to=to):
        return saved
    context = {
        "section": "agents",
        "agent": found,
        "form": _agent_form(found),
        "capacity_form": capacity_form,
    }
    return page(request, "web/setup/agent.html", context, form=capacity_form)


@settings_view
@require_POST
def agent_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Suspend (``active=0``) or reactivate (``active=1``) an agent."""
    found = selectors.get_staff_member(actor(request), user_id)
    active = request.POST.get("active") == "1"
    try:
        update_user(actor(request), user_id=found.pk, changes={"is_active": active})
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Agent reactivated.") if active else _("Agent suspended."))
    return redirect("settings-agent", user_id=found.pk)
