"""Checks and cleaning shared by the accounts services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from atiende.accounts import store
from atiende.accounts.models import Organization, normalize_email
from atiende.core.errors import Invalid
from atiende.core.text import clean_text


def clean_email(email: str, field: str = "email") -> str:
    value = normalize_email(clean_text(email))
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid.field(field, _("Enter a valid email address.")) from None
    assert value is not None
    return value


def organization_for_email(email: str) -> Organization | None:
    domain = email.rpartition("@")[2]
    # Runs for every new customer (each new email sender): the statement is built once.
    return store.organization_by_domain(domain)
