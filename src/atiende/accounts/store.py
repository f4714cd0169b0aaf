"""The accounts app's hot statements, built once (``core.rows``, decision 0003).

Every new email sender and every API request comes through here: the customer lookup by
email or identity, the new customer's two rows, the token lookup and the organization that
owns an email domain. Only the accounts app imports this module (an import-linter contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from atiende.accounts.models import ApiToken, Identity, Organization, OrganizationDomain, User
from atiende.core import rows


def user_by_email(address: str) -> User | None:
    """The user with this email, with the organization joined (a new ticket records it)."""
    return rows.first(User, related=("organization",), email=address)


def user_by_id(user_id: int) -> User | None:
    """One user by id (the rules read a ticket's requester on every event)."""
    return rows.first(User, pk=user_id)


def organization_by_id(organization_id: int) -> Organization | None:
    """One organization by id (the rules read a ticket's organization on every event)."""
    return rows.first(Organization, pk=organization_id)


def identity_by_value(channel: str, value: str) -> Identity | None:
    """The identity ``channel``/``value``, with its user joined."""
    return rows.first(Identity, related=("user",), channel=channel, value=value)


def insert_customer(user: User, identity: Identity) -> bool:
    """INSERT a new customer and their first identity unless a user with that email exists
    (created a moment ago by another importer): ``ON CONFLICT DO NOTHING``, so no savepoint is
    needed to go on after the race. Whether they were inserted.

    ``AbstractBaseUser.save`` only adds a password-changed signal, and there is none here
    (``own_save``: nothing else to do).
    """
    if not rows.insert_unless(user, unique=("email",), own_save=True):
        return False
    identity.user = user
    rows.insert_unless(identity, unique=("channel", "value"))  # theirs, if someone's
    return True


def token_by_digest(digest: str) -> ApiToken | None:
    """The API token with this digest, with its user joined: every API request's lookup."""
    return rows.first(ApiToken, related=("user",), digest=digest)


def organization_by_domain(domain: str) -> Organization | None:
    """The organization that owns this email domain, if any."""
    found = rows.first(OrganizationDomain, related=("organization",), domain=domain)
    return found.organization if found else None


# JSON lists as text (CAST): PostgreSQL would hand jsonb over decoded, 600 lists a decision;
# as text, ``selectors`` decodes each distinct list once.
_MEMBERS = (
    "SELECT a.user_id, a.capacity, CAST(a.languages AS TEXT), CAST(a.skill_tags AS TEXT),"
    " CAST(a.skill_categories AS TEXT), a.chat_capacity"
    " FROM accounts_agentavailability a JOIN accounts_user u ON u.id = a.user_id"
    " JOIN accounts_user_groups m ON m.user_id = a.user_id"
    " WHERE m.group_id = %s AND a.status = %s AND a.last_seen_at >= %s"
    " AND u.is_active = %s AND u.role IN (%s, %s)"
    " AND NOT EXISTS (SELECT 1 FROM accounts_outofoffice o WHERE o.user_id = a.user_id"
    " AND o.starts_at <= %s AND o.ends_at > %s)"
    " ORDER BY a.user_id"
)


def available_member_rows(params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """(user id, capacity, languages, skill tags and skill categories as JSON text, chat
    capacity) of a group's members available now; ``selectors.available_members`` gives the
    parameters."""
    with rows.cursor(connection) as cursor:
        cursor.execute(_MEMBERS, list(params))
        return [tuple(row) for row in cursor.fetchall()]
