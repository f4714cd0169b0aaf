"""The write path for accounts: users and their identities, organizations, groups, API tokens."""

from atiende.accounts.services.api_tokens import (
    authenticate_token,
    create_api_token,
    issue_api_token,
    revoke_api_token,
)
from atiende.accounts.services.availability import (
    add_out_of_office,
    end_out_of_office,
    note_seen,
    set_agent_status,
    update_availability,
)
from atiende.accounts.services.common import clean_email, organization_for_email
from atiende.accounts.services.groups import create_group, update_group
from atiende.accounts.services.identities import add_identity, remove_identity
from atiende.accounts.services.organizations import create_organization, update_organization
from atiende.accounts.services.users import (
    create_user,
    find_or_create_customer,
    find_or_create_customer_by_identity,
    mark_email_verified,
    mirror_sign_in_address,
    update_user,
)

__all__ = [
    "add_identity",
    "add_out_of_office",
    "authenticate_token",
    "clean_email",
    "create_api_token",
    "create_group",
    "create_organization",
    "create_user",
    "end_out_of_office",
    "find_or_create_customer",
    "find_or_create_customer_by_identity",
    "issue_api_token",
    "mark_email_verified",
    "mirror_sign_in_address",
    "note_seen",
    "organization_for_email",
    "remove_identity",
    "revoke_api_token",
    "set_agent_status",
    "update_availability",
    "update_group",
    "update_organization",
    "update_user",
]
