"""The API keeps its contract (issue 13 §3): strict bodies, honest schema, problem documents
for every error, cursors bound to their sort, rate limits, Idempotency-Key on every POST."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from atiende.accounts.models import ApiToken
from atiende.api.models import IdempotencyKey
from atiende.api.router import api as ninja_api
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_group, make_ticket

pytestmark = pytest.mark.django_db
KEY = {"Idempotency-Key": "contract-1"}


@pytest.fixture
def admin_api(as_user: Any) -> Any:
    return as_user(make_admin())


@functools.cache
def openapi() -> dict[str, Any]:
    schema: dict[str, Any] = ninja_api.get_openapi_schema()
    return schema


def component(name: str) -> dict[str, Any]:
    found: dict[str, Any] = openapi()["components"]["schemas"][name]
    return found


# --- bodies: JSON objects, no unknown members, no coercion ---------------------------------


@pytest.mark.parametrize("body", ["[]", '"text"', "3", "null"])
def test_a_body_that_is_not_an_object_is_422(admin_api: Any, body: str) -> None:
    response = admin_api.client.post(
        "/api/v1/tickets", body, content_type="application/json", headers=admin_api.headers()
    )
    problem(response, 422)


def test_unknown_members_are_refused_by_name(admin_api: Any) -> None:
    body = {"subject": "s", "body": "b", "prority": "high", "extra": 1}
    assert fields(problem(admin_api.post("/tickets", body), 422)) == {"prority", "extra"}
    ticket = make_ticket(group_id=make_group().pk)
    response = admin_api.patch(f"/tickets/{ticket.pk}", {"version": 1, "stauts": "open"})
    assert fields(problem(response, 422)) == {"stauts"}


@pytest.mark.parametrize(
    ("member", "value"),
    [("public", "false"), ("public", 0), ("group_id", "1"), ("group_id", 1.0), ("group_id", True)],
)
def test_booleans_and_numbers_are_strict(admin_api: Any, member: str, value: Any) -> None:
    make_group()  # id 1 exists: a coerced "1", 1.0 or true would have been accepted
    body = {"subject": "s", "body": "b", member: value}
    assert fields(problem(admin_api.post("/tickets", body), 422)) == {member}


# --- the schema says what the server accepts ----------------------------------------------


def test_null_only_where_it_is_accepted(admin_api: Any) -> None:
    update = component("TicketUpdateIn")["properties"]
    assert "anyOf" not in update["subject"] and "anyOf" not in update["tags"]
    assert {"type": "null"} in update["group_id"]["anyOf"]
    ticket = make_ticket(group_id=make_group().pk)
    for member in ("subject", "tags", "status", "custom_fields"):
        response = admin_api.patch(f"/tickets/{ticket.pk}", {"version": 1, member: None})
        assert fields(problem(response, 422)) == {member}
    cleared = admin_api.patch(f"/tickets/{ticket.pk}", {"version": 1, "group_id": None})
    assert cleared.status_code == 200 and cleared.json()["group"] is None


def test_immutable_fields_are_absent_from_update_schemas() -> None:
    props = component("CustomFieldUpdateIn")["properties"]
    assert not {"target", "key", "type"} & set(props)
    assert component("CustomFieldUpdateIn").get("additionalProperties") is False


def test_every_request_body_refuses_unknown_members() -> None:
    schemas = component
    for path in openapi()["paths"].values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                assert schemas(ref.rsplit("/", 1)[1]).get("additionalProperties") is False, ref


# --- cursors ------------------------------------------------------------------------------


def test_a_cursor_works_only_with_its_sort(admin_api: Any) -> None:
    group = make_group()
    for _ in range(3):
        make_ticket(group_id=group.pk)
    page = admin_api.get("/tickets", {"limit": 1, "sort": "-created_at"}).json()
    cursor = page["next_cursor"]
    assert admin_api.get("/tickets", {"limit": 1, "cursor": cursor}).status_code == 200
    for sort in ("-updated_at", "created_at", "number"):
        response = admin_api.get("/tickets", {"limit": 1, "sort": sort, "cursor": cursor})
        assert fields(problem(response, 422)) == {"cursor"}


# --- every error is a problem document -----------------------------------------------------


def test_unknown_routes_are_404_problems(admin_api: Any) -> None:
    for path in ("/nothing-here", "/tickets/1/nope", "/tickets/abc/def/ghi"):
        problem(admin_api.get(path), 404)
    problem(Client().get("/api/v1/nothing-here"), 404)


def test_wrong_methods_are_405_with_allow(admin_api: Any) -> None:
    body = problem(admin_api.delete("/tickets"), 405)
    response = admin_api.delete("/tickets")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert "GET" in body["detail"]
    assert problem(admin_api.client.put("/api/v1/tokens", headers=admin_api.headers()), 405)


def test_401_names_the_scheme() -> None:
    response = Client().get("/api/v1/tickets")
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    revoked = Client().get("/api/v1/tickets", headers={"Authorization": "Bearer atd_nope"})
    problem(revoked, 401)
    assert revoked["WWW-Authenticate"].startswith("Bearer")


def test_malformed_multipart_is_400(admin_api: Any) -> None:
    ticket = make_ticket(group_id=make_group().pk)
    response = admin_api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments",
        b"--xx\r\nContent-Disposition: form-data; name=file\r\n\r\nabc",
        content_type="multipart/form-data; boundary=",
        headers=admin_api.headers(),
    )
    problem(response, 400)


# --- rate limits ---------------------------------------------------------------------------


def test_rate_limit_per_user_with_headers(as_user: Any, settings: Any) -> None:
    settings.ATIENDE_API_RATE_LIMIT = 3
    settings.ATIENDE_API_RATE_WINDOW = 60
    first, other = as_user(make_admin()), as_user(make_admin())
    answers = [first.get("/tickets") for _ in range(3)]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert all(a["RateLimit-Limit"] == "3" for a in answers)
    assert 0 < int(answers[0]["RateLimit-Reset"]) <= 60
    over = first.get("/tickets")
    problem(over, 429)
    assert 0 < int(over["Retry-After"]) <= 60
    assert other.get("/tickets").status_code == 200  # budgets are per user


def test_rate_limit_can_be_turned_off(admin_api: Any, settings: Any) -> None:
    settings.ATIENDE_API_RATE_LIMIT = 0
    response = admin_api.get("/tickets")
    assert response.status_code == 200 and "RateLimit-Limit" not in response


# --- Idempotency-Key on every POST ---------------------------------------------------------


def test_every_post_declares_idempotency_key() -> None:
    for route, path in openapi()["paths"].items():
        if "post" in path:
            names = {p["name"] for p in path["post"].get("parameters", [])}
            assert "Idempotency-Key" in names, route


def test_token_creation_is_idempotent_and_not_kept_in_clear(admin_api: Any) -> None:
    first = admin_api.post("/tokens", {"name": "ci"}, **KEY)
    again = admin_api.post("/tokens", {"name": "ci"}, **KEY)
    assert first.status_code == again.status_code == 201
    assert again.json()["token"] == first.json()["token"]
    assert again["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(name="ci").count() == 1
    stored = IdempotencyKey.objects.get(key=KEY["Idempotency-Key"])
    assert first.json()["token"] not in json.dumps(stored.response)


def test_attachment_upload_is_idempotent(admin_api: Any) -> None:
    ticket = make_ticket(group_id=make_group().pk)

    def upload(data: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return admin_api.client.post(
            f"/api/v1/tickets/{ticket.pk}/attachments",
            {"file": SimpleUploadedFile("a.txt", data)},
            headers=admin_api.headers(KEY),
        )

    first, again = upload(b"hello"), upload(b"hello")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    problem(upload(b"other bytes"), 422)  # same key, different file


def test_bulk_is_idempotent(admin_api: Any) -> None:
    ticket = make_ticket(group_id=make_group().pk)
    body = {"ids": [ticket.pk], "action": "priority", "priority": "high"}
    first = admin_api.post("/tickets/bulk", body, **KEY)
    again = admin_api.post("/tickets/bulk", body, **KEY)
    assert first.json() == again.json() and first.json()["updated"] == 1
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", [" lead", "trail ", "", "x" * 256, "ñ"])
def test_malformed_idempotency_key_is_400(admin_api: Any, key: str) -> None:
    problem(admin_api.post("/tokens", {"name": "x"}, **{"Idempotency-Key": key}), 400)


# --- docs offline --------------------------------------------------------------------------


def test_docs_use_local_assets(admin_api: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{asset}"), asset  # shipped, and collected by collectstatic


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-01-31", "yesterday"])
def test_times_are_iso_date_times_only(admin_api: Any, value: str) -> None:
    assert fields(problem(admin_api.get("/tickets", {"updated_before": value}), 422)) == {
        "updated_before"
    }
    assert admin_api.get("/tickets", {"updated_before": "2026-01-31T09:00:00Z"}).status_code == 200
