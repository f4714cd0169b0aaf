"""Finding customers and organizations by what an agent remembers of them.

A query matches a customer by name (every word starts a word of the name), email (prefix),
phone (digits anywhere, separators ignored), an identity on any channel (exact address, read
through the (channel, value) index), or the exact value of a custom field marked
``is_identifier`` (a tax id). Organizations match by name, email domain or identifier field.

Scale: the email and identity look-ups use indexes. Names are compared folded as stored
(``folded_name``, a plain indexed column: LIKE in the database, no Python per row). Name,
phone and identifier matching scan the rows of the role but stop at the page size, since
callers order and LIMIT; on big tables prefer typing the start of the name or an exact
address. Merged (retired) records are left out.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from atiende.accounts.models import (
    Identity,
    IdentityChannel,
    Organization,
    OrganizationDomain,
    Role,
    User,
    normalize_email,
)
from atiende.accounts.selectors import visible_organizations, visible_users
from atiende.core.actor import Actor
from atiende.core.folding import fold
from atiende.core.permissions import require_staff
from atiende.core.text import clean_text
from atiende.tickets.models import CustomField, CustomFieldTarget

MAX_QUERY_CHARS = 200
MAX_WORDS = 6
MIN_PHONE_DIGITS = 5
PHONE_SEPARATORS = (" ", "-", "(", ")", ".", "/")
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ().\-/]*")


def clean_query(query: str) -> str:
    """The query trimmed, bounded and storable; empty when there is nothing to look for."""
    return " ".join(clean_text(query[:MAX_QUERY_CHARS]).split())


def phone_digits(query: str) -> str:
    """The digits of a phone-like query (at least five), else empty."""
    if not _PHONE_LIKE.fullmatch(query):
        return ""
    digits = "".join(ch for ch in query if ch.isascii() and ch.isdecimal())
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _identifier_keys(target: CustomFieldTarget) -> list[str]:
    return list(
        CustomField.objects.filter(target=target, is_identifier=True, is_active=True).values_list(
            "key", flat=True
        )
    )


def _name_words(words: list[str]) -> Q:
    """Every word starts the name or one of its words, without case or accents both ways:
    "vazquez", "VAZQUEZ" and "Vázquez" find "Vázquez" and "Vazquez". The folded words are
    compared with ``folded_name``, the name folded when written (``core.folding``): a plain
    column, the same on SQLite and PostgreSQL, no function called per row."""
    condition = Q()
    for word in words:
        folded = fold(word)
        condition &= Q(folded_name__startswith=folded) | Q(folded_name__contains=f" {folded}")
    return condition


def _identity_users(query: str, digits: str) -> QuerySet[Identity, int]:
    """Users owning an address equal to ``query`` on any channel (the (channel, value) index)."""
    values = {query, query.lower()}
    if digits:
        values |= {digits, f"+{digits}"}
    return Identity.objects.filter(
        channel__in=IdentityChannel.values, value__in=values
    ).values_list("user_id", flat=True)


def customer_matches(actor: Actor, query: str) -> QuerySet[User]:
    """Active, unmerged customers matching ``query``, unordered; all customers when empty."""
    require_staff(actor)
    customers = visible_users(actor).filter(role=Role.CUSTOMER, merged_into__isnull=True)
    text = clean_query(query)
    if not text:
        return customers
    words = text.split()[:MAX_WORDS]
    digits = phone_digits(text)
    email = normalize_email(text) or ""
    condition = _name_words(words) | Q(email__startswith=email)
    condition |= Q(pk__in=_identity_users(text, digits))
    if digits:
        bare = Replace("phone", Value("+"), Value(""))
        for separator in PHONE_SEPARATORS:
            bare = Replace(bare, Value(separator), Value(""))
        customers = customers.alias(phone_digits=bare)
        condition |= Q(phone_digits__contains=digits)
    for key in _identifier_keys(CustomFieldTarget.USER):
        condition |= Q(**{f"custom_fields__{key}__iexact": text})
    return customers.filter(condition)


def organization_matches(actor: Actor, query: str) -> QuerySet[Organization]:
    """Organizations matching ``query`` by name, domain or identifier field, unordered."""
    orgs = visible_organizations(actor)
    text = clean_query(query)
    if not text:
        return orgs
    words = text.split()[:MAX_WORDS]
    domain = text.lower().rpartition("@")[2]
    condition = _name_words(words)
    condition |= Q(
        pk__in=OrganizationDomain.objects.filter(domain__startswith=domain).values(
            "organization_id"
        )
    )
    for key in _identifier_keys(CustomFieldTarget.ORGANIZATION):
        condition |= Q(**{f"custom_fields__{key}__iexact": text})
    return orgs.filter(condition)


def suggest_customers(actor: Actor, query: str, *, limit: int = 5) -> list[User]:
    """The first few matching customers by name, for the search box."""
    if not clean_query(query):
        return []
    return list(
        customer_matches(actor, query).select_related("organization").order_by("name", "pk")[:limit]
    )
