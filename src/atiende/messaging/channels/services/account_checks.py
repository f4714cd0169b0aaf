"""An account's settings and secrets checked against what its provider asks for
(``registry.account_fields``): known names, the required ones present, numbers, yes/no and
web addresses readable.

The settings screen and the API ask for this check (``check_fields=True``); scripts and tests
may build an account in steps without it (an incomplete account accepts no webhook: its
signature check fails and the payload waits in quarantine).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector
from atiende.messaging.channels import registry
from atiende.messaging.channels.account_fields import AccountField

TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})
MAX_NUMBER = 1_000_000


def check_account_fields(
    errors: ErrorCollector,
    provider: str,
    settings: Mapping[str, str],
    secrets: Mapping[str, str],
    *,
    stored: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {}),
) -> None:
    """Add a field error (``settings.<name>`` / ``secrets.<name>``) for each problem.

    ``stored`` are the account's settings and secrets before this change: a name it already
    had is kept even if the provider does not declare it (set from a script), a new one must
    be declared (a typo is named, not stored)."""
    spec = registry.account_fields(provider)
    if spec is None:
        errors.add("provider", _("This provider is not configured in the settings."))
        return
    _check_group(errors, "settings", spec.settings, settings, stored[0])
    _check_group(errors, "secrets", spec.secrets, secrets, stored[1])
    for names in spec.one_of:
        if not any(settings.get(name) for name in names):
            errors.add(
                f"settings.{names[0]}",
                _("Give one of: %(names)s.") % {"names": ", ".join(names)},
            )


def _check_group(
    errors: ErrorCollector,
    group: str,
    declared: tuple[AccountField, ...],
    given: Mapping[str, str],
    stored: Mapping[str, str],
) -> None:
    by_name = {item.name: item for item in declared}
    for name in given:
        if name not in by_name and name not in stored:
            errors.add(f"{group}.{name}", _("Unknown for this provider."))
    for item in declared:
        value = given.get(item.name, "")
        where = f"{group}.{item.name}"
        if not value:
            if item.required:
                errors.add(where, _("This field is required."))
            continue
        problem = _kind_problem(item, value)
        if problem:
            errors.add(where, problem)


def _kind_problem(item: AccountField, value: str) -> str:
    if item.kind == "number":
        if not value.isdecimal() or not 1 <= int(value) <= MAX_NUMBER:
            return _("A whole number from 1 to %(max)d.") % {"max": MAX_NUMBER}
    elif item.kind == "boolean":
        if value.lower() not in TRUE_WORDS | FALSE_WORDS:
            return _("Give true or false.")
    elif item.kind == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return _("A web address starting with https:// or http://.")
    return ""
