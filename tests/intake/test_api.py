"""/api/v1/forms: the forms a caller may fill, submitting one with errors per field, and the
administrators' CRUD."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.tickets.models import Ticket
from tests.api.conftest import problem
from tests.factories import make_admin, make_customer, make_group
from tests.intake.helpers import printer_fields, printer_form

pytestmark = pytest.mark.django_db

ANSWERS = {
    "subject": "Atasco",
    "description": "Se atasca",
    "custom_fields.product": "printer",
    "custom_fields.issue": "jam",
    "custom_fields.tray": 2,
}


def test_a_customer_lists_forms_and_submits_one(as_user: Any) -> None:
    group = make_group()
    form = printer_form(group_id=group.pk, ticket_type="problem")
    customer = as_user(make_customer())
    listed = customer.get("/forms").json()["items"]
    [schema] = listed
    assert schema["slug"] == "printers"
    tray = next(f for f in schema["fields"] if f["key"] == "custom_fields.tray")
    assert tray["kind"] == "number"
    assert tray["condition"] == {"field": "custom_fields.issue", "values": ["jam"]}
    answer = customer.post(f"/forms/{form.pk}/submissions", {"data": ANSWERS})
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get(pk=answer.json()["ticket_id"])
    assert (ticket.group_id, ticket.type, ticket.requester_id) == (group.pk, "problem",
                                                                  customer.user.pk)  # fmt: skip
    assert "/forms/status/" in answer.json()["status_url"]


def test_bad_answers_are_named_per_field(as_user: Any) -> None:
    form = printer_form()
    customer = as_user(make_customer())
    bad = {**ANSWERS, "custom_fields.tray": "two", "priority": "urgent"}
    body = problem(customer.post(f"/forms/{form.pk}/submissions", {"data": bad}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"custom_fields.tray", "priority"}
    hidden = {**ANSWERS, "custom_fields.product": "laptop"}
    body = problem(customer.post(f"/forms/{form.pk}/submissions", {"data": hidden}), 422)
    assert {e["field"] for e in body["errors"]} == {"custom_fields.issue", "custom_fields.tray"}
    assert not Ticket.objects.exists()


def test_admins_create_update_and_delete_forms(as_user: Any) -> None:
    printer_fields()
    admin = as_user(make_admin())
    created = admin.post(
        "/forms",
        {
            "slug": "soporte",
            "name_es": "Soporte",
            "audience": "public",
            "fields": [
                {"key": "subject", "required": True},
                {"key": "email", "required": True},
                {"key": "custom_fields.product"},
                {
                    "key": "custom_fields.issue",
                    "condition": {"field": "custom_fields.product", "values": ["printer"]},
                },
            ],
        },
    )
    assert created.status_code == 201, created.content
    form_id = created.json()["id"]
    assert created.json()["fields"][3]["condition"]["values"] == ["printer"]
    bad = admin.patch(
        f"/forms/{form_id}",
        {"fields": [{"key": "email"}, {"key": "custom_fields.issue",
                     "condition": {"field": "custom_fields.product", "values": ["x"]}}]},
    )  # fmt: skip
    assert {e["field"] for e in problem(bad, 422)["errors"]} == {"fields.1.condition"}
    renamed = admin.patch(f"/forms/{form_id}", {"name_en": "Support", "active": False})
    assert renamed.json()["name_en"] == "Support" and renamed.json()["active"] is False
    assert admin.delete(f"/forms/{form_id}").status_code == 204
    problem(admin.get(f"/forms/{form_id}"), 404)


def test_customers_cannot_manage_forms(as_user: Any) -> None:
    form = printer_form()
    customer = as_user(make_customer())
    problem(customer.post("/forms", {"slug": "x", "name_en": "X"}), 403)
    problem(customer.get(f"/forms/{form.pk}"), 403)
    problem(customer.delete(f"/forms/{form.pk}"), 403)
