"""The knowledge-base authoring operations, driven by the generated client
(``test_generated_client``): every operation once, as an integrator would."""

from __future__ import annotations

from typing import Any, get_type_hints


def drive_kb(api: Any) -> None:
    category = api("kb_create_category", body={"names": {"es": "Cuenta"}}, ok=201)
    api("kb_update_category", category.id, body={"position": 2})
    api("kb_list_categories")
    section = api(
        "kb_create_section", body={"category_id": category.id, "names": {"es": "Acceso"}}, ok=201
    )
    api("kb_update_section", section.id, body={"position": 1})
    api("kb_list_sections")
    draft = api(
        "kb_create_article",
        body={"section_id": section.id, "language": "es", "title": "Clave", "body": "uno"},
        ok=201,
    )
    api("kb_list_articles")
    api("kb_read_translation", draft.id)
    draft = api("kb_update_translation", draft.id, body={"revision": 1, "body": "dos"})
    api("kb_submit_translation", draft.id)
    api("kb_request_changes", draft.id, body={"note": "Más detalle"})
    api("kb_publish_translation", draft.id, body={})
    api("kb_update_translation", draft.id, body={"revision": draft.revision, "body": "tres"})
    api("kb_publish_translation", draft.id, body={"note": "segunda"})
    api("kb_list_versions", draft.id)
    api("kb_read_version", draft.id, 1)
    api("kb_diff_versions", draft.id, old=1, new=2)
    api("kb_restore_version", draft.id, 1, body={}, ok=201)
    api("kb_archive_translation", draft.id)
    api("kb_unarchive_translation", draft.id)
    api("kb_schedule_translation", draft.id, body={"publish_at": "2999-01-01T09:00:00Z"})
    article = api("kb_read_article", draft.article_id)
    api("kb_update_article", draft.article_id, body={"revision": article.revision,
                                                      "verify_by": "2999-01-01"})  # fmt: skip
    english = api(
        "kb_add_translation", draft.article_id, body={"language": "en", "title": "Key"}, ok=201
    )
    api("kb_delete_translation", english.id, ok=204)
    file_type = api.types().File
    params = get_type_hints(api.operations["kb_upload_file"].sync_detailed)
    upload = params["body"](file=file_type(payload=b"hola", file_name="notas.txt"))
    api("kb_upload_file", draft.article_id, body=upload, ok=201)
    other = api("kb_create_section", body={"category_id": category.id, "names": {"es": "Otra"}},
                ok=201)  # fmt: skip
    api("kb_delete_section", other.id, ok=204)
    spare = api("kb_create_category", body={"names": {"es": "Vacía"}}, ok=201)
    api("kb_delete_category", spare.id, ok=204)
