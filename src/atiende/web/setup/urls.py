"""URLs of the workspace settings (admins only)."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from atiende.web.setup import (
    calendar_views,
    config_views,
    group_views,
    macro_views,
    sla_views,
    timed_views,
    trigger_views,
    views,
)

urlpatterns = [
    path("settings/", views.home, name="settings-home"),
    path("settings/groups/", views.groups, name="settings-groups"),
    path("settings/groups/<int:group_id>/", views.group, name="settings-group"),
    path("settings/agents/", views.agents, name="settings-agents"),
    path("settings/agents/new/", views.agent_new, name="settings-agent-new"),
    path("settings/agents/<int:user_id>/", views.agent, name="settings-agent"),
    path("settings/agents/<int:user_id>/active/", views.agent_active, name="settings-agent-active"),
    path(
        "settings/agents/<int:user_id>/capacity/",
        views.agent_capacity,
        name="settings-agent-capacity",
    ),
    path("settings/statuses/", config_views.statuses, name="settings-statuses"),
    path("settings/statuses/<int:status_id>/", config_views.status, name="settings-status"),
    path("settings/priorities/", config_views.priorities, name="settings-priorities"),
    path("settings/priorities/<int:priority_id>/", config_views.priority, name="settings-priority"),
    path("settings/tags/", config_views.tags, name="settings-tags"),
    path("settings/tags/<int:tag_id>/delete/", config_views.tag_delete, name="settings-tag-delete"),
    path("settings/categories/", config_views.categories, name="settings-categories"),
    path("settings/categories/<int:category_id>/", config_views.category, name="settings-category"),
    path("settings/fields/", config_views.custom_fields, name="settings-fields"),
    path("settings/fields/<int:field_id>/", config_views.custom_field, name="settings-field"),
    # Canned responses became macros: the old addresses lead to the new ones.
    path("settings/canned/", RedirectView.as_view(url="/settings/macros/", permanent=True)),
    path(
        "settings/canned/<int:response_id>/",
        RedirectView.as_view(pattern_name="settings-canned-edit", permanent=True),
    ),
    path("settings/macros/", macro_views.macro_list, name="settings-canned"),
    path(
        "settings/macros/<int:response_id>/",
        macro_views.macro_edit,
        name="settings-canned-edit",
    ),
    path(
        "settings/macros/<int:response_id>/delete/",
        macro_views.macro_delete,
        name="settings-canned-delete",
    ),
    path("settings/triggers/", trigger_views.trigger_list, name="settings-triggers"),
    path("settings/triggers/new/", trigger_views.trigger_new, name="settings-trigger-new"),
    path(
        "settings/triggers/<int:trigger_id>/", trigger_views.trigger_edit, name="settings-trigger"
    ),
    path(
        "settings/triggers/<int:trigger_id>/move/",
        trigger_views.trigger_move,
        name="settings-trigger-move",
    ),
    path(
        "settings/triggers/<int:trigger_id>/delete/",
        trigger_views.trigger_delete,
        name="settings-trigger-delete",
    ),
    path(
        "settings/triggers/<int:trigger_id>/dry-run/",
        trigger_views.trigger_dry_run,
        name="settings-trigger-dry-run",
    ),
    path("settings/sla/", sla_views.policy_list, name="settings-sla"),
    path("settings/sla/new/", sla_views.policy_new, name="settings-sla-new"),
    path("settings/sla/<int:policy_id>/", sla_views.policy_edit, name="settings-sla-policy"),
    path("settings/sla/<int:policy_id>/move/", sla_views.policy_move, name="settings-sla-move"),
    path(
        "settings/sla/<int:policy_id>/delete/", sla_views.policy_delete, name="settings-sla-delete"
    ),
    path("settings/calendars/", calendar_views.calendar_list, name="settings-calendars"),
    path("settings/calendars/new/", calendar_views.calendar_new, name="settings-calendar-new"),
    path(
        "settings/calendars/<int:calendar_id>/",
        calendar_views.calendar_edit,
        name="settings-calendar",
    ),
    path(
        "settings/calendars/<int:calendar_id>/delete/",
        calendar_views.calendar_delete,
        name="settings-calendar-delete",
    ),
    path(
        "settings/groups/<int:group_id>/calendar/",
        group_views.group_calendar,
        name="settings-group-calendar",
    ),
    path(
        "settings/groups/<int:group_id>/assignment/",
        group_views.group_assignment,
        name="settings-group-assignment",
    ),
    path("settings/automations/", timed_views.timed_list, name="settings-timed"),
    path("settings/automations/new/", timed_views.timed_new, name="settings-timed-new"),
    path("settings/automations/<int:rule_id>/", timed_views.timed_edit, name="settings-timed-rule"),
    path(
        "settings/automations/<int:rule_id>/delete/",
        timed_views.timed_delete,
        name="settings-timed-delete",
    ),
]
