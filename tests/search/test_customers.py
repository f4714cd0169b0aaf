"""Finding customers and organizations by name, email, phone, identity and identifier fields."""

from __future__ import annotations

import pytest

from atiende.accounts.models import IdentityChannel, User
from atiende.accounts.services import (
    add_identity,
    find_or_create_customer,
    update_organization,
    update_user,
)
from atiende.core.errors import Forbidden
from atiende.search.customers import (
    customer_matches,
    organization_matches,
    phone_digits,
    suggest_customers,
)
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType
from atiende.tickets.services import merge_customers
from tests.factories import SYSTEM, make_agent, make_customer, make_org, web

pytestmark = pytest.mark.django_db


def found(query: str) -> set[int]:
    return set(customer_matches(SYSTEM, query).values_list("pk", flat=True))


def test_name_matches_the_start_of_any_word() -> None:
    maria = make_customer(name="María García")
    make_customer(name="Pedro Ruiz")
    assert found("garc") == {maria.pk}
    assert found("MARÍA") == {maria.pk}
    assert found("maría garcía") == {maria.pk}
    assert found("arcia") == set()


@pytest.mark.parametrize(
    "query", ["vazquez", "VAZQUEZ", "Vázquez", "vázq", "ramón váz", "RAMON VAZ", "Va\u0301zquez"]
)
def test_names_match_without_case_or_accents_both_ways(query: str) -> None:
    accented = make_customer(name="Ramón Vázquez")
    plain = make_customer(name="Ramon Vazquez")
    make_customer(name="Ramona Pérez")
    assert found(query) == {accented.pk, plain.pk}


def test_organizations_match_without_accents() -> None:
    org = make_org(name="Construcciones Peña")
    assert set(organization_matches(SYSTEM, "pena").values_list("pk", flat=True)) == {org.pk}
    assert set(organization_matches(SYSTEM, "PEÑA").values_list("pk", flat=True)) == {org.pk}


def test_email_and_identities_on_any_channel() -> None:
    ana = make_customer(email="ana@example.com")
    add_identity(SYSTEM, user_id=ana.pk, channel=IdentityChannel.TELEGRAM, value="@ana_t")
    add_identity(SYSTEM, user_id=ana.pk, channel=IdentityChannel.WHATSAPP, value="+34 611 22 33 44")
    make_customer(email="bob@example.com")
    assert found("Ana@Example.com") == {ana.pk}
    assert found("ana@") == {ana.pk}
    assert found("@ana_t") == {ana.pk}
    assert found("+34611223344") == {ana.pk}
    assert found("34611223344") == {ana.pk}


def test_phone_matches_whatever_the_separators() -> None:
    carla = make_customer(name="Carla Ruiz", email="carla@example.com", phone="+34 (600) 123-456")
    assert found("600123456") == {carla.pk}
    assert found("600 123 456") == {carla.pk}
    assert found("123") == set()  # too few digits to be a phone


def test_identifier_custom_fields_match_exactly() -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER,
        key="tax_id",
        type=CustomFieldType.TEXT,
        name_en="Tax id",
        is_identifier=True,
    )
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="nickname", type=CustomFieldType.TEXT, name_en="Nick"
    )
    acme = make_customer(custom_fields={"tax_id": "B-12345678", "nickname": "zorro"})
    assert found("b-12345678") == {acme.pk}
    assert found("B-1234") == set()
    assert found("zorro") == set()  # not an identifier


def test_only_active_customers_not_staff_not_merged() -> None:
    make_agent(name="Agent Smith")
    one, two = make_customer(name="Smith One"), make_customer(name="Smith Two")
    merge_customers(SYSTEM, source_id=two.pk, target_id=one.pk)
    assert found("smith") == {one.pk}


def test_customers_cannot_search_people() -> None:
    with pytest.raises(Forbidden):
        customer_matches(web(make_customer()), "a")


def test_suggestions_are_few_and_sorted() -> None:
    for name in ("Zoe Lee", "Ana Lee", "Mia Lee"):
        make_customer(name=name)
    names = [u.name for u in suggest_customers(web(make_agent()), "lee", limit=2)]
    assert names == ["Ana Lee", "Mia Lee"]
    assert suggest_customers(web(make_agent()), "  ") == []


def test_hostile_queries_are_plain_text() -> None:
    make_customer(name="Normal")
    for query in ("%", "_", "\\", "' OR 1=1 --", "\x00", "\ud800", "a" * 5000):
        assert isinstance(list(customer_matches(SYSTEM, query)), list)
    assert found("%") == set()


def test_phone_digits() -> None:
    assert phone_digits("+34 600-123") == "34600123"
    assert phone_digits("1234") == ""
    assert phone_digits("abc 12345") == ""


def test_organizations_by_name_domain_and_identifier() -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.ORGANIZATION,
        key="vat",
        type=CustomFieldType.TEXT,
        name_en="VAT",
        is_identifier=True,
    )
    acme = make_org("Acme Widgets", domains=("acme.test",))
    other = make_org("Globex")
    type(acme).objects.filter(pk=other.pk).update(custom_fields={"vat": "ES999"})

    def orgs(query: str) -> set[int]:
        return set(organization_matches(SYSTEM, query).values_list("pk", flat=True))

    assert orgs("widg") == {acme.pk}
    assert orgs("acme.test") == {acme.pk}
    assert orgs("someone@acme.test") == {acme.pk}
    assert orgs("es999") == {other.pk}
    assert orgs("") == {acme.pk, other.pk}
    with pytest.raises(Forbidden):
        organization_matches(web(make_customer()), "acme")
    assert User.objects.count() >= 1


def test_a_renamed_customer_is_found_by_the_new_name_not_the_old() -> None:
    customer = make_customer(name="Lucía Fernández")
    update_user(SYSTEM, user_id=customer.pk, changes={"name": "Lucía Núñez"})
    assert found("nunez") == {customer.pk}
    assert found("NÚÑEZ") == {customer.pk}
    assert found("fernandez") == set()


def test_a_customer_created_by_email_import_is_found_without_accents() -> None:
    customer = find_or_create_customer(
        SYSTEM, email="jose@example.com", name="José Ibáñez", text="Hola, ¿me ayudan?"
    )
    assert found("jose ibanez") == {customer.pk}
    assert found("IBÁÑEZ") == {customer.pk}


def test_a_merge_filling_the_name_makes_the_survivor_findable() -> None:
    named = make_customer(name="Begoña Ruiz")
    unnamed = make_customer(name="")
    merge_customers(SYSTEM, source_id=named.pk, target_id=unnamed.pk)
    assert found("begona") == {unnamed.pk}


def test_a_renamed_organization_is_found_by_the_new_name_not_the_old() -> None:
    org = make_org("Talleres Muñoz")
    update_organization(SYSTEM, organization_id=org.pk, changes={"name": "Ferretería Gómez"})

    def orgs(query: str) -> set[int]:
        return set(organization_matches(SYSTEM, query).values_list("pk", flat=True))

    assert orgs("ferreteria gomez") == {org.pk}
    assert orgs("munoz") == set()
