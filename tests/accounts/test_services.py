"""The accounts write path, tested directly: who may change whom, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts import selectors, services
from atiende.accounts.models import Identity, IdentityChannel, Organization, Role, User
from atiende.accounts.services.identities import clean_identity_value
from atiende.accounts.services.organizations import clean_domain
from atiende.core.errors import Conflict, Forbidden, Invalid, NotFound
from atiende.core.services import clean_phone
from tests.factories import SYSTEM, api, make_admin, make_agent, make_customer, make_group, make_org

pytestmark = pytest.mark.django_db


def test_find_or_create_customer_reuses_and_joins_domain_org() -> None:
    org = make_org(domains=("acme.test",))
    created = services.find_or_create_customer(SYSTEM, email=" Pat@ACME.test ", name="Pat")
    assert created.email == "pat@acme.test"
    assert created.organization == org
    assert created.role == Role.CUSTOMER
    assert created.email_verified_at is None
    assert services.find_or_create_customer(SYSTEM, email="pat@acme.test") == created
    other = make_customer()
    Identity.objects.create(user=other, channel=IdentityChannel.EMAIL, value="alias@x.test")
    assert services.find_or_create_customer(SYSTEM, email="alias@x.test") == other
    with pytest.raises(Forbidden):
        services.find_or_create_customer(api(make_customer()), email="new@x.test")
    with pytest.raises(Invalid) as exc:
        services.find_or_create_customer(SYSTEM, email="nope", field="requester.email")
    assert exc.value.errors[0].field == "requester.email"


@pytest.mark.parametrize(
    ("creator", "role", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True), (Role.ADMIN, Role.AGENT, True),
        (Role.ADMIN, Role.CUSTOMER, True), (Role.AGENT, Role.ADMIN, False),
        (Role.AGENT, Role.AGENT, False), (Role.AGENT, Role.CUSTOMER, True),
        (Role.CUSTOMER, Role.CUSTOMER, False),
    ],
)  # fmt: skip
def test_who_creates_whom(creator: str, role: str, allowed: bool) -> None:
    actor = api(make_user_of(creator))
    if allowed:
        assert services.create_user(actor, email="new@example.com", role=role).role == role
    else:
        with pytest.raises(Forbidden):
            services.create_user(actor, email="new@example.com", role=role)
        assert not User.objects.filter(email="new@example.com").exists()


def make_user_of(role: str) -> User:
    return {Role.ADMIN: make_admin, Role.AGENT: make_agent, Role.CUSTOMER: make_customer}[role]()


def test_create_user_checks_everything_before_writing() -> None:
    make_customer(email="taken@example.com")
    Identity.objects.create(
        user=make_customer(), channel=IdentityChannel.EMAIL, value="alias@example.com"
    )
    for address in ("TAKEN@example.com", "alias@example.com"):
        with pytest.raises(Conflict):
            services.create_user(SYSTEM, email=address)
    with pytest.raises(Invalid) as exc:
        services.create_user(SYSTEM, email="a@b.test", locale="fr", time_zone="Nowhere", phone="x")
    assert {e.field for e in exc.value.errors} == {"locale", "time_zone", "phone"}
    with pytest.raises(Invalid):
        services.create_user(SYSTEM, email="a@b.test", password_hash="x")
    assert not User.objects.filter(email="a@b.test").exists()


@pytest.mark.parametrize(
    ("editor", "target", "change", "outcome"),
    [
        ("admin", "agent", {"role": Role.CUSTOMER}, "ok"),
        ("admin", "customer", {"notes": "n"}, "ok"),
        ("agent", "customer", {"notes": "n", "phone": "+1 555 0100"}, "ok"),
        ("agent", "customer", {"email": "c@x.test"}, Forbidden),
        ("agent", "customer", {"is_active": False}, Forbidden),
        ("agent", "other_agent", {"name": "x"}, Forbidden),
        ("agent", "admin", {"locale": "es"}, Forbidden),
        ("agent", "self", {"name": "Me", "time_zone": "Europe/Madrid"}, "ok"),
        ("agent", "self", {"notes": "n"}, Forbidden),
        ("customer", "self", {"locale": "es"}, "ok"),
        ("customer", "self", {"organization_id": None}, Forbidden),
        ("customer", "other_customer", {"name": "x"}, NotFound),
        ("admin", "self", {"is_active": False}, Invalid),
    ],
)  # fmt: skip
def test_who_edits_what(editor: str, target: str, change: dict[str, Any], outcome: Any) -> None:
    people = {"admin": make_admin(), "agent": make_agent(), "customer": make_customer()}
    actor_user = people[editor]
    targets = {
        "self": actor_user,
        "other_agent": make_agent(),
        "other_customer": make_customer(),
        **people,
    }
    user = targets[target]
    before = User.objects.filter(pk=user.pk).values().get()
    if outcome == "ok":
        updated = services.update_user(api(actor_user), user_id=user.pk, changes=change)
        for name, value in change.items():
            assert getattr(updated, name) == value
    else:
        with pytest.raises(outcome):
            services.update_user(api(actor_user), user_id=user.pk, changes=change)
        assert User.objects.filter(pk=user.pk).values().get() == before


def test_update_user_is_all_or_nothing() -> None:
    agent = make_agent(name="Before")
    with pytest.raises(Invalid):
        services.update_user(
            SYSTEM, user_id=agent.pk, changes={"name": "After", "group_ids": [999999]}
        )
    assert User.objects.get(pk=agent.pk).name == "Before"


def test_email_change_keeps_old_identity_and_resets_verification() -> None:
    customer = make_customer(email="old@example.com")
    services.mark_email_verified(customer)
    updated = services.update_user(
        SYSTEM, user_id=customer.pk, changes={"email": "New@Example.com"}
    )
    assert updated.email == "new@example.com"
    assert updated.email_verified_at is None
    values = set(Identity.objects.filter(user=customer).values_list("value", flat=True))
    assert values == {"old@example.com", "new@example.com"}


def test_groups_and_organizations() -> None:
    one = make_agent()
    group = services.create_group(SYSTEM, name="Ops", member_ids=[one.pk])
    assert list(group.members.all()) == [one]
    with pytest.raises(Conflict):
        services.create_group(SYSTEM, name="ops")
    with pytest.raises(Forbidden):
        services.update_group(api(one), group_id=group.pk, changes={"name": "x"})
    org = services.create_organization(SYSTEM, name="Acme", domains=["acme.test"])
    with pytest.raises(Conflict) as exc:
        services.create_organization(SYSTEM, name="Other", domains=["acme.test"])
    assert "acme.test" in str(exc.value)
    assert not Organization.objects.filter(name="Other").exists()
    services.update_organization(SYSTEM, organization_id=org.pk, changes={"domains": ["b.test"]})
    assert list(org.domains.values_list("domain", flat=True)) == ["b.test"]
    with pytest.raises(Invalid):
        services.update_organization(SYSTEM, organization_id=org.pk, changes={"owner": 1})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Example.COM", "example.com"), ("@mail.example.co.uk.", "mail.example.co.uk"),
     ("münchen.de", "xn--mnchen-3ya.de"), ("a-b.xn--p1ai", "a-b.xn--p1ai")],
)  # fmt: skip
def test_clean_domain(value: str, expected: str) -> None:
    assert clean_domain(value) == expected


@pytest.mark.parametrize(
    "value", ["", "com", "a..b", "-a.com", "a-.com", "a.b-", "a.1", "a b.com", "a.c"]
)
def test_clean_domain_refuses(value: str) -> None:
    with pytest.raises(Invalid):
        clean_domain(value)


def test_identity_values() -> None:
    assert clean_identity_value("sms", " +34 (600) 11-22-33 ") == "+34600112233"
    assert clean_identity_value("email", "A@B.test") == "a@b.test"
    assert clean_identity_value("telegram", " @handle ") == "@handle"
    assert clean_phone("555 0100", "phone") == "555 0100"
    # WhatsApp: as Meta sends it (no "+") and as people type it, one identity.
    typed = clean_identity_value("whatsapp", "+54 9 11 5555-0000")
    assert typed == clean_identity_value("whatsapp", "5491155550000") == "+5491155550000"
    for channel, value in [
        ("phone", "12"),
        ("phone", "١٢٣٤٥٦"),
        ("whatsapp", "+34 abc"),
        ("chat", ""),
    ]:
        with pytest.raises(Invalid):
            clean_identity_value(channel, value)


def test_tokens() -> None:
    agent, admin, customer = make_agent(), make_admin(), make_customer()
    token, plain = services.issue_api_token(api(agent), name="mine")
    assert token.user == agent
    assert services.authenticate_token(plain) == agent
    with pytest.raises(Forbidden):
        services.issue_api_token(api(customer), name="x")
    with pytest.raises(Forbidden):
        services.issue_api_token(api(agent), name="x", user_id=admin.pk)
    with pytest.raises(NotFound):
        services.revoke_api_token(api(customer), token_id=token.pk)
    services.revoke_api_token(api(admin), token_id=token.pk)
    assert selectors.get_token(api(agent), token.pk).revoked_at is not None
    with pytest.raises(Invalid):
        services.issue_api_token(SYSTEM, name="x")


def test_identities_by_role() -> None:
    agent, customer, admin = make_agent(), make_customer(), make_admin()
    identity = services.add_identity(api(agent), user_id=customer.pk, channel="x", value="@c")
    services.add_identity(api(agent), user_id=agent.pk, channel="chat", value="agent-1")
    with pytest.raises(Forbidden):
        services.add_identity(api(agent), user_id=admin.pk, channel="chat", value="adm")
    with pytest.raises(Conflict):
        services.add_identity(api(admin), user_id=admin.pk, channel="x", value="@c")
    with pytest.raises(Forbidden):
        services.remove_identity(api(customer), user_id=customer.pk, identity_id=identity.pk)
    services.remove_identity(api(agent), user_id=customer.pk, identity_id=identity.pk)
    assert not Identity.objects.filter(pk=identity.pk).exists()


def test_list_users_scoping_and_filters() -> None:
    group = make_group()
    member, customer = make_agent(group), make_customer()
    assert list(selectors.list_users(api(customer), limit=10, cursor=None).items) == [customer]
    found = selectors.list_users(api(member), group_id=group.pk, limit=10, cursor=None)
    assert list(found.items) == [member]
    assert selectors.list_users(api(member), role="admin", limit=10, cursor=None).items == []
