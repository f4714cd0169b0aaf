"""What a rule, a macro or an escalation level can do to a ticket, as data.

An action is a JSON object ``{"type": "<name>", ...parameters}``. Each type is registered once
(``registry.action``) by the module that implements it, with a validator that refuses bad
parameters naming the part and a runner that acts through ``tickets.services`` with the
caller's ``Actor`` (a rule's, a macro's, an escalation level's). Triggers, macros and SLA
escalation all validate and run their action lists through ``registry`` — one vocabulary.

The modules below register their types on import.
"""

from atiende.automation.actions.registry import (
    ActionContext,
    action,
    action_types,
    plan_actions,
    run_actions,
    validate_actions,
)

__all__ = [
    "ActionContext",
    "action",
    "action_types",
    "plan_actions",
    "run_actions",
    "validate_actions",
]

from atiende.automation.actions import (
    assign,  # noqa: F401  (registers assign)
    email,  # noqa: F401  (registers email)
    fields,  # noqa: F401  (registers set_status, …)
    macro,  # noqa: F401  (registers apply_macro)
    notes,  # noqa: F401  (registers add_note)
    notify,  # noqa: F401  (registers notify)
    tags,  # noqa: F401  (registers add_tags, remove_tags)
)
