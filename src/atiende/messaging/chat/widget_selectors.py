"""Reads of the chat widgets for their settings screen and the API (admins).

A widget is read with what its list row shows: how many chats it has had and when the last
began (a widget with chats cannot be deleted). The embed snippet is built on
``ATIENDE_SITE_URL``, the address visitors' browsers reach this help desk at (an admin may be
browsing through another), as the channel accounts' webhook URLs are.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_admin
from atiende.messaging.models import ChatWidget

BY_NAME = SortKey("name", False, str)
SCRIPT = "web/widget/atiende-chat.js"


def _widgets() -> QuerySet[ChatWidget]:
    return ChatWidget.objects.select_related("group").annotate(
        chat_count=Count("chats"), last_chat_at=Max("chats__created_at")
    )


def list_widgets(actor: Actor, *, limit: int = 50, cursor: str | None = None) -> Page[ChatWidget]:
    """Widgets by name, each with ``chat_count`` and ``last_chat_at``."""
    require_admin(actor)
    return paginate(_widgets(), BY_NAME, limit=limit, cursor=cursor)


def get_widget(actor: Actor, widget_id: int) -> ChatWidget:
    require_admin(actor)
    widget = _widgets().filter(pk=widget_id).first()
    if widget is None:
        raise NotFound(_("Chat widget not found."))
    return widget


def script_url() -> str:
    """The absolute address of the widget's script (a static file, served to any origin)."""
    site = str(getattr(settings, "ATIENDE_SITE_URL", "")).rstrip("/")
    path = static(SCRIPT)
    return path if path.startswith(("http://", "https://")) else site + "/" + path.lstrip("/")


def embed_snippet(widget: ChatWidget) -> str:
    """The one tag a site puts on its pages to show ``widget``."""
    return (
        f'<script src="{escape(script_url())}" data-widget="{escape(widget.public_id)}" '
        "async></script>"
    )
