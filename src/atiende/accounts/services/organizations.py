"""Organizations: the companies customers belong to, and the email domains that place them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.accounts import custom_fields as account_fields
from atiende.accounts.models import Organization, OrganizationDomain
from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.folding import fold
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, conflict, save_unique
from atiende.core.text import clean_text

LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
TLD_RE = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
MAX_DOMAIN = 253
ORG_FIELDS = {"name", "domains", "shared_tickets", "notes", "custom_fields"}


def clean_domain(value: str, field: str = "domains") -> str:
    """A lower-case DNS name with at least two labels; international names become punycode."""
    text = clean_text(value).strip().lower().removeprefix("@").rstrip(".")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        text = ""
    labels = text.split(".")
    if (
        len(text) > MAX_DOMAIN
        or len(labels) < 2
        or not all(LABEL_RE.fullmatch(label) for label in labels)
        or not TLD_RE.fullmatch(labels[-1])
    ):
        raise Invalid.field(
            field, _("“%(domain)s” is not a valid domain such as example.com.") % {"domain": value}
        )
    return text


def _taken() -> str:
    return _("An organization with this name already exists.")


def _name(value: str, org: Organization | None) -> str:
    name = clean_name(value, "name", max_length=200, required=True)
    same = Organization.objects.filter(name__iexact=name)
    if org is not None:
        same = same.exclude(pk=org.pk)
    if same.exists():
        raise conflict("name", _taken())
    return name


def _set_domains(org: Organization, domains: Iterable[str]) -> None:
    """Replace the organization's domains; a domain owned elsewhere is a 409 naming it."""
    wanted = list(dict.fromkeys(clean_domain(d) for d in domains))
    taken = (
        OrganizationDomain.objects.filter(domain__in=wanted)
        .exclude(organization=org)
        .order_by("domain")
        .first()
    )
    if taken is not None:
        raise conflict(
            "domains",
            _("The domain %(domain)s already belongs to another organization.")
            % {"domain": taken.domain},
        )
    OrganizationDomain.objects.filter(organization=org).exclude(domain__in=wanted).delete()
    have = set(org.domains.values_list("domain", flat=True))
    try:
        with transaction.atomic():
            OrganizationDomain.objects.bulk_create(
                OrganizationDomain(organization=org, domain=d) for d in wanted if d not in have
            )
    except IntegrityError:
        raise conflict(
            "domains", _("One of the domains was just taken by another organization.")
        ) from None


@transaction.atomic
def create_organization(
    actor: Actor,
    *,
    name: str,
    domains: Iterable[str] = (),
    shared_tickets: bool = False,
    notes: str = "",
    custom_fields: dict[str, Any] | None = None,
) -> Organization:
    require_admin(actor)
    cleaned = _name(name, None)
    org = Organization(
        name=cleaned,
        folded_name=fold(cleaned),
        shared_tickets=shared_tickets,
        notes=clean_text(notes),
        custom_fields=account_fields.clean("organization", custom_fields or {}),
    )
    save_unique(org, field="name", message=_taken())
    _set_domains(org, domains)
    return org


@transaction.atomic
def update_organization(
    actor: Actor, *, organization_id: int, changes: dict[str, Any]
) -> Organization:
    require_admin(actor)
    org = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if org is None:
        raise NotFound(_("Organization not found."))
    check_changes(changes, allowed=ORG_FIELDS)
    updated: list[str] = []
    if "name" in changes:
        org.name = _name(changes["name"], org)
        org.folded_name = fold(org.name)
        updated += ["name", "folded_name"]
    if "shared_tickets" in changes:
        org.shared_tickets = bool(changes["shared_tickets"])
        updated.append("shared_tickets")
    if "notes" in changes:
        org.notes = clean_text(changes["notes"])
        updated.append("notes")
    if "custom_fields" in changes:
        org.custom_fields = account_fields.clean(
            "organization", changes["custom_fields"], current=org.custom_fields
        )
        updated.append("custom_fields")
    if updated:
        save_unique(org, field="name", message=_taken(), update_fields=[*updated, "updated_at"])
    if "domains" in changes:
        _set_domains(org, changes["domains"])
    return org
