"""The generated client's drive through /chat-widgets (issue 16): every operation once."""

from __future__ import annotations

from typing import Any


def drive_chat_widgets(api: Any, group_id: int) -> None:
    body = {
        "name": "Tienda online",
        "group_id": group_id,
        "allowed_origins": ["https://www.example.com"],
        "prechat_fields": [{"key": "email", "required": True}],
        "language": "es",
    }
    widget = api("chat_widgets_create_widget", body=body, ok=201)
    assert f'data-widget="{widget.public_id}"' in widget.embed_snippet
    changed = api("chat_widgets_update_widget", widget.id, body={"title": "¿Te ayudamos?"})
    assert changed.title == "¿Te ayudamos?"
    api("chat_widgets_read_widget", widget.id)
    api("chat_widgets_list_widgets")
    api("chat_widgets_delete_widget", widget.id, ok=204)
