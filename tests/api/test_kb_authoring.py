"""/api/v1/kb/…: the authoring operations, their conflicts and who may reach them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(as_user: Any) -> dict[str, Any]:
    admin = as_user(make_admin())
    category = admin.post("/kb/categories", {"names": {"es": "Cuenta", "en": "Account"}}).json()
    body = {"category_id": category["id"], "names": {"es": "Acceso"}}
    created: dict[str, Any] = admin.post("/kb/sections", body).json()
    return created


def test_write_review_publish_edit_diff_and_restore_through_the_api(
    as_user: Any, section: dict[str, Any]
) -> None:
    agent, admin = as_user(make_agent()), as_user(make_admin())
    body = {"section_id": section["id"], "language": "es", "title": "Clave", "body": "uno"}
    created = agent.post("/kb/articles", body)
    assert created.status_code == 201, created.content
    draft = created.json()
    tid = draft["id"]
    assert (draft["state"], draft["slug"], draft["revision"]) == ("draft", "clave", 1)

    assert agent.post(f"/kb/translations/{tid}/submit").json()["state"] == "review"
    queue = admin.get("/kb/articles", {"state": "submitted"}).json()["items"]
    assert [t["id"] for t in queue] == [tid]
    problem(agent.post(f"/kb/translations/{tid}/publish", {}), 403)
    v1 = admin.post(f"/kb/translations/{tid}/publish", {"note": "primera"})
    assert v1.status_code == 200 and v1.json()["number"] == 1

    saved = agent.patch(f"/kb/translations/{tid}", {"revision": 1, "body": "dos"}).json()
    assert (saved["body"], saved["published_body"], saved["revision"]) == ("dos", "uno", 2)
    stale = problem(agent.patch(f"/kb/translations/{tid}", {"revision": 1, "body": "x"}), 409)
    assert fields(stale) == {"revision"} and stale["current"] == {"revision": 2}
    admin.post(f"/kb/translations/{tid}/publish", {})

    listed = admin.get(f"/kb/translations/{tid}/versions").json()
    assert [v["number"] for v in listed] == [2, 1]
    diff = admin.get(f"/kb/translations/{tid}/diff", {"old": 1, "new": 2}).json()
    assert [(x["kind"], x["text"]) for x in diff["lines"]] == [("removed", "uno"), ("added", "dos")]
    restored = admin.post(f"/kb/translations/{tid}/versions/1/restore", {})
    assert restored.status_code == 201 and restored.json()["restored_from"] == 1
    assert admin.get(f"/kb/translations/{tid}").json()["published_body"] == "uno"

    english = agent.post(
        f"/kb/articles/{draft['article_id']}/translations", {"language": "en", "title": "Password"}
    ).json()
    article = agent.get(f"/kb/articles/{draft['article_id']}").json()
    assert [t["language"] for t in article["translations"]] == ["en", "es"]
    bad = agent.patch(
        f"/kb/articles/{draft['article_id']}",
        {"revision": article["revision"], "verify_by": "31/12/2027"},
    )
    assert fields(problem(bad, 422)) == {"verify_by"}
    changed = agent.patch(
        f"/kb/articles/{draft['article_id']}",
        {"revision": article["revision"], "verify_by": "2027-12-31", "owner_id": None},
    ).json()
    assert (changed["verify_by"], changed["owner_id"]) == ("2027-12-31", None)
    assert agent.delete(f"/kb/translations/{english['id']}").status_code == 204
    problem(agent.delete(f"/kb/translations/{tid}"), 422)  # published: archived, not deleted


def test_customers_reach_no_authoring_operation(as_user: Any, section: dict[str, Any]) -> None:
    agent, customer = as_user(make_agent()), as_user(make_customer())
    body = {"section_id": section["id"], "language": "es", "title": "Borrador interno"}
    tid = agent.post("/kb/articles", body).json()["id"]
    for path in (
        "/kb/articles",
        f"/kb/translations/{tid}",
        f"/kb/translations/{tid}/versions",
        "/kb/categories",
    ):
        assert customer.get(path).status_code in (403, 404), path
    assert customer.post("/kb/articles", body).status_code == 403
    assert customer.post(f"/kb/translations/{tid}/submit").status_code == 403
    upload = customer.upload(f"/kb/articles/{section['id']}/files", "a.txt", b"hola")
    assert upload.status_code in (403, 404)


def test_uploads_name_the_file_field_when_empty_or_too_big(
    as_user: Any, section: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.ATIENDE_KB_MAX_ATTACHMENT_BYTES = 10
    agent = as_user(make_agent())
    body = {"section_id": section["id"], "language": "es", "title": "Con archivos"}
    article_id = agent.post("/kb/articles", body).json()["article_id"]
    ok = agent.upload(f"/kb/articles/{article_id}/files", "../notas.txt", b"hola")
    assert ok.status_code == 201, ok.content
    assert ok.json()["filename"] == "notas.txt"
    assert ok.json()["markdown"] == f"[notas.txt](/help/files/{ok.json()['id']}/)"
    empty = agent.upload(f"/kb/articles/{article_id}/files", "vacio.txt", b"")
    assert fields(problem(empty, 422)) == {"file"}
    big = agent.upload(f"/kb/articles/{article_id}/files", "big.txt", b"x" * 11)
    assert fields(problem(big, 413)) == {"file"}
