"""/automation/actions and /automation/conditions: what rule editors may offer.

Clients build trigger, time-based rule, macro and SLA policy editors from these lists instead
of hard-coding them. Staff only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from atiende.api.auth import actor
from atiende.api.schemas.automation import ActionTypeOut, ConditionsOut
from atiende.api.schemas.common import errors
from atiende.automation import config_selectors

router = Router(tags=["automation"])


@router.get("/automation/actions", response={200: list[ActionTypeOut], **errors(403)})
def actions(request: HttpRequest) -> Any:
    """The action types (``{"type": name, ...}`` in a rule's ``actions``), by name."""
    return config_selectors.action_vocabulary(actor(request))


@router.get("/automation/conditions", response={200: ConditionsOut, **errors(403)})
def conditions(request: HttpRequest) -> Any:
    """Trigger condition fields with their types, operators and values; SLA policy fields."""
    return config_selectors.condition_vocabulary(actor(request))
