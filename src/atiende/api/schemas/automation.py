"""Trigger, time-based rule, macro, assignment and availability schemas.

Conditions and actions are JSON objects checked by the automation services, which name every
bad part (``conditions.all[2].operator``, ``actions[0].value``); the lists of fields,
operators and action types are published at ``/automation/conditions`` and
``/automation/actions``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from atiende.api.schemas.common import (
    BodyIn,
    Clean,
    Id,
    LongText,
    Name,
    Page,
    Timestamp,
    UpdateIn,
    Version,
)
from atiende.api.schemas.sla import Part

Order = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Minutes = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
KindName = Literal["created", "updated", "message"]
ConditionsIn = Annotated[
    Part, Field(description='{"all": [{field, operator, value}], "any": [...]}.')
]
ActionsIn = Annotated[list[Part], Field(max_length=50, description="See GET /automation/actions.")]
TimedConditionName = Literal["status", "unassigned", "no_customer_reply"]
StatusCategoryName = Literal["new", "open", "pending", "on_hold", "solved", "closed", "cancelled"]
StrategyName = Literal["manual", "round_robin", "least_load", "skills", "affinity"]
FallbackName = Literal["round_robin", "least_load", "skills"]
AgentStatusName = Literal["online", "away", "offline"]
LanguageCode = Annotated[str, Clean, StringConstraints(max_length=16)]
SkillTag = Annotated[str, Clean, StringConstraints(max_length=100)]
Note = Annotated[str, Clean, StringConstraints(max_length=200)]
# JSON has no date type: a body's instant is ISO 8601 text, parsed despite the strict bodies.
Instant = Annotated[Timestamp, Field(strict=False)]


class TriggerOut(Schema):
    id: int
    name: str
    active: bool
    order: int
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    fired_count: int
    last_fired_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


TriggerPage = Page[TriggerOut]


class TriggerDetailOut(TriggerOut):
    """One trigger with ``loop_warnings``: active rules it may set off endlessly with (each
    changes what the other looks at). A warning, not a refusal: at run time a chain stops after
    a bounded depth and the history says so."""

    loop_warnings: list[str]

    @staticmethod
    def resolve_loop_warnings(obj: Any) -> list[str]:
        from atiende.automation.triggers.loops import possible_loops

        return possible_loops(conditions=obj.conditions, actions=obj.actions, exclude_id=obj.pk)


class TriggerCreateIn(BodyIn):
    name: Name
    conditions: ConditionsIn = Field(default_factory=dict)
    actions: ActionsIn
    active: bool = True
    order: Order | None = Field(None, description="Default: after the others.")


class TriggerUpdateIn(UpdateIn):
    name: Name | None = None
    conditions: ConditionsIn | None = None
    actions: ActionsIn | None = None
    active: bool | None = None
    order: Order | None = None


class DryRunIn(BodyIn):
    ticket_id: Id
    kind: KindName = Field("updated", description="The event the rule is tried on.")


class DefinitionDryRunIn(DryRunIn):
    conditions: ConditionsIn = Field(default_factory=dict)
    actions: ActionsIn


class ConditionResultOut(Schema):
    part: str
    condition: dict[str, Any]
    result: bool


class ChangeOut(Schema):
    field: str
    old: Any
    new: Any


class ActionPreviewOut(Schema):
    action: dict[str, Any]
    changes: list[ChangeOut]
    messages: list[dict[str, Any]]
    notes: list[str]
    error: str


class DryRunOut(Schema):
    """What the rule would do; nothing is written."""

    matches: bool
    conditions: list[ConditionResultOut]
    actions: list[ActionPreviewOut]


class TimedRuleOut(Schema):
    id: int
    name: str
    active: bool
    order: int
    condition: str
    status_category: str
    minutes: int
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    fired_count: int
    last_fired_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


TimedRulePage = Page[TimedRuleOut]


class TimedRuleCreateIn(BodyIn):
    name: Name
    condition: TimedConditionName
    minutes: Minutes = Field(description="How long the condition must last (1 minute to a year).")
    actions: ActionsIn
    status_category: StatusCategoryName | Literal[""] = Field(
        "", description="For ``status``: which category (pending, solved…)."
    )
    conditions: ConditionsIn = Field(default_factory=dict)
    active: bool = True
    order: Order = 0


class TimedRuleUpdateIn(UpdateIn):
    name: Name | None = None
    condition: TimedConditionName | None = None
    minutes: Minutes | None = None
    actions: ActionsIn | None = None
    status_category: StatusCategoryName | Literal[""] | None = None
    conditions: ConditionsIn | None = None
    active: bool | None = None
    order: Order | None = None


class MacroOut(Schema):
    id: int
    name: str
    body: str
    actions: list[dict[str, Any]]
    visibility: Literal["personal", "group", "shared"]
    owner_id: int | None
    group_id: int | None
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_visibility(obj: Any) -> str:
        if obj.owner_id is not None:
            return "personal"
        return "group" if obj.group_id is not None else "shared"


MacroPage = Page[MacroOut]


class MacroFiltersIn(Schema):
    q: Annotated[str, Clean, StringConstraints(max_length=500)] = ""
    active: bool | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, Clean, StringConstraints(max_length=500)] | None = None


class MacroCreateIn(BodyIn):
    name: Name
    body: LongText = Field("", description="Markdown with {{ ticket.number }}-style placeholders.")
    actions: ActionsIn = Field(default_factory=list)
    shared: bool = Field(False, description="Shared (admins) or personal to you.")
    group_id: Id | None = Field(None, description="For a shared macro: only this group's agents.")
    is_active: bool = True


class MacroUpdateIn(UpdateIn):
    nullable = frozenset({"group_id"})
    name: Name | None = None
    body: LongText | None = None
    actions: ActionsIn | None = None
    group_id: Id | None = None
    is_active: bool | None = None


class MacroApplyIn(BodyIn):
    version: Version | None = Field(
        None, description="The ticket version you saw; a stale one is a 409 and nothing applies."
    )


class MacroAppliedOut(Schema):
    text: str = Field(description="The macro's text filled in, for the composer.")


class AssignmentOut(Schema):
    group_id: int
    strategy: str
    fallback: str
    match_language: bool


class AssignmentIn(BodyIn):
    strategy: StrategyName
    fallback: FallbackName | None = None
    match_language: bool | None = None


class AvailabilityOut(Schema):
    user_id: int
    status: str = Field(description="As chosen by the agent.")
    effective_status: str = Field(
        description="As assignment sees it now: idle agents are away, out of office offline."
    )
    languages: list[str]
    skill_tags: list[str]
    skill_categories: list[int]
    capacity: int | None
    chat_capacity: int | None = Field(
        description="Open chats at once, counted apart from the tickets of ``capacity``."
    )


class AvailabilityIn(UpdateIn):
    """Only the fields present change; agents set their status and languages, admins the rest."""

    nullable = frozenset({"capacity", "chat_capacity"})
    status: AgentStatusName | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=50)
    skill_tags: list[SkillTag] | None = Field(default=None, max_length=200)
    skill_categories: list[Id] | None = Field(default=None, max_length=200)
    capacity: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] | None = None
    chat_capacity: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] | None = None


class OutOfOfficeOut(Schema):
    id: int
    user_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    note: str
    returned_at: datetime.datetime | None


OutOfOfficePage = Page[OutOfOfficeOut]


class OutOfOfficeIn(BodyIn):
    starts_at: Instant = Field(description="ISO 8601, e.g. 2026-12-20T00:00:00Z.")
    ends_at: Instant
    note: Note = ""


class ActionTypeOut(Schema):
    name: str
    label: str


class ConditionFieldOut(Schema):
    name: str
    type: str
    operators: list[str]
    choices: list[str] | None


class SlaConditionFieldOut(Schema):
    name: str
    operators: list[str]


class ConditionsOut(Schema):
    """The vocabulary of rule editors: trigger fields (with ``custom.<key>``,
    ``customer.<key>`` and ``organization.<key>`` for custom fields) and SLA policy fields."""

    trigger_fields: list[ConditionFieldOut]
    operators_without_value: list[str]
    sla_fields: list[SlaConditionFieldOut]
