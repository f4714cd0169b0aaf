"""The inbox's requester and organization filters by name or email, not only by id.

The filters store ids (``requester_id``, ``organization_id``: the API's names, kept in saved
views). The form shows a text box for each: an agent types a name or an email, picks one of
the suggestions (``web/people_filter.js`` then fills in the id) or just applies the form, and
``resolve`` turns the text into the one matching id. Matching is the customer search's
(``search.customers``: every word starts a word of the name, or an email/domain prefix),
scoped to the people and organizations the agent may look up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from atiende.accounts.models import Organization, User, normalize_email
from atiende.accounts.selectors import visible_organizations, visible_users
from atiende.core.actor import Actor
from atiende.search.customers import customer_matches, organization_matches

# The text box → the id filter it fills in.
FIELDS = {"requester": "requester_id", "organization": "organization_id"}
SUGGESTIONS = 8
MAX_TEXT = 200


@dataclass(frozen=True)
class Option:
    pk: int
    label: str


def user_label(user: User) -> str:
    if user.email and user.name:
        return f"{user.name} <{user.email}>"
    return user.name or user.email or ""


def suggestions(actor: Actor, kind: str, text: str) -> list[Option]:
    """The first few customers or organizations matching ``text``, by name."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return []
    if kind == "organization":
        orgs = organization_matches(actor, text).order_by("name", "pk")[:SUGGESTIONS]
        return [Option(o.pk, o.name) for o in orgs]
    users = customer_matches(actor, text).order_by("name", "pk")[:SUGGESTIONS]
    return [Option(u.pk, user_label(u)) for u in users]


def label(actor: Actor, kind: str, pk: object) -> str:
    """What the text box shows for a stored id; empty for an id that is not a visible one."""
    value = str(pk or "")
    if not value.isdecimal() or len(value) > 18:
        return ""
    if kind == "organization":
        org: Organization | None = visible_organizations(actor).filter(pk=int(value)).first()
        return org.name if org is not None else ""
    user = visible_users(actor).filter(pk=int(value)).first()
    return user_label(user) if user is not None else ""


def _one(actor: Actor, kind: str, text: str) -> tuple[int | None, str]:
    """The id ``text`` names, or the reason it names none or several."""
    if kind == "organization":
        orgs = list(organization_matches(actor, text).values_list("pk", "name")[: SUGGESTIONS + 1])
        exact = [pk for pk, name in orgs if name.casefold() == text.casefold()]
        found = exact if len(exact) == 1 else [pk for pk, _name in orgs]
        nothing = _("No organization matches “%(text)s”.")
        several = _("Several organizations match “%(text)s”; type more or pick one from the list.")
    else:
        address = text.rpartition("<")[2].rstrip(">") if text.endswith(">") else text
        email = normalize_email(address) or ""
        users = list(customer_matches(actor, address).values_list("pk", "email")[: SUGGESTIONS + 1])
        exact = [pk for pk, mail in users if mail == email]
        found = exact if len(exact) == 1 else [pk for pk, _mail in users]
        nothing = _("No customer matches “%(text)s”.")
        several = _("Several customers match “%(text)s”; type more or pick one from the list.")
    if len(found) == 1:
        return found[0], ""
    return None, (nothing if not found else several) % {"text": text}


def resolve(actor: Actor, data: QueryDict) -> tuple[QueryDict, dict[str, str]]:
    """``data`` with each typed name turned into its id filter, and the errors by text box.

    A text box left as the stored id's label keeps the id; a cleared one clears it; anything
    else typed is looked up. A link that carries only the id (no text box) keeps the id.
    """
    data = data.copy()
    errors: dict[str, str] = {}
    for kind, id_name in FIELDS.items():
        if kind not in data:
            if data.get(id_name):
                data[kind] = label(actor, kind, data[id_name])
            continue
        text = " ".join(data.get(kind, "").split())[:MAX_TEXT]
        current = data.get(id_name, "")
        if not text:
            data.pop(id_name, None)
            continue
        if current and text == label(actor, kind, current):
            continue
        pk, problem = _one(actor, kind, text)
        if pk is None:
            data.pop(id_name, None)
            errors[kind] = problem
        else:
            data[id_name] = str(pk)
            data[kind] = label(actor, kind, pk)  # what a pick would show: kept as is next time
    return data, errors


def with_labels(actor: Actor, values: dict[str, object]) -> None:
    """Fill each text box from the id filter of ``values`` (a view's stored filters)."""
    for kind, id_name in FIELDS.items():
        if values.get(id_name) and not values.get(kind):
            values[kind] = label(actor, kind, values[id_name])
